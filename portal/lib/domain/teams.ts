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
import { type Ctx, homeTenant, isAdmin, type Portal } from "./context";
import { createClientOnce, type OwnCreate, RECORD_PREFIX, readOwnCreates } from "./create-once";
import { randomId } from "./ids";
import { checkTeamLimit } from "./limits";
import { countCredentials, countMembers } from "./team-lists";
import { patchAppMetadata } from "./users";

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

export function toTeam(client: ClientLike): Team | undefined {
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

/** Forgets a team this process cached (its record changed or is gone). */
export function forgetTeam(portal: Portal, teamId: string): void {
  cacheOf(portal).delete(teamId);
}

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
export function noLongerJoined(creates: OwnCreate[]): Record<string, unknown> {
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

export const isTeamRecord = (c: ClientLike) => toTeam(c) !== undefined;

/** A client is a credential of this team: its metadata says so (kind and team). */
export function isCredentialOf(client: ClientLike, teamId: string): boolean {
  const meta = CredentialMetadata.safeParse(client.client_metadata ?? {});
  return meta.success && meta.data.teamId === teamId;
}
