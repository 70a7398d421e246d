/**
 * Deleting a team (admin): in passes, so that nothing a lagging search index hides outlives it.
 */
import { PortalError } from "../errors";
import { deleteClientIf, readClient } from "../management/clients";
import { searchClients } from "../management/clients-search";
import { clientTerms, queries } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant, isAdmin } from "./context";
import { getUserOrUndefined } from "./members";
import { forgetTeam, isCredentialOf, isTeamRecord, toTeam } from "./teams";
import { patchAppMetadata, searchUsers } from "./users";

export interface DeleteTeamResult {
  credentials: number;
  members: number;
  /** False while the search indexes may still hold some of the team's things: run it again. */
  complete: boolean;
  /** When running it again can finish (ISO 8601), if not complete. */
  finishAfter?: string | undefined;
}

/**
 * How long after its team check a credential create may still make its client without reading
 * the team again (credentials.ts): the check comes from the read cache, at most the home
 * tenant's `recordMaxAgeMs` old, so the last pass of a deletion waits for the search lag past
 * the mark plus both, by when every client made on a check that missed the mark is in the
 * index. A create slower than this reads the team as the tenant has it after its POST.
 */
export const CREATE_CHECK_VALID_MS = 10_000;

/** Search pages one delete pass reads, per tenant and for members: its iterations are bounded. */
const DRAIN_PAGES = 10;
const DRAIN_PAGE_SIZE = 50;

/**
 * Admin: deletes a team in passes. The first marks the record (`deletingSince`: no joins, no new
 * credentials). Each pass removes the members and credentials the indexes show, re-reading every
 * one by id and checking its team (and kind) before touching it. The record itself goes only in a
 * pass that runs after the indexes have had `searchLagMs` to show everything made before the
 * mark or by a create whose team check missed it (a cached record's age and
 * CREATE_CHECK_VALID_MS past the mark), and finds nothing left within its budget; otherwise the
 * result says when to run it again.
 */
export async function deleteTeam(ctx: Ctx, teamId: string): Promise<DeleteTeamResult> {
  if (!isAdmin(ctx.actor)) throw new PortalError("forbidden", "Only portal admins delete teams.");
  const home = homeTenant(ctx.portal);
  forgetTeam(ctx.portal, teamId);
  const record = await readClient(home, teamId, ctx.requestId);
  const team = record && toTeam(record);
  if (!record || !team) throw new PortalError("not_found", "This team does not exist (any more).");
  let since = team.deletingSince;
  if (!since) {
    since = ctx.portal.now().toISOString();
    // The whole metadata object, so merge and replace semantics give the same result.
    const client_metadata = { ...(record.client_metadata ?? {}), deletingSince: since };
    await home.run(
      "mark the team as being deleted",
      (c) => c.clients.update(teamId, { client_metadata }),
      { safeToRepeat: true, requestId: ctx.requestId },
    );
    forgetTeam(ctx.portal, teamId);
  }
  const members = await drainMembers(ctx, home, teamId);
  let credentials = 0;
  let more = members.more;
  for (const tenant of Object.values(ctx.portal.tenants)) {
    const drained = await drainCredentials(ctx, tenant, teamId);
    credentials += drained.deleted;
    more ||= drained.more;
  }
  const settledAt =
    Date.parse(since) + home.recordMaxAgeMs + CREATE_CHECK_VALID_MS + ctx.portal.searchLagMs;
  // Only a pass that found nothing left, after the indexes settled, deletes the record: paging
  // through a result set that shrinks as we delete can skip items, a later pass finds them.
  const removed = members.removed + credentials > 0;
  if (more || removed || ctx.portal.now().getTime() < settledAt)
    return {
      credentials,
      members: members.removed,
      complete: false,
      finishAfter: new Date(Math.max(settledAt, ctx.portal.now().getTime())).toISOString(),
    };
  await deleteClientIf(home, teamId, isTeamRecord, ctx.requestId);
  forgetTeam(ctx.portal, teamId);
  return { credentials, members: members.removed, complete: true };
}

async function drainMembers(ctx: Ctx, home: Tenant, teamId: string) {
  let removed = 0;
  for (let page = 0; page < DRAIN_PAGES; page++) {
    const hits = await searchUsers(
      home,
      queries.teamMembers(teamId),
      page,
      DRAIN_PAGE_SIZE,
      ctx.requestId,
      { fresh: true },
    );
    for (const hit of hits.items) {
      const user = await getUserOrUndefined(ctx, home, hit.userId);
      if (user?.teamId !== teamId) continue; // already left (the index lags) or elsewhere
      await patchAppMetadata(home, user.userId, { teamId: null }, ctx.requestId);
      removed++;
    }
    if (hits.items.length < DRAIN_PAGE_SIZE) return { removed, more: false };
  }
  return { removed, more: true };
}

async function drainCredentials(ctx: Ctx, tenant: Tenant, teamId: string) {
  let deleted = 0;
  let from: string | undefined;
  for (let page = 0; page < DRAIN_PAGES; page++) {
    const hits = await searchClients(tenant, clientTerms.teamCredentials(teamId), {
      take: DRAIN_PAGE_SIZE,
      from,
      requestId: ctx.requestId,
      // A pass that finds nothing deletes the team: it must not see an answer the cache kept.
      fresh: true,
    });
    for (const hit of hits.clients) {
      const outcome = await deleteClientIf(
        tenant,
        hit.client_id,
        (c) => isCredentialOf(c, teamId),
        ctx.requestId,
      );
      if (outcome === "deleted") deleted++;
    }
    from = hits.next;
    if (!from) return { deleted, more: false };
  }
  return { deleted, more: true };
}
