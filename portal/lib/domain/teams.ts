/**
 * Teams. A team is a record in the home tenant: a client without grant types whose
 * client_metadata says `astral: "team"` (ADR 0001). Membership lives on users.
 */
import { CLIENT_KINDS, type Environment, TeamMetadata } from "@astral/contract";
import type { Management } from "auth0";
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant, isAdmin } from "./context";
import { createClientOnce } from "./create-once";
import { randomId } from "./ids";
import { newInviteEpoch } from "./invite-epoch";
import { countUsers, getUser, type Paged, patchAppMetadata, searchUsers } from "./users";

export interface Team {
  teamId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  /** The record's client id in the home tenant. */
  recordId: string;
}

export interface TeamSummary extends Team {
  members: number;
  credentials: Partial<Record<Environment, number>>;
}

function toTeam(client: Management.Client): Team | undefined {
  const meta = TeamMetadata.safeParse(client.client_metadata ?? {});
  if (!meta.success || !client.client_id) return undefined;
  return {
    teamId: meta.data.teamId,
    name: meta.data.teamName,
    createdBy: meta.data.createdBy,
    createdAt: meta.data.createdAt,
    recordId: client.client_id,
  };
}

export async function findTeam(ctx: Ctx, teamId: string): Promise<Team | undefined> {
  const tenant = homeTenant(ctx.portal);
  const page = await tenant.run(
    "find a team",
    (c) => c.clients.list({ q: queries.teamRecord(teamId), per_page: 1, page: 0 }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
  const first = page.data[0];
  return first ? toTeam(first) : undefined;
}

export async function getTeam(ctx: Ctx, teamId: string): Promise<Team> {
  const team = await findTeam(ctx, teamId);
  if (!team) throw new PortalError("not_found", "This team does not exist (any more).");
  return team;
}

/**
 * Creates a team record. A user without a team who creates one joins it; an admin creating a
 * team from the admin pages does not.
 */
export async function createTeam(
  ctx: Ctx,
  input: { name: string; join: boolean; idempotencyKey?: string | undefined },
): Promise<Team> {
  if (input.join && ctx.actor.teamId)
    throw new PortalError("conflict", "You already belong to a team; leave it first.");
  const tenant = homeTenant(ctx.portal);
  const metadata: TeamMetadata = {
    astral: CLIENT_KINDS.team,
    teamId: randomId("team"),
    teamName: input.name,
    createdBy: ctx.actor.userId,
    createdAt: ctx.portal.now().toISOString(),
  };
  // Without a caller's key, one per call still protects this call's own retries.
  const key = input.idempotencyKey ?? randomId("req", 24);
  const { client: created, foundEarlier } = await createClientOnce(
    tenant,
    key,
    {
      name: `Team: ${input.name}`,
      description: "Astral portal team record. It has no grant types and cannot get tokens.",
      app_type: "non_interactive",
      grant_types: [],
      client_metadata: { ...metadata, requestId: key },
    },
    "create a team",
    ctx.requestId,
  );
  const team = toTeam(created);
  if (!team) throw new PortalError("internal", "The team record came back malformed.");
  // A found record is only this caller's own earlier attempt: a key naming someone else's record
  // must not hand over their team (joining it without an invite).
  if (foundEarlier && team.createdBy !== ctx.actor.userId)
    throw new PortalError("conflict", "This request id was already used; reload the page.");
  if (input.join) {
    try {
      await patchAppMetadata(tenant, ctx.actor.userId, { teamId: team.teamId }, ctx.requestId);
    } catch (error) {
      if (!foundEarlier) await deleteClientQuietly(tenant, team.recordId, ctx.requestId);
      throw error;
    }
  }
  return team;
}

/** Admin: one page of teams with member and credential counts (calls bounded by page size). */
export async function listTeams(
  ctx: Ctx,
  { page, perPage }: { page: number; perPage: number },
): Promise<Paged<TeamSummary>> {
  const tenant = homeTenant(ctx.portal);
  const result = await tenant.run(
    "list teams",
    (c) =>
      c.clients.list({ q: queries.teamRecords(), page, per_page: perPage, include_totals: true }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
  const teams = result.data.map(toTeam).filter((t): t is Team => Boolean(t));
  const items = await summarise(ctx, teams);
  return { items, page, perPage, total: result.response.total ?? items.length };
}

const BATCH_PAGE = 100;

/**
 * Member and credential counts for one page of teams. One search covers all the page's teams
 * (`teamId:("a" OR "b" …)`) and is paged through when that is cheaper than one count per team;
 * otherwise each team gets a count query (`per_page=1&include_totals`). Either way the calls are
 * bounded by the page size, never by the tenant's size.
 */
async function summarise(ctx: Ctx, teams: Team[]): Promise<TeamSummary[]> {
  if (teams.length === 0) return [];
  const ids = teams.map((t) => t.teamId);
  const home = homeTenant(ctx.portal);
  const [members, ...perTenant] = await Promise.all([
    countPerTeam(
      ids,
      (page, perPage) => searchUsers(home, queries.teamsMembers(ids), page, perPage, ctx.requestId),
      (u) => u.teamId,
      (teamId) => countUsers(home, queries.teamMembers(teamId), ctx.requestId),
    ),
    ...Object.values(ctx.portal.tenants).map(async (tenant) => {
      const counts = await countPerTeam(
        ids,
        (page, perPage) =>
          searchClients(tenant, queries.teamsCredentials(ids), page, perPage, ctx.requestId),
        (c) => c.client_metadata?.teamId,
        (teamId) => countClients(tenant, queries.teamCredentials(teamId), ctx.requestId),
      );
      return [tenant.environment, counts] as const;
    }),
  ]);
  return teams.map((team) => ({
    ...team,
    members: members.get(team.teamId) ?? 0,
    credentials: Object.fromEntries(
      perTenant.map(([env, counts]) => [env, counts.get(team.teamId) ?? 0]),
    ),
  }));
}

async function countPerTeam<T>(
  teamIds: string[],
  search: (page: number, perPage: number) => Promise<Paged<T>>,
  teamOf: (item: T) => unknown,
  countOne: (teamId: string) => Promise<number>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(teamIds.map((id) => [id, 0]));
  const first = await search(0, BATCH_PAGE);
  const pages = Math.ceil(first.total / BATCH_PAGE);
  // Paging through costs pages-1 more calls, counting per team costs one per team. Users can
  // only be paged through their first 1000 (Auth0's limit), hence the cap.
  if (pages - 1 < teamIds.length && first.total <= 1000) {
    const rest = await Promise.all(
      Array.from({ length: pages - 1 }, (_, i) => search(i + 1, BATCH_PAGE)),
    );
    const items = [first.items, ...rest.map((r) => r.items)].flat();
    for (const item of items) {
      const id = teamOf(item);
      if (typeof id === "string" && counts.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }
  await Promise.all(teamIds.map(async (id) => counts.set(id, await countOne(id))));
  return counts;
}

async function searchClients(
  tenant: Tenant,
  q: string,
  page: number,
  perPage: number,
  requestId: string,
): Promise<Paged<Management.Client>> {
  const result = await tenant.run(
    "search clients",
    (c) =>
      c.clients.list({
        q,
        page,
        per_page: perPage,
        include_totals: true,
        fields: "client_id,client_metadata",
        include_fields: true,
      }),
    { safeToRepeat: true, requestId },
  );
  return { items: result.data, page, perPage, total: result.response.total ?? result.data.length };
}

export async function countClients(tenant: Tenant, q: string, requestId: string) {
  const page = await tenant.run(
    "count clients",
    (c) => c.clients.list({ q, page: 0, per_page: 1, include_totals: true }),
    { safeToRepeat: true, requestId },
  );
  return page.response.total ?? page.data.length;
}

export function listMembers(
  ctx: Ctx,
  teamId: string,
  { page, perPage }: { page: number; perPage: number },
) {
  return searchUsers(
    homeTenant(ctx.portal),
    queries.teamMembers(teamId),
    page,
    perPage,
    ctx.requestId,
  );
}

/**
 * Removes a member from a team (a member may remove anyone in their team, themself included).
 * First ends every invite link of the team (a new invite epoch), so that the removed member
 * cannot rejoin with a link they kept; if that fails, the member is not removed either.
 */
export async function removeMember(ctx: Ctx, teamId: string, userId: string): Promise<void> {
  const tenant = homeTenant(ctx.portal);
  const user = await getUser(tenant, userId, ctx.requestId);
  if (user.teamId !== teamId) throw new PortalError("not_found", "That user is not in this team.");
  await newInviteEpoch(ctx, (await getTeam(ctx, teamId)).recordId);
  await patchAppMetadata(tenant, userId, { teamId: null }, ctx.requestId);
}

/**
 * Admin: deletes a team: its credentials in every tenant, its memberships, then its record last,
 * so that a failure part-way leaves a team an admin can delete again, never a record-less mess.
 */
export async function deleteTeam(
  ctx: Ctx,
  teamId: string,
): Promise<{ credentials: number; members: number }> {
  if (!isAdmin(ctx.actor)) throw new PortalError("forbidden", "Only portal admins delete teams.");
  const team = await getTeam(ctx, teamId);
  let credentials = 0;
  for (const tenant of Object.values(ctx.portal.tenants)) {
    credentials += await drainClients(tenant, queries.teamCredentials(teamId), ctx.requestId);
  }
  const home = homeTenant(ctx.portal);
  let members = 0;
  for (;;) {
    const page = await searchUsers(home, queries.teamMembers(teamId), 0, 50, ctx.requestId);
    if (page.items.length === 0) break;
    for (const user of page.items) {
      await patchAppMetadata(home, user.userId, { teamId: null }, ctx.requestId);
      members++;
    }
  }
  await deleteClientQuietly(home, team.recordId, ctx.requestId, true);
  return { credentials, members };
}

/** Deletes every client matching q, a page at a time (the search shrinks as we delete). */
async function drainClients(tenant: Tenant, q: string, requestId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await tenant.run(
      "find a team's credentials",
      (c) => c.clients.list({ q, page: 0, per_page: 50 }),
      { safeToRepeat: true, requestId },
    );
    const ids = page.data.map((c) => c.client_id).filter((id): id is string => Boolean(id));
    if (ids.length === 0) return deleted;
    for (const id of ids) {
      await deleteClientQuietly(tenant, id, requestId, true);
      deleted++;
    }
  }
}

/** Deletes a client; a 404 means it is already gone. `strict` rethrows other failures. */
export async function deleteClientQuietly(
  tenant: Tenant,
  clientId: string,
  requestId: string,
  strict = false,
): Promise<boolean> {
  try {
    await tenant.run("delete a client", (c) => c.clients.delete(clientId), {
      safeToRepeat: true,
      requestId,
    });
    return true;
  } catch (error) {
    if (error instanceof PortalError && error.code === "not_found") return true;
    if (strict) throw error;
    return false;
  }
}
