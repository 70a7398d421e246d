/**
 * Teams (ADR 0600). A team is a record in the home tenant: a client without grant types whose
 * `client_metadata.astral` is "team"; its client_id is the team id, so reading a team is a
 * consistent `GET /clients/{id}`. Membership lives on users (`app_metadata.teamId`).
 * Lists come from search indexes that lag writes: the team's own recent changes are merged in by
 * consistent re-reads, and nothing is deleted on the word of a search alone.
 */
import { CLIENT_KINDS, CredentialMetadata, type Environment, TeamMetadata } from "@astral/contract";
import { PortalError } from "../errors";
import { deleteClientIf, readClient } from "../management/clients";
import { searchClients } from "../management/clients-search";
import { clientTerms, queries, TEAMS_PER_CREDENTIAL_QUERY } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant, isAdmin, type Portal } from "./context";
import {
  createClientOnce,
  type OwnCreate,
  ownCreates,
  RECORD_PREFIX,
  readOwnCreates,
} from "./create-once";
import { randomId } from "./ids";
import { newInviteEpoch } from "./invite-epoch";
import { checkTeamLimit } from "./limits";
import {
  countUsers,
  getUser,
  type Paged,
  type PortalUser,
  patchAppMetadata,
  readUser,
  searchUsers,
  toPortalUser,
} from "./users";

export interface Team {
  /** The team record's client_id in the home tenant. */
  teamId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  /** Set once an admin started deleting it. */
  deletingSince?: string | undefined;
}

export interface TeamSummary extends Team {
  members?: number;
  credentials?: Partial<Record<Environment, number>>;
}

/** A page read by cursor (client search): no totals, a cursor for the next page. */
export interface CursorPage<T> {
  items: T[];
  next?: string | undefined;
}

interface ClientLike {
  client_id?: string | undefined;
  client_metadata?: Record<string, unknown> | null | undefined;
}

function toTeam(client: ClientLike): Team | undefined {
  const meta = TeamMetadata.safeParse(client.client_metadata ?? {});
  if (!meta.success || !client.client_id) return undefined;
  return {
    teamId: client.client_id,
    name: meta.data.teamName,
    createdBy: meta.data.createdBy,
    createdAt: meta.data.createdAt,
    deletingSince: meta.data.deletingSince,
  };
}

/**
 * A team record changes only when it is being deleted (names are fixed), so a found record is
 * kept for TEAM_CACHE_MS per process: the team page then costs one call less, which keeps it
 * within a Free tenant's burst of 2. Deleting a team forgets it here at once; another portal
 * process may show it up to TEAM_CACHE_MS longer, while its members, removed by the first pass,
 * have already lost access (their team is read from their user record on every request).
 */
const TEAM_CACHE_MS = 30_000;
const teamCache = new WeakMap<Portal, Map<string, { team: Team; at: number }>>();

function cacheOf(portal: Portal) {
  const cache = teamCache.get(portal) ?? new Map<string, { team: Team; at: number }>();
  teamCache.set(portal, cache);
  return cache;
}

/**
 * The team, read consistently (by id); undefined if there is no such team record. A team being
 * deleted counts as gone (nobody joins it or adds to it) unless `includeDeleting`.
 */
export async function findTeam(
  ctx: Ctx,
  teamId: string,
  { includeDeleting = false } = {},
): Promise<Team | undefined> {
  const cache = cacheOf(ctx.portal);
  const now = ctx.portal.now().getTime();
  const cached = cache.get(teamId);
  let team = cached && now - cached.at < TEAM_CACHE_MS ? cached.team : undefined;
  if (!team) {
    const client = await readClient(homeTenant(ctx.portal), teamId, ctx.requestId);
    team = client ? toTeam(client) : undefined;
    if (team) cache.set(teamId, { team, at: now });
    if (cache.size > 1000) cache.delete(cache.keys().next().value as string);
  }
  if (team?.deletingSince && !includeDeleting) return undefined;
  return team;
}

export async function getTeam(ctx: Ctx, teamId: string): Promise<Team> {
  const team = await findTeam(ctx, teamId, { includeDeleting: isAdmin(ctx.actor) });
  if (!team) throw new PortalError("not_found", "This team does not exist (any more).");
  return team;
}

/**
 * Creates a team record. A user without a team who creates one joins it; an admin creating a
 * team from the admin pages does not. At most `limits.teamsPerUserPerDay` team records per user
 * in 24 h (limits.ts), portal admins excepted. Parallel creates of one user (several tabs) join
 * the user to one team and remove the others (`settleTeamCreates`), so they cannot pass it.
 */
export async function createTeam(
  ctx: Ctx,
  input: { name: string; join: boolean; idempotencyKey?: string | undefined },
): Promise<Team> {
  const key = input.idempotencyKey ?? randomId("req", 24);
  // A team id whose record is gone (deleted while the member search lagged) holds nobody.
  if (input.join && ctx.actor.teamId && (await findTeam(ctx, ctx.actor.teamId)))
    throw new PortalError("conflict", "You already belong to a team; leave it first.");
  const tenant = homeTenant(ctx.portal);
  const metadata: TeamMetadata = {
    astral: CLIENT_KINDS.team,
    teamName: input.name,
    createdBy: ctx.actor.userId,
    createdAt: ctx.portal.now().toISOString(),
    requestId: key,
  };
  // Only this caller's own earlier attempt: a key naming someone else's record must not hand
  // over their team (joining it without an invite).
  const isOurs = (c: ClientLike) => isTeamMadeBy(c, ctx.actor.userId, key);
  const { client } = await createClientOnce(ctx, {
    tenant,
    key,
    what: "create a team",
    body: {
      name: `Team: ${input.name}`,
      description: "Astral portal team record. It has no grant types and cannot get tokens.",
      app_type: "non_interactive",
      grant_types: [],
      client_metadata: metadata,
    },
    record: { kind: "team", ...(input.join ? { joins: true as const } : {}) },
    isOurs,
    // Joining is written in the same PATCH as the record of the create (settleTeamCreates).
    ...(input.join ? { alsoRecord: (c) => ({ teamId: c.client_id }) } : {}),
    // Portal admins create teams for others and are not limited (ADR 0700).
    beforeCreate: async (others) => (isAdmin(ctx.actor) ? undefined : checkTeamLimit(ctx, others)),
  });
  const team = toTeam(client);
  if (!team) throw new PortalError("internal", "The team record came back malformed.");
  if (!input.join) return team;
  const now = await readOwnCreates(ctx);
  const current = now.teamId;
  // Only the create whose team the user is in cleans up: the last of parallel creates to join
  // the user re-reads after all the others joined, and finds its own team current.
  if (current === team.teamId) {
    await settleTeamCreates(ctx, now);
    return team;
  }
  // Another create of this user (another tab) joined the user later: that team is theirs.
  const winner = current && now.creates.some((c) => c.joins && c.clientId === current);
  const theirs = winner ? await findTeam(ctx, current) : undefined;
  if (theirs) return theirs;
  // The user left or moved on since this create joined them: replaying its key does not bring
  // them back (a removed member would rejoin without an invite).
  throw new PortalError("conflict", "This request id was already used; reload the page.", {
    requestId: ctx.requestId,
  });
}

const isTeamMadeBy = (c: ClientLike, userId: string, key: string) => {
  const meta = TeamMetadata.safeParse(c.client_metadata ?? {});
  return meta.success && meta.data.createdBy === userId && meta.data.requestId === key;
};

/**
 * Parallel creates of one user (two tabs, different keys) each make a team record and each make
 * the user its member; the last membership write wins. Each such create writes its record
 * (create-once.ts, a top-level `app_metadata` key of its own) in the same PATCH as the
 * membership, and Auth0 merges `app_metadata` at the top level ("the merge only occurs on the
 * first level": `UsersClient.update` in the auth0 SDK's
 * `management/api/resources/users/client/Client.d.ts`;
 * https://auth0.com/docs/api/management/v2/users/patch-users-by-id), so no concurrent write
 * loses a record. A consistent read of the user (GET /users/{id}) therefore shows every such
 * create whose membership was written before it, and the team that won. Each other team lost
 * for good (its one membership write is past, and a replayed key never writes it again): it is
 * deleted once re-read as this user's record of that create with no members and no
 * credentials, and its record forgotten. A lost team someone did use (a member or credential
 * found) is kept and no longer considered. Runs after a joining create that finds its team
 * current, and from the actor lookup when a read shows leftovers (no calls otherwise).
 */
export async function settleTeamCreates(
  ctx: Ctx,
  read: { creates: OwnCreate[]; teamId: string | undefined },
): Promise<void> {
  const losers = lostTeamCreates(read.creates, read.teamId);
  if (losers.length === 0) return;
  const settled: Record<string, unknown> = {};
  try {
    const used = await usedTeams(
      ctx,
      losers.map((l) => l.clientId),
    );
    for (const loser of losers) {
      const deleted = !used.has(loser.clientId) && (await deleteLostTeam(ctx, loser));
      // A kept one still counts towards the user's team limit, but is no longer a loser.
      Object.assign(
        settled,
        deleted ? { [`${RECORD_PREFIX}${loser.key}`]: null } : noLongerJoined([loser]),
      );
    }
  } catch {
    // What is not settled yet is left for the next settle (a parallel create, or the user's
    // next request, reads the records again).
  }
  if (Object.keys(settled).length > 0)
    await patchAppMetadata(homeTenant(ctx.portal), ctx.actor.userId, settled, ctx.requestId).catch(
      () => undefined,
    );
}

/**
 * The records of these joining creates, rewritten as done with (`joins` dropped): written in
 * the same PATCH that takes the user out of the team, so a team they left is never mistaken for
 * one a parallel create left behind. They still count towards the user's team limit.
 */
function noLongerJoined(creates: OwnCreate[]): Record<string, unknown> {
  return Object.fromEntries(
    creates.map(({ key, joins: _joins, ...record }) => [`${RECORD_PREFIX}${key}`, record]),
  );
}

/** The joining creates that lost, if the user's team is one a joining create made (else none). */
export function lostTeamCreates(creates: OwnCreate[], teamId: string | undefined) {
  const joined = creates.flatMap((c) =>
    c.kind === "team" && c.joins && c.clientId ? [{ ...c, clientId: c.clientId }] : [],
  );
  if (!teamId || !joined.some((c) => c.clientId === teamId)) return [];
  return joined.filter((c) => c.clientId !== teamId);
}

/**
 * Lost teams with members (user search) or credentials (client search, each tenant): one search
 * for all of them per index (the admin page's counts), not one per team.
 */
async function usedTeams(ctx: Ctx, teamIds: string[]): Promise<Set<string>> {
  const [members, ...credentials] = await Promise.all([
    countMembers(ctx, homeTenant(ctx.portal), teamIds),
    ...Object.values(ctx.portal.tenants).map((tenant) => countCredentials(ctx, tenant, teamIds)),
  ]);
  return new Set(
    teamIds.filter((id) => [members, ...credentials].some((counts) => (counts.get(id) ?? 0) > 0)),
  );
}

/** Deletes a lost team, re-read by id: this user's record of that create (verified delete). */
async function deleteLostTeam(ctx: Ctx, loser: { clientId: string; key: string }) {
  cacheOf(ctx.portal).delete(loser.clientId);
  const outcome = await deleteClientIf(
    homeTenant(ctx.portal),
    loser.clientId,
    (c) => isTeamMadeBy(c, ctx.actor.userId, loser.key),
    ctx.requestId,
  );
  return outcome !== "not-ours";
}

const isTeamRecord = (c: ClientLike) => toTeam(c) !== undefined;

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
async function countCredentials(ctx: Ctx, tenant: Tenant, teamIds: string[]) {
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
async function countMembers(ctx: Ctx, home: Tenant, teamIds: string[]) {
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
      },
      ...items,
    ];
    total++;
  }
  return { ...result, items: items.slice(0, perPage), total: Math.max(total, items.length) };
}

async function getUserOrUndefined(ctx: Ctx, tenant: Tenant, userId: string) {
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
    { teamId: null, ...noLongerJoined(joined) },
    ctx.requestId,
  );
}

export interface DeleteTeamResult {
  credentials: number;
  members: number;
  /** False while the search indexes may still hold some of the team's things: run it again. */
  complete: boolean;
  /** When running it again can finish (ISO 8601), if not complete. */
  finishAfter?: string | undefined;
}

/** Search pages one delete pass reads, per tenant and for members: its iterations are bounded. */
const DRAIN_PAGES = 10;
const DRAIN_PAGE_SIZE = 50;

/**
 * Admin: deletes a team in passes. The first marks the record (`deletingSince`: no joins, no new
 * credentials). Each pass removes the members and credentials the indexes show, re-reading every
 * one by id and checking its team (and kind) before touching it. The record itself goes only in a
 * pass that runs after the indexes have had `searchLagMs` since the mark to show everything made
 * before it, and finds nothing left within its budget; otherwise the result says when to run it
 * again.
 */
export async function deleteTeam(ctx: Ctx, teamId: string): Promise<DeleteTeamResult> {
  if (!isAdmin(ctx.actor)) throw new PortalError("forbidden", "Only portal admins delete teams.");
  const home = homeTenant(ctx.portal);
  cacheOf(ctx.portal).delete(teamId);
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
    cacheOf(ctx.portal).delete(teamId);
  }
  const members = await drainMembers(ctx, home, teamId);
  let credentials = 0;
  let more = members.more;
  for (const tenant of Object.values(ctx.portal.tenants)) {
    const drained = await drainCredentials(ctx, tenant, teamId);
    credentials += drained.deleted;
    more ||= drained.more;
  }
  const settledAt = Date.parse(since) + ctx.portal.searchLagMs;
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
  cacheOf(ctx.portal).delete(teamId);
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

/** A client is a credential of this team: its metadata says so (kind and team). */
export function isCredentialOf(client: ClientLike, teamId: string): boolean {
  const meta = CredentialMetadata.safeParse(client.client_metadata ?? {});
  return meta.success && meta.data.teamId === teamId;
}
