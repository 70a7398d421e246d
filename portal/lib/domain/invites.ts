/**
 * Invite links: a JWT (HS256, jose) signed with a key derived from the session secret, expiring
 * after `inviteTtlHours`, bound to one team (or, for admin invites, to the admin permission).
 * Nothing is stored: the link is the invite. Joining checks the team still exists.
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

/** Derives the invite signing key from the session secret (separate purpose, same root). */
export function deriveInviteKey(sessionSecret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", sessionSecret, "astral", "invite-links", 32));
}

export async function createInvite(
  ctx: Ctx,
  input: { kind: InviteKind; teamId?: string | undefined },
): Promise<{ token: string; expiresAt: string }> {
  const ttlSeconds = ctx.portal.config().inviteTtlHours * 3600;
  const now = Math.floor(ctx.portal.now().getTime() / 1000);
  if (input.kind === "team" && !input.teamId)
    throw new PortalError("invalid_input", "A team invite needs a team.");
  const token = await new SignJWT({ kind: input.kind, teamId: input.teamId })
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
): Promise<{ kind: InviteKind; teamId?: string }> {
  try {
    const { payload } = await jwtVerify(token, ctx.portal.inviteKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: ctx.portal.now(),
    });
    if (payload.kind === "admin") return { kind: "admin" };
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
    if (isAdmin(ctx.actor)) return { kind: "admin" };
    const user = await getUser(tenant, ctx.actor.userId, ctx.requestId);
    await patchAppMetadata(
      tenant,
      ctx.actor.userId,
      { permissions: [...new Set([...user.permissions, PORTAL_ADMIN_PERMISSION])] },
      ctx.requestId,
    );
    return { kind: "admin" };
  }
  const teamId = invite.teamId as string;
  const team = await findTeam(ctx, teamId);
  if (!team) throw new PortalError("invite_invalid", "The team of this invite no longer exists.");
  if (ctx.actor.teamId === teamId) return { kind: "team", teamId, teamName: team.name };
  if (ctx.actor.teamId)
    throw new PortalError("conflict", "You already belong to another team; leave it first.");
  await patchAppMetadata(tenant, ctx.actor.userId, { teamId }, ctx.requestId);
  return { kind: "team", teamId, teamName: team.name };
}
