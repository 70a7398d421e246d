/**
 * Invite links: a JWT (HS256, jose) signed with a key derived from the session secret, with a
 * unique id (`jti`) and its issue time (`iat`). Nothing is stored per link; what ends a link is
 * kept on the records the accept step reads by id (consistent reads; searches lag):
 * - A team invite is bound to one team and to the team's invite epoch (lib/domain/invite-epoch.ts)
 *   and expires after `inviteTtlHours`. Removing a member or "Reset invite links" changes the
 *   epoch, which ends every earlier link of the team, so a removed member cannot rejoin with it.
 * - An admin invite is bound to one verified email address (lower-cased) and expires after
 *   ADMIN_INVITE_TTL_HOURS. It is single-use: the accepting user's `app_metadata` keeps the ids of
 *   the admin invites they accepted; and it is void once issued before the user's last admin
 *   removal (`app_metadata.adminRemovedAt`, written by removeAdmin), so a removed admin cannot
 *   make themselves admin again with an old link.
 * - Every invite names its issuer and the right they issued it under, and is accepted only while
 *   the issuer still holds it (lib/domain/invite-issuer.ts); a pending admin invite is also kept
 *   on its issuer's record, where admins list and revoke it.
 */
import { hkdfSync } from "node:crypto";
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { decodeJwt, errors, jwtVerify, SignJWT } from "jose";
import { PortalError } from "../errors";
import { type Ctx, homeTenant, isAdmin } from "./context";
import { TEAM_ID } from "./ids";
import { newInviteEpoch, readTeamRecord, type TeamRecord } from "./invite-epoch";
import {
  checkIssuer,
  currentIssuer,
  forgetAdminInvite,
  type Issuer,
  type IssuingRight,
  recordAdminInvite,
} from "./invite-issuer";
import { getTeam } from "./teams";
import { getUser, type PortalUser, patchAppMetadata } from "./users";

const ISSUER = "astral-portal";
const AUDIENCE = "astral-portal:invite";

export type InviteKind = "team" | "admin";

/** Admin invites live shorter than team invites (capped by `inviteTtlHours` if that is lower). */
export const ADMIN_INVITE_TTL_HOURS = 24;

/**
 * How many accepted admin-invite ids a user's `app_metadata` keeps (newest last, ~40 bytes
 * each, far below Auth0's metadata limits). An id only matters while its invite is unexpired
 * (≤ 24 h): to push one out, the same user would have to accept this many more admin invites,
 * each issued to their address by an admin, within that day. And a removed admin's old invites
 * are refused anyway by their issue time, whatever this list holds.
 */
export const ACCEPTED_ADMIN_INVITES_KEPT = 10;

/** Derives the invite signing key from the session secret (separate purpose, same root). */
export function deriveInviteKey(sessionSecret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", sessionSecret, "astral", "invite-links", 32));
}

type InviteClaims =
  | { kind: "team"; teamId: string; epoch: string }
  | { kind: "admin"; email: string };

type Invite = InviteClaims & { id: string; issuedAt: number; issuer: Issuer };

export async function createInvite(
  ctx: Ctx,
  input: { kind: InviteKind; teamId?: string | undefined; email?: string | undefined },
): Promise<{ token: string; expiresAt: string }> {
  const teamTtl = ctx.portal.config().inviteTtlHours;
  const ttlSeconds =
    (input.kind === "admin" ? Math.min(ADMIN_INVITE_TTL_HOURS, teamTtl) : teamTtl) * 3600;
  const now = Math.floor(ctx.portal.now().getTime() / 1000);
  const { issuer, record } = await currentIssuer(
    ctx,
    input.kind === "team" ? input.teamId : undefined,
  );
  let claims: InviteClaims;
  if (input.kind === "team") {
    if (!input.teamId) throw new PortalError("invalid_input", "A team invite needs a team.");
    const team = await currentTeam(ctx, input.teamId);
    if (!team) throw new PortalError("not_found", "This team does not exist (any more).");
    claims = { kind: "team", teamId: input.teamId, epoch: team.inviteEpoch };
  } else {
    if (!input.email)
      throw new PortalError("invalid_input", "An admin invite needs the invitee's email address.");
    claims = { kind: "admin", email: input.email.toLowerCase() };
  }
  const jti = crypto.randomUUID();
  const expiresAt = new Date((now + ttlSeconds) * 1000).toISOString();
  if (claims.kind === "admin") {
    if (issuer.right !== "admin")
      throw new PortalError("forbidden", "Only portal admins invite admins.");
    await recordAdminInvite(ctx, record, { id: jti, email: claims.email, expiresAt });
  }
  const token = await new SignJWT({
    ...claims,
    by: issuer.by,
    right: issuer.right,
    ie: issuer.epoch,
  })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.kind === "team" ? claims.teamId : PORTAL_ADMIN_PERMISSION)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(jti)
    .sign(ctx.portal.inviteKey);
  return { token, expiresAt };
}

export async function readInvite(ctx: Ctx, token: string): Promise<Invite> {
  try {
    const { payload } = await jwtVerify(token, ctx.portal.inviteKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: ctx.portal.now(),
      requiredClaims: ["jti", "iat", "exp"],
    });
    const issuer = issuerClaims(payload);
    if (!issuer)
      throw new PortalError(
        "invite_invalid",
        "This invite link does not say who issued it (an older link); ask for a new one.",
      );
    const meta = { id: payload.jti as string, issuedAt: payload.iat as number, issuer };
    if (payload.kind === "admin" && typeof payload.email === "string" && payload.email)
      return { kind: "admin", email: payload.email, ...meta };
    if (
      payload.kind === "team" &&
      typeof payload.teamId === "string" &&
      TEAM_ID.test(payload.teamId)
    )
      // Links made before epochs existed carry none: valid until the team's first change.
      return {
        kind: "team",
        teamId: payload.teamId,
        epoch: typeof payload.epoch === "string" ? payload.epoch : "",
        ...meta,
      };
  } catch (error) {
    if (error instanceof PortalError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new PortalError("invite_invalid", "This invite has expired; ask for a new one.");
  }
  throw new PortalError("invite_invalid", "This invite link is not valid.");
}

function issuerClaims(payload: Record<string, unknown>): Issuer | undefined {
  const { by, right, ie } = payload;
  if (typeof by !== "string" || !by || typeof ie !== "string") return undefined;
  if (right !== "admin" && right !== "member") return undefined;
  return { by, right: right satisfies IssuingRight, epoch: ie };
}

/**
 * What the audit line says about an invite: kind, id and team, read from the token without
 * checking its signature (the line is written for refused links too; ids only, no secret).
 */
export function describeInviteForAudit(token: unknown): Record<string, string | undefined> {
  try {
    const claims = decodeJwt(String(token));
    const text = (v: unknown) => (typeof v === "string" ? v.slice(0, 64) : undefined);
    return {
      kind: text(claims.kind),
      inviteId: text(claims.jti),
      teamId: text(claims.teamId),
      issuedBy: text(claims.by),
    };
  } catch {
    return {};
  }
}

/** Accepts an invite for the signed-in actor. */
export async function acceptInvite(
  ctx: Ctx,
  token: string,
): Promise<{ kind: InviteKind; teamId?: string; teamName?: string }> {
  const invite = await readInvite(ctx, token);
  if (invite.kind === "admin") {
    await acceptAdminInvite(ctx, invite);
    return { kind: "admin" };
  }
  const teamId = invite.teamId;
  const team = await currentTeam(ctx, teamId);
  if (!team) throw new PortalError("invite_invalid", "The team of this invite no longer exists.");
  if (ctx.actor.teamId === teamId) return { kind: "team", teamId, teamName: team.name };
  await checkIssuer(ctx, invite.issuer, teamId);
  if (team.inviteEpoch !== invite.epoch)
    throw new PortalError(
      "invite_invalid",
      `This invite link to ${team.name} has been withdrawn: a member was removed from the team or its links were reset. Ask a member of the team for a new link.`,
    );
  if (ctx.actor.teamId)
    throw new PortalError("conflict", "You already belong to another team; leave it first.");
  await patchAppMetadata(homeTenant(ctx.portal), ctx.actor.userId, { teamId }, ctx.requestId);
  return { kind: "team", teamId, teamName: team.name };
}

/**
 * Whether this user may take this admin invite, by their own record: the address it was sent
 * to, verified; not used before; not issued before their admin right was last removed.
 */
export function refuseAdminInvitee(
  user: PortalUser,
  invite: { email: string; id: string; issuedAt: number },
): void {
  if (user.email.toLowerCase() !== invite.email)
    throw new PortalError(
      "forbidden",
      "This admin invite is for another email address; sign in with the address it was sent to.",
    );
  // Only an address the tenant says is verified: a connection that does not report
  // `email_verified` proves nothing about who holds the address.
  if (user.emailVerified !== true)
    throw new PortalError(
      "forbidden",
      "Verify your email address before accepting an admin invite.",
    );
  if (user.adminInvitesAccepted.includes(invite.id))
    throw new PortalError(
      "forbidden",
      "This admin invite has already been used; ask an admin for a new one.",
    );
  const removedAt = user.adminRemovedAt ? Date.parse(user.adminRemovedAt) : Number.NaN;
  // Whole seconds (iat): an invite issued in the second of the removal counts as before it.
  if (invite.issuedAt <= Math.floor(removedAt / 1000))
    throw new PortalError(
      "forbidden",
      "This admin invite was issued before your admin rights were removed; ask an admin for a new one.",
    );
}

async function acceptAdminInvite(ctx: Ctx, invite: Invite & { kind: "admin" }): Promise<void> {
  const tenant = homeTenant(ctx.portal);
  // The user record (not the session) is the source of truth for the address, its status and
  // the invites already used: GET /users/{id} is consistent, a search would lag.
  const user = await getUser(tenant, ctx.actor.userId, ctx.requestId);
  refuseAdminInvitee(user, invite);
  const issuer = await checkIssuer(ctx, invite.issuer, undefined);
  if (!issuer.pendingAdminInvites.some((p) => p.id === invite.id))
    throw new PortalError(
      "invite_invalid",
      "This admin invite has been revoked or already used; ask an admin for a new one.",
    );
  if (isAdmin(ctx.actor)) return;
  await patchAppMetadata(
    tenant,
    ctx.actor.userId,
    {
      permissions: [...new Set([...user.permissions, PORTAL_ADMIN_PERMISSION])],
      adminInvitesAccepted: [...user.adminInvitesAccepted, invite.id].slice(
        -ACCEPTED_ADMIN_INVITES_KEPT,
      ),
    },
    ctx.requestId,
  );
  // Used: gone from the pending list (the accepted id above keeps it single-use regardless).
  await forgetAdminInvite(ctx, invite.issuer.by, invite.id).catch(() => undefined);
}

/** "Reset invite links": ends every invite link of the team made so far. */
export async function resetTeamInvites(ctx: Ctx, teamId: string): Promise<void> {
  await getTeam(ctx, teamId);
  await newInviteEpoch(ctx, teamId);
}

/** The team with its current invite epoch, read by its id (consistent, never cached). */
function currentTeam(ctx: Ctx, teamId: string): Promise<TeamRecord | undefined> {
  return readTeamRecord(ctx, teamId);
}
