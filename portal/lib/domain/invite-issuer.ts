/**
 * An invite is only as good as its issuer's right at the moment it is accepted (ADR 0700).
 *
 * Every invite names who issued it (`by`), the right they issued it under (`admin`, or `member`
 * of the invite's team) and the issuer's invite-issuing epoch (`app_metadata.inviteIssuerEpoch`)
 * at that time. Accepting reads the issuer's record by id (GET /users/{id}, consistent) and
 * refuses unless the issuer still exists, is not blocked, still holds that right and still has
 * that epoch. Removing an admin or a member writes a fresh random epoch in the same PATCH that
 * takes the right away, so everything they issued is void at once, with no list of invites to
 * scan, even if the right is given back later.
 *
 * Pending admin invites are kept on their issuer's record, one top-level `app_metadata` key each
 * (`astral_admin_invite_<id>`: Auth0 merges top-level keys, so concurrent writes never lose
 * one). Accepting needs the key to be there and removes it; revoking removes it. Admins list
 * them from the admins' records (search) plus their own (consistent): a pending invite of an
 * issuer who is no longer an admin is void anyway.
 */
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { PortalError } from "../errors";
import { listAdmins } from "./admins";
import { type Ctx, homeTenant } from "./context";
import { randomId } from "./ids";
import {
  ADMIN_INVITE_PREFIX,
  getUser,
  ISSUER_EPOCH_KEY,
  type PendingAdminInvite,
  type PortalUser,
  patchAppMetadata,
} from "./users";

export type IssuingRight = "admin" | "member";

export interface Issuer {
  /** The issuer's user id. */
  by: string;
  right: IssuingRight;
  /** The issuer's invite-issuing epoch when they issued it. */
  epoch: string;
}

/** A fresh issuing epoch, to write in the PATCH that removes a right (voids what they issued). */
export const voidIssuedInvites = () => ({ [ISSUER_EPOCH_KEY]: randomId("epoch", 16) });

/**
 * The actor as the issuer of a new invite, read now (consistent): for a team invite, member of
 * that team if they are one, else admin; for an admin invite, admin.
 */
export async function currentIssuer(
  ctx: Ctx,
  teamId: string | undefined,
): Promise<{ issuer: Issuer; record: PortalUser }> {
  const record = await getUser(homeTenant(ctx.portal), ctx.actor.userId, ctx.requestId);
  const right = teamId && record.teamId === teamId ? "member" : adminRight(record);
  if (!right) throw new PortalError("forbidden", "You may no longer issue this invite.");
  return { issuer: { by: record.userId, right, epoch: record.issuerEpoch }, record };
}

const adminRight = (user: PortalUser): IssuingRight | undefined =>
  user.permissions.includes(PORTAL_ADMIN_PERMISSION) ? "admin" : undefined;

/**
 * Refuses an invite whose issuer no longer holds the right they issued it under, is blocked or
 * gone, or has lost a right since (another epoch). Returns the issuer's current record.
 */
export async function checkIssuer(
  ctx: Ctx,
  issuer: Issuer,
  teamId: string | undefined,
): Promise<PortalUser> {
  const withdrawn = (why: string) =>
    new PortalError("invite_invalid", `This invite has been withdrawn: ${why}. Ask for a new one.`);
  let record: PortalUser;
  try {
    record = await getUser(homeTenant(ctx.portal), issuer.by, ctx.requestId, { fresh: true });
  } catch (error) {
    if (error instanceof PortalError && error.code === "not_found")
      throw withdrawn("the account that issued it no longer exists");
    throw error;
  }
  if (record.blocked) throw withdrawn("the account that issued it is blocked");
  const holds =
    issuer.right === "member"
      ? teamId !== undefined && record.teamId === teamId
      : adminRight(record) === "admin";
  if (!holds || record.issuerEpoch !== issuer.epoch)
    throw withdrawn(
      issuer.right === "member"
        ? "the member who issued it has left the team or was removed"
        : "the admin who issued it is no longer an admin or was removed",
    );
  return record;
}

/**
 * Records a new admin invite on its issuer, in one PATCH that also drops the issuer's expired
 * ones (so the keys stay few: at most the invites of the last 24 h).
 */
export async function recordAdminInvite(
  ctx: Ctx,
  issuer: PortalUser,
  invite: PendingAdminInvite,
): Promise<void> {
  const now = ctx.portal.now().getTime();
  const expired = issuer.pendingAdminInvites.filter((i) => Date.parse(i.expiresAt) <= now);
  await patchAppMetadata(
    homeTenant(ctx.portal),
    issuer.userId,
    {
      ...Object.fromEntries(expired.map((i) => [`${ADMIN_INVITE_PREFIX}${i.id}`, null])),
      [`${ADMIN_INVITE_PREFIX}${invite.id}`]: { email: invite.email, expiresAt: invite.expiresAt },
    },
    ctx.requestId,
  );
}

/** Removes a pending admin invite from its issuer's record (used or revoked). */
export async function forgetAdminInvite(
  ctx: Ctx,
  issuerId: string,
  inviteId: string,
): Promise<void> {
  await patchAppMetadata(
    homeTenant(ctx.portal),
    issuerId,
    { [`${ADMIN_INVITE_PREFIX}${inviteId}`]: null },
    ctx.requestId,
  );
}

export interface ListedAdminInvite extends PendingAdminInvite {
  issuerId: string;
  issuerEmail: string;
}

/** How many admins' records the list reads (one search page): pending invites live on them. */
const ISSUERS_READ = 50;

/**
 * Admin: every pending, unexpired admin invite of the current admins, soonest expiry first. The
 * admins come from a search (lags writes); the actor's own record is read by id, so an invite
 * they just issued shows at once.
 */
export async function listAdminInvites(ctx: Ctx): Promise<ListedAdminInvite[]> {
  const [listed, self] = await Promise.all([
    listAdmins(ctx, { page: 0, perPage: ISSUERS_READ }),
    getUser(homeTenant(ctx.portal), ctx.actor.userId, ctx.requestId),
  ]);
  const admins = [self, ...listed.items.filter((a) => a.userId !== self.userId)].filter(
    (a) => adminRight(a) && !a.blocked,
  );
  const now = ctx.portal.now().getTime();
  return admins
    .flatMap((a) =>
      a.pendingAdminInvites.map((i) => ({ ...i, issuerId: a.userId, issuerEmail: a.email })),
    )
    .filter((i) => Date.parse(i.expiresAt) > now)
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

/** Admin: revokes a pending admin invite (read by id first: only an existing one). */
export async function revokeAdminInvite(
  ctx: Ctx,
  input: { issuerId: string; inviteId: string },
): Promise<void> {
  const issuer = await getUser(homeTenant(ctx.portal), input.issuerId, ctx.requestId);
  if (!issuer.pendingAdminInvites.some((i) => i.id === input.inviteId))
    throw new PortalError("not_found", "No such pending admin invite.");
  await forgetAdminInvite(ctx, input.issuerId, input.inviteId);
}
