/**
 * A process-wide read cache over the Management API, at the transport (the SDK's `fetch`), so
 * that every read the portal makes passes through it without each caller knowing:
 *
 * - Single-flight: concurrent identical GETs (same path and query) share one request.
 * - Per-kind lifetimes (`ReadPolicy`): a 200 answer is served as it is for `freshMs`; after
 *   that, up to `maxAgeMs`, it is still served while one background refresh (the lowest
 *   priority in the tenant's token bucket) reads it again; past `maxAgeMs` the read waits for
 *   the tenant. Other answers are never kept. Kinds: a *record* (`/users/{id}`,
 *   `/clients/{id}`: the actor, a team) and a *list* (searches, counts, grants).
 * - Write-through invalidation: a write to a record (`PATCH /users/u1`) drops the cached reads
 *   of that record and every list of its collection (searches included), the moment it is sent
 *   and again when it is answered; a write to a collection (`POST /clients`) drops its lists.
 *   Other records stay: fifty users' actor reads survive one user's create. Of a team's lists
 *   (searches by `teamId`), only those of the teams the written record had or gets are dropped
 *   when a kept read of it says which (`teamsAWriteTouches`): one team's credential write keeps
 *   the other teams' lists. A read in flight across such a write is answered but not kept.
 * - A fresh read (FRESH_READ) goes to the tenant and its answer replaces the cached one.
 * - Inside `withConsistentRecordReads` (every server action: lib/session.ts `run`), every record
 *   read is fresh. A page view may show a record up to `maxAgeMs` old; a change never rests on
 *   one: ADR 0600 decides on records read by id because they are consistent, and the actor of a
 *   mutation (their team, rights, block, logout) is read as the tenant has it now.
 *
 * The bound this gives: a change made elsewhere (another portal task behind the ALB, Auth0's
 * dashboard, a script) shows here at most `maxAgeMs` later, on top of Auth0's own search lag
 * for lists (ADR 0600: 60 s assumed, not published). A removed member or admin loses access at
 * once through the task that removed them and within the record's `maxAgeMs` through any other.
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** What a cached read is: a record read by id (consistent) or a list (search, count). */
export type ReadKind = "record" | "list";

/** How long a cached answer is served as is, and the most it may ever be served at. */
export interface ReadPolicy {
  freshMs: number;
  maxAgeMs: number;
}

/**
 * Sized to Free's 2 requests/s for 50 users (ADR 0600 "Rate budget"): each user's actor record
 * is read at most every 50 s (≈ 1 call/s for 50 users), lists every 30 s. Revocation bound
 * across tasks: 60 s, the same as the search lag the lists already carry.
 */
export const DEFAULT_READ_POLICY: Record<ReadKind, ReadPolicy> = {
  record: { freshMs: 50_000, maxAgeMs: 60_000 },
  list: { freshMs: 30_000, maxAgeMs: 60_000 },
};

/** One lifetime for every kind, without background refresh (tests); 0 turns the cache off. */
export function uniformPolicy(ttlMs: number): Record<ReadKind, ReadPolicy> {
  const policy = { freshMs: ttlMs, maxAgeMs: ttlMs };
  return { record: policy, list: policy };
}

/**
 * A request header that asks for a read of the record itself, past the cache: limit counts and
 * an invite issuer's re-check must see what another portal task wrote a moment ago (ADR 0700).
 * It is taken off before the request leaves the process.
 */
export const FRESH_READ_HEADER = "x-astral-fresh-read";

/** Request options for the SDK that make one read bypass the cache (see FRESH_READ_HEADER). */
export const FRESH_READ = { headers: { [FRESH_READ_HEADER]: "1" } } as const;

/**
 * Marks the cache's own background refreshes for the tenant's token bucket (token-bucket.ts),
 * which serves them after everything a user waits for; taken off before the request leaves.
 */
export const BACKGROUND_HEADER = "x-astral-background";

type FetchInit = Parameters<typeof fetch>[1];

const consistentRecords = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with every record read it makes (`GET /users/{id}`, `GET /clients/{id}`, in any
 * tenant) sent to the tenant, as FRESH_READ does, however recent the cached answer: for work
 * that changes something (see the file comment). Lists keep their lifetimes: no decision rests
 * on a list alone, and those that gate one ask for FRESH_READ themselves.
 */
export function withConsistentRecordReads<T>(fn: () => Promise<T>): Promise<T> {
  return consistentRecords.run(true, fn);
}

/** Whether the code running now reads records past the cache (inside withConsistentRecordReads). */
export function readsAreConsistent(): boolean {
  return consistentRecords.getStore() === true;
}

function headersOf(input: Parameters<typeof fetch>[0], init: FetchInit): Headers {
  return new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
}

/** Whether the request asks to bypass the cache; if so, the init without the marker header. */
function freshRead(
  input: Parameters<typeof fetch>[0],
  init: FetchInit,
): { fresh: boolean; init: FetchInit } {
  const headers = headersOf(input, init);
  if (!headers.has(FRESH_READ_HEADER)) return { fresh: false, init };
  headers.delete(FRESH_READ_HEADER);
  return { fresh: true, init: { ...init, headers } };
}

/** Collections whose writes also change what another collection's lists return. */
const ALSO_INVALIDATES: Record<string, string[]> = {
  users: ["users-by-email"],
  clients: ["client-grants"],
};

interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  at: number;
}

export interface ReadCacheStats {
  hits: number;
  /** Hits past `freshMs` that started (or joined) a background refresh. */
  stale: number;
  shared: number;
  misses: number;
}

/**
 * The scope a Management API path belongs to: `users/u1` for a record (and what lies under
 * it), `users` for the collection's lists; undefined outside the Management API.
 */
function scopeOf(
  pathname: string,
): { scope: string; collection: string; kind: ReadKind } | undefined {
  const match = /^\/api\/v2\/([^/?]+)(?:\/([^/?]+))?/.exec(pathname);
  if (!match) return undefined;
  const [, collection, id] = match as unknown as [string, string, string | undefined];
  if (id === undefined || id === "search") return { scope: collection, collection, kind: "list" };
  return { scope: `${collection}/${id}`, collection, kind: "record" };
}

/**
 * `app_metadata.teamId` (a user) or `client_metadata.teamId` (a credential) of a record or a
 * write's body: the id, null when the field is there without a string (a member removed),
 * undefined when the field is absent.
 */
function teamIdOf(doc: unknown): string | null | undefined {
  for (const field of ["app_metadata", "client_metadata"]) {
    const metadata = (doc as Record<string, unknown> | null)?.[field] as
      | Record<string, unknown>
      | null
      | undefined;
    if (metadata && "teamId" in metadata)
      return typeof metadata.teamId === "string" ? metadata.teamId : null;
  }
  return undefined;
}

function parsed(text: string): { doc: unknown } | undefined {
  try {
    return { doc: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The teams whose lists a write can change: the record's team before it (`kept`: from a kept
 * read of the record; null for none) and after it (the body's, else unchanged), as a search by
 * `teamId` finds a record only in the team it has. Undefined, so every list is dropped, when
 * the team before is not known (no kept read of the record) or the body cannot be read.
 */
function teamsAWriteTouches(
  method: string,
  kind: ReadKind,
  body: unknown,
  kept: string | null | undefined,
): string[] | undefined {
  const before = method === "POST" && kind === "list" ? null : kept;
  if (before === undefined) return undefined;
  let after = before;
  if (body != null) {
    const sent = typeof body === "string" ? parsed(body) : undefined;
    if (!sent) return undefined;
    const team = teamIdOf(sent.doc);
    if (team !== undefined) after = team;
  }
  return [before, after].filter((t): t is string => typeof t === "string");
}

/** Whether `url` is a search filtered on `teamId` that names none of `teams`. */
function otherTeamsList(url: string, teams: string[]): boolean {
  const q = new URL(url).searchParams.get("q") ?? "";
  return q.includes("teamId:") && !teams.some((team) => q.includes(`"${team}"`));
}

export function cachingFetch(
  transport: typeof fetch,
  {
    policy = DEFAULT_READ_POLICY,
    now = () => Date.now(),
  }: { policy?: Record<ReadKind, ReadPolicy>; now?: () => number } = {},
): { fetch: typeof fetch; stats: ReadCacheStats; clear: () => void } {
  const entries = new Map<string, Entry & { scope: string }>();
  const inFlight = new Map<string, { pending: Promise<Entry | Response>; scope: string }>();
  const generations = new Map<string, number>();
  const stats: ReadCacheStats = { hits: 0, stale: 0, shared: 0, misses: 0 };
  const generation = (scope: string) => generations.get(scope) ?? 0;

  /**
   * Drops the reads a write can change: of `scopes`, except a team's list (a search filtered
   * on `teamId`) when `teams` names the only teams the write can move anything in or out of.
   */
  const invalidate = (scopes: string[], teams: string[] | undefined) => {
    const drops = (key: string, scope: string) =>
      scopes.includes(scope) && (teams === undefined || !otherTeamsList(key, teams));
    for (const scope of scopes) generations.set(scope, generation(scope) + 1);
    for (const [key, entry] of entries) if (drops(key, entry.scope)) entries.delete(key);
    // A read sent before the write is not shared with one asked for after it.
    for (const [key, read] of inFlight) if (drops(key, read.scope)) inFlight.delete(key);
  };
  /** The `teamId` of a kept read of a record: null when it has none, undefined when none kept. */
  const keptTeam = (scope: string): string | null | undefined => {
    for (const entry of entries.values()) {
      if (entry.scope !== scope) continue;
      const record = parsed(new TextDecoder().decode(entry.body));
      return record ? (teamIdOf(record.doc) ?? null) : undefined;
    }
    return undefined;
  };
  const writeScopes = ({ scope, collection }: { scope: string; collection: string }) => [
    ...new Set([scope, collection, ...(ALSO_INVALIDATES[collection] ?? [])]),
  ];

  const replay = (entry: Entry) =>
    new Response(entry.body.slice(0), {
      status: entry.status,
      statusText: entry.statusText,
      headers: entry.headers,
    });
  const answer = (result: Entry | Response) =>
    result instanceof Response ? result.clone() : replay(result);

  /** Sends a read; keeps a 200 unless its scope was written to meanwhile. */
  const send = (url: string, scope: string, request: () => Promise<Response>) => {
    const startedAt = generation(scope);
    const pending = (async (): Promise<Entry | Response> => {
      const response = await request();
      if (response.status !== 200) return response;
      const entry: Entry = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: await response.arrayBuffer(),
        at: now(),
      };
      // A write while it was in flight: the answer may predate it, so it is not kept.
      if (generation(scope) === startedAt) entries.set(url, { ...entry, scope });
      return entry;
    })();
    inFlight.set(url, { pending, scope });
    const forget = () => {
      if (inFlight.get(url)?.pending === pending) inFlight.delete(url);
    };
    pending.then(forget, forget);
    return pending;
  };

  const cached: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const where = scopeOf(new URL(url).pathname);
    const fresh = freshRead(input, init);
    const lifetime = where && policy[where.kind];
    if (!where || !lifetime || lifetime.maxAgeMs <= 0) return transport(input, fresh.init);
    if (method !== "GET") {
      const scopes = writeScopes(where);
      // A Request's body is a stream this cannot read without using it up: not known, then.
      const body = input instanceof Request ? input : init?.body;
      const teams = teamsAWriteTouches(method, where.kind, body, keptTeam(where.scope));
      invalidate(scopes, teams);
      try {
        return await transport(input, init);
      } finally {
        invalidate(scopes, teams);
      }
    }
    if (fresh.fresh || (where.kind === "record" && readsAreConsistent()))
      return answer(await send(url, where.scope, () => transport(input, fresh.init)));
    const entry = entries.get(url);
    const age = entry ? now() - entry.at : Number.POSITIVE_INFINITY;
    if (entry && age < lifetime.maxAgeMs) {
      stats.hits++;
      if (age >= lifetime.freshMs) {
        stats.stale++;
        if (!inFlight.has(url)) {
          const headers = headersOf(input, init);
          headers.set(BACKGROUND_HEADER, "1");
          // A failed or refused refresh leaves the entry as it is, until maxAgeMs.
          send(url, where.scope, () => transport(input, { ...init, headers })).catch(() => {});
        }
      }
      return replay(entry);
    }
    const pending = inFlight.get(url);
    if (pending) {
      stats.shared++;
      return answer(await pending.pending);
    }
    stats.misses++;
    return answer(await send(url, where.scope, () => transport(input, init)));
  };
  return { fetch: cached, stats, clear: () => entries.clear() };
}
