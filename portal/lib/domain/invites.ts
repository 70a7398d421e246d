/**
 * Invite links: a JWT (HS256, jose) signed with a key derived from the session secret. A team
 * invite is bound to one team and expires after `inviteTtlHours`. An admin invite is bound to one
 * email address (lower-cased) and expires after ADMIN_INVITE_TTL_HOURS: nothing is stored, so it
 * cannot be single-use; binding it to the invitee's verified address is what stops a forwarded
 * link from making a stranger an admin. Joining a team checks the team still exists.
 */
import { hkdfSync } from "node:crypto";
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { errors, jwtVerify, SignJWT } from "jose";
import { PortalError } from "../errors";
import { type Ctx, homeTenant, isAdmin } from "./context";
import { TEAM_ID } from "./ids";
import { findTeam } from "./teams";
import { getUser, patchAppMetadata } from "./users";

const ISSUER = "astral-portal";
const AUDIENCE = "astral-portal:invite";

export type InviteKind = "team" | "admin";

/** Admin invites live shorter than team invites (capped by `inviteTtlHours` if that is lower). */
export const ADMIN_INVITE_TTL_HOURS = 24;

/** Derives the invite signing key from the session secret (separate purpose, same root). */
export function deriveInviteKey(sessionSecret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", sessionSecret, "astral", "invite-links", 32));
}

export async function createInvite(
  ctx: Ctx,
  input: { kind: InviteKind; teamId?: string | undefined; email?: string | undefined },
): Promise<{ token: string; expiresAt: string }> {
  const teamTtl = ctx.portal.config().inviteTtlHours;
  const ttlSeconds =
    (input.kind === "admin" ? Math.min(ADMIN_INVITE_TTL_HOURS, teamTtl) : teamTtl) * 3600;
  const now = Math.floor(ctx.portal.now().getTime() / 1000);
  if (input.kind === "team" && !input.teamId)
    throw new PortalError("invalid_input", "A team invite needs a team.");
  if (input.kind === "admin" && !input.email)
    throw new PortalError("invalid_input", "An admin invite needs the invitee's email address.");
  const claims =
    input.kind === "admin"
      ? { kind: input.kind, email: input.email?.toLowerCase() }
      : { kind: input.kind, teamId: input.teamId };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(input.kind === "team" ? (input.teamId as string) : PORTAL_ADMIN_PERMISSION)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(ctx.portal.inviteKey);
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000).toISOString() };
}

export async function readInvite(
  ctx: Ctx,
  token: string,
): Promise<{ kind: "team"; teamId: string } | { kind: "admin"; email: string }> {
  try {
    const { payload } = await jwtVerify(token, ctx.portal.inviteKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: ctx.portal.now(),
    });
    if (payload.kind === "admin" && typeof payload.email === "string" && payload.email)
      return { kind: "admin", email: payload.email };
    if (
      payload.kind === "team" &&
      typeof payload.teamId === "string" &&
      TEAM_ID.test(payload.teamId)
    )
      return { kind: "team", teamId: payload.teamId };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new PortalError("invite_invalid", "This invite has expired; ask for a new one.");
  }
  throw new PortalError("invite_invalid", "This invite link is not valid.");
}

/** Accepts an invite for the signed-in actor. */
export async function acceptInvite(
  ctx: Ctx,
  token: string,
): Promise<{ kind: InviteKind; teamId?: string; teamName?: string }> {
  const invite = await readInvite(ctx, token);
  const tenant = homeTenant(ctx.portal);
  if (invite.kind === "admin") {
    // The user record (not the session) is the source of truth for the address and its status.
    const user = await getUser(tenant, ctx.actor.userId, ctx.requestId);
    if (user.email.toLowerCase() !== invite.email)
      throw new PortalError(
        "forbidden",
        "This admin invite is for another email address; sign in with the address it was sent to.",
      );
    if (user.emailVerified === false)
      throw new PortalError(
        "forbidden",
        "Verify your email address before accepting an admin invite.",
      );
    if (isAdmin(ctx.actor)) return { kind: "admin" };
    await patchAppMetadata(
      tenant,
      ctx.actor.userId,
      { permissions: [...new Set([...user.permissions, PORTAL_ADMIN_PERMISSION])] },
      ctx.requestId,
    );
    return { kind: "admin" };
  }
  const teamId = invite.teamId;
  const team = await findTeam(ctx, teamId);
  if (!team) throw new PortalError("invite_invalid", "The team of this invite no longer exists.");
  if (ctx.actor.teamId === teamId) return { kind: "team", teamId, teamName: team.name };
  if (ctx.actor.teamId)
    throw new PortalError("conflict", "You already belong to another team; leave it first.");
  await patchAppMetadata(tenant, ctx.actor.userId, { teamId }, ctx.requestId);
  return { kind: "team", teamId, teamName: team.name };
}
