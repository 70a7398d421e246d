/** Portal admins: users whose `app_metadata.permissions` holds `portal-admin`. */
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import { type Ctx, homeTenant } from "./context";
import { voidIssuedInvites } from "./invite-issuer";
import { getUser, patchAppMetadata, searchUsers } from "./users";

export function listAdmins(ctx: Ctx, { page, perPage }: { page: number; perPage: number }) {
  return searchUsers(homeTenant(ctx.portal), queries.admins(), page, perPage, ctx.requestId);
}

/** How many admins the last-admin check re-reads by id after a removal (one search page). */
const ADMINS_RECHECKED = 50;

/**
 * Removes `portal-admin` only (other permissions stay) and records the time, which voids every
 * admin invite issued to them before it (lib/domain/invites.ts); a fresh issuing epoch in the
 * same PATCH voids every invite they issued (invite-issuer.ts). The last admin who can sign in
 * cannot be removed: a blocked or deleted admin does not count.
 *
 * The list of admins comes from a search, which lags writes in Auth0: two admins removing each
 * other at the same moment both saw two admins, and a freshly invited admin may not be listed
 * yet. So no decision rests on the search: the removal is checked after the fact with consistent
 * reads. The actor and every admin the search returned are read again by id (GET /users/{id});
 * if none of them still holds `portal-admin`, the removed user gets it back and the removal is
 * refused. Of several concurrent removals, the one whose re-read comes last sees every removal,
 * so at least one admin always remains. A lagging search can only make this more cautious: an
 * admin it misses is not counted (the removal may be refused though it was safe), an admin it
 * still lists after their removal is read again and not counted. Works across the portal's
 * processes: it needs no lock, only the tenant's consistent reads.
 */
export async function removeAdmin(ctx: Ctx, userId: string): Promise<void> {
  const tenant = homeTenant(ctx.portal);
  const user = await getUser(tenant, userId, ctx.requestId);
  if (!user.permissions.includes(PORTAL_ADMIN_PERMISSION))
    throw new PortalError("not_found", "That user is not an admin.");
  const listed = await listAdmins(ctx, { page: 0, perPage: ADMINS_RECHECKED });
  await patchAppMetadata(
    tenant,
    userId,
    {
      permissions: user.permissions.filter((p) => p !== PORTAL_ADMIN_PERMISSION),
      adminRemovedAt: ctx.portal.now().toISOString(),
      ...voidIssuedInvites(),
    },
    ctx.requestId,
  );
  const candidates = new Set([ctx.actor.userId, ...listed.items.map((a) => a.userId)]);
  candidates.delete(userId);
  if (await anyStillAdmin(ctx, candidates)) return;
  // Nobody else is (still) an admin: give the right back, re-reading so as not to undo anything
  // else changed meanwhile. `adminRemovedAt` stays: invites issued before this stay void.
  const current = await getUser(tenant, userId, ctx.requestId);
  await patchAppMetadata(
    tenant,
    userId,
    { permissions: [...new Set([...current.permissions, PORTAL_ADMIN_PERMISSION])] },
    ctx.requestId,
  );
  throw new PortalError(
    "conflict",
    candidates.size === 0
      ? "This is the last admin who can sign in; invite another admin first."
      : "No other admin who can sign in would remain (the others are blocked or gone, another admin was removed at the same moment, or a new one is not listed yet); the removal was undone.",
  );
}

/**
 * Reads the candidates by id, one at a time, until one still holds `portal-admin` and can sign
 * in: a blocked admin is refused on every request (actor.ts), so they do not count.
 */
async function anyStillAdmin(ctx: Ctx, candidates: Set<string>) {
  const tenant = homeTenant(ctx.portal);
  for (const id of candidates) {
    // A user that cannot be read (deleted, or a failure) does not count: the cautious side.
    const user = await getUser(tenant, id, ctx.requestId).catch(() => undefined);
    if (user?.permissions.includes(PORTAL_ADMIN_PERMISSION) && !user.blocked) return true;
  }
  return false;
}
