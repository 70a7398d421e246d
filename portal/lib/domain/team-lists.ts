/**
 * Admin lists of teams, and member and credential counts per team: searches (which lag writes),
 * with the number of calls bounded by the page size (ADR 0600).
 */

import { searchClients } from "../management/clients-search";
import { clientTerms, queries, TEAMS_PER_CREDENTIAL_QUERY } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant } from "./context";
import { type CursorPage, type Team, type TeamSummary, toTeam } from "./teams";
import { countUsers, searchUsers } from "./users";

/**
 * Admin: one page of teams, by cursor (`/clients/search`, 1 filter operation). Counts are
 * optional: they cost calls per page that a Free tenant (2 requests/s) feels (ADR 0600).
 */
export async function listTeams(
  ctx: Ctx,
  { take, from, counts }: { take: number; from?: string | undefined; counts: boolean },
): Promise<CursorPage<TeamSummary>> {
  const page = await searchClients(homeTenant(ctx.portal), clientTerms.teamRecords(), {
    take,
    from,
    requestId: ctx.requestId,
  });
  const teams = page.clients.map(toTeam).filter((t): t is Team => Boolean(t));
  return { items: counts ? await summarise(ctx, teams) : teams, next: page.next };
}

const BATCH_PAGE = 100;
/** Pages read per count query before giving up on exactness (bounded calls per view). */
const MAX_COUNT_PAGES = 5;

/** Member and credential counts for one page of teams; calls bounded by the page size. */
async function summarise(ctx: Ctx, teams: Team[]): Promise<TeamSummary[]> {
  if (teams.length === 0) return [];
  const ids = teams.map((t) => t.teamId);
  const home = homeTenant(ctx.portal);
  const [members, ...perTenant] = await Promise.all([
    countMembers(ctx, home, ids),
    ...Object.values(ctx.portal.tenants).map(
      async (tenant) => [tenant.environment, await countCredentials(ctx, tenant, ids)] as const,
    ),
  ]);
  return teams.map((team) => ({
    ...team,
    members: members.get(team.teamId) ?? 0,
    credentials: Object.fromEntries(
      perTenant.map(([env, counts]) => [env, counts.get(team.teamId) ?? 0]),
    ),
  }));
}

/** Credentials per team: at most 4 team ids per query (Auth0's 5 filter operations). */
export async function countCredentials(ctx: Ctx, tenant: Tenant, teamIds: string[]) {
  const counts = new Map<string, number>(teamIds.map((id) => [id, 0]));
  const chunks: string[][] = [];
  for (let i = 0; i < teamIds.length; i += TEAMS_PER_CREDENTIAL_QUERY)
    chunks.push(teamIds.slice(i, i + TEAMS_PER_CREDENTIAL_QUERY));
  for (const chunk of chunks) {
    let from: string | undefined;
    for (let page = 0; page < MAX_COUNT_PAGES; page++) {
      const result = await searchClients(tenant, clientTerms.teamsCredentials(chunk), {
        take: BATCH_PAGE,
        from,
        requestId: ctx.requestId,
      });
      for (const c of result.clients) {
        const id = c.client_metadata?.teamId;
        if (id && counts.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      from = result.next;
      if (!from) break;
    }
  }
  return counts;
}

/**
 * Members per team: one search for the whole page (`teamId:("a" OR …)`), paged through when
 * that is cheaper than one count per team (users only up to Auth0's 1000-record limit).
 */
export async function countMembers(ctx: Ctx, home: Tenant, teamIds: string[]) {
  const counts = new Map<string, number>(teamIds.map((id) => [id, 0]));
  const search = (page: number) =>
    searchUsers(home, queries.teamsMembers(teamIds), page, BATCH_PAGE, ctx.requestId);
  const first = await search(0);
  const pages = Math.ceil(first.total / BATCH_PAGE);
  if (pages - 1 < teamIds.length && first.total <= 1000) {
    const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => search(i + 1)));
    for (const user of [first.items, ...rest.map((r) => r.items)].flat())
      if (user.teamId && counts.has(user.teamId))
        counts.set(user.teamId, (counts.get(user.teamId) ?? 0) + 1);
    return counts;
  }
  await Promise.all(
    teamIds.map(async (id) =>
      counts.set(id, await countUsers(home, queries.teamMembers(id), ctx.requestId)),
    ),
  );
  return counts;
}
