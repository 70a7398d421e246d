/**
 * A team's members: listed from the user search (lags writes), corrected by consistent reads;
 * removed by a consistent read and one PATCH of the user (membership lives on users).
 */
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant } from "./context";
import { ownCreates } from "./create-once";
import { newInviteEpoch } from "./invite-epoch";
import { voidIssuedInvites } from "./invite-issuer";
import { noLongerJoined } from "./teams";
import {
  getUser,
  type Paged,
  type PortalUser,
  patchAppMetadata,
  readUser,
  searchUsers,
  toPortalUser,
} from "./users";

/** How many just-touched ids a page re-reads (consistent GETs) to hide the index's lag. */
export const MAX_RECENT = 5;

/**
 * A team's members (user search, lags writes). The first page is corrected by consistent reads:
 * the actor themself when they belong to the team, and users the viewer just changed (`recent`):
 * kept only if their record still names this team.
 */
export async function listMembers(
  ctx: Ctx,
  teamId: string,
  { page, perPage, recent = [] }: { page: number; perPage: number; recent?: string[] },
): Promise<Paged<PortalUser>> {
  const home = homeTenant(ctx.portal);
  const result = await searchUsers(home, queries.teamMembers(teamId), page, perPage, ctx.requestId);
  if (page !== 0) return result;
  let items = result.items.filter((u) => u.teamId === teamId);
  let total = result.total;
  const reread = await Promise.all(
    [...new Set(recent)].slice(0, MAX_RECENT).map((id) => getUserOrUndefined(ctx, home, id)),
  );
  for (const user of reread) {
    if (!user) continue;
    const listed = items.some((u) => u.userId === user.userId);
    if (user.teamId === teamId && !listed) {
      items = [user, ...items];
      total++;
    } else if (user.teamId !== teamId && listed) {
      items = items.filter((u) => u.userId !== user.userId);
      total--;
    }
  }
  const self = ctx.actor;
  if (self.teamId === teamId && !items.some((u) => u.userId === self.userId)) {
    items = [
      {
        userId: self.userId,
        email: self.email,
        name: self.email,
        permissions: [...self.permissions],
        teamId,
        blocked: false,
        adminInvitesAccepted: [],
        issuerEpoch: "",
        pendingAdminInvites: [],
      },
      ...items,
    ];
    total++;
  }
  return { ...result, items: items.slice(0, perPage), total: Math.max(total, items.length) };
}

export async function getUserOrUndefined(ctx: Ctx, tenant: Tenant, userId: string) {
  try {
    return await getUser(tenant, userId, ctx.requestId);
  } catch (error) {
    if (error instanceof PortalError && error.code === "not_found") return undefined;
    throw error;
  }
}

/**
 * Removes a member from a team (a member may remove anyone in their team, themself included).
 * First ends every invite link of the team (a new invite epoch), so that the removed member
 * cannot rejoin with a link they kept; if that fails, the member is not removed either.
 */
export async function removeMember(ctx: Ctx, teamId: string, userId: string): Promise<void> {
  const tenant = homeTenant(ctx.portal);
  const record = await readUser(tenant, userId, ctx.requestId);
  if (toPortalUser(record).teamId !== teamId)
    throw new PortalError("not_found", "That user is not in this team.");
  await newInviteEpoch(ctx, teamId);
  const joined = ownCreates(record.app_metadata as Record<string, unknown> | undefined).filter(
    (c) => c.joins && c.clientId === teamId,
  );
  await patchAppMetadata(
    tenant,
    userId,
    // A fresh issuing epoch: any invite they issued is void, to any team (invite-issuer.ts).
    { teamId: null, ...noLongerJoined(joined), ...voidIssuedInvites() },
    ctx.requestId,
  );
}
