/**
 * A process-wide read cache over the Management API, at the transport (the SDK's `fetch`), so
 * that every read the portal makes passes through it without each caller knowing:
 *
 * - Single-flight: concurrent identical GETs (same path and query) share one request.
 * - Per-kind lifetimes (`ReadPolicy`): a 200 answer is served as it is for `freshMs`; after
 *   that, up to `maxAgeMs`, it is still served while one background refresh (the lowest
 *   priority in the tenant's token bucket) reads it again; past `maxAgeMs` the read waits for
 *   the tenant. A record's 404 is kept too (a deleted record stays deleted: Auth0 never
 *   reuses an id; a revoked credential is re-read on each view of its team's page while it is
 *   "recent"); other answers are never kept. Kinds: a *record* (`/users/{id}`,
 *   `/clients/{id}`: the actor, a team) and a *list* (searches, counts, grants).
 * - Write-through invalidation: a write to a record (`PATCH /users/u1`) drops the cached reads
 *   of that record and every list of its collection (searches included), the moment it is sent
 *   and again when it is answered; a write to a collection (`POST /clients`) drops its lists.
 *   Other records stay: fifty users' actor reads survive one user's create. Of a team's lists
 *   (searches by `teamId`), only those of the teams the written record had or gets are dropped
 *   when a kept read of it says which, and none when the write names no team
 *   (`teamsAWriteTouches`): one team's credential write keeps the other teams' lists, and a
 *   user's create record keeps their team's member list. A read in flight across such a write is answered but not kept.
 * - Records in use are read again early while the tenant's budget has room
 *   (`refreshOldestRecord`, early-refresh.ts), so that records read together do not expire
 *   together; user records missed while the budget is busy are read by one search (`cold`,
 *   cold-user-reads.ts) and counted as old as the assumed search lag.
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

import type { ColdUserReads } from "./cold-user-reads";
import { BACKGROUND_HEADER, freshRead, headersOf, readsAreConsistent } from "./read-markers";
import {
  COLD_MIN_USE_MS,
  DEFAULT_READ_POLICY,
  LIST_STALE_IF_BUSY_MS,
  type ReadKind,
  type ReadPolicy,
} from "./read-policy";
import {
  ALSO_INVALIDATES,
  otherTeamsList,
  parsed,
  scopeOf,
  teamIdOf,
  teamsAWriteTouches,
} from "./read-scopes";

export {
  BACKGROUND_HEADER,
  FRESH_READ,
  FRESH_READ_HEADER,
  readsAreConsistent,
  withConsistentRecordReads,
} from "./read-markers";

interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  at: number;
}

/** A kept answer, with what `refreshOldestRecord` needs: its kind, last use and how to resend it. */
interface Stored extends Entry {
  scope: string;
  kind: ReadKind;
  /** A list a write may have changed: served only as LIST_STALE_IF_BUSY_MS allows. */
  dropped?: boolean;
  usedAt: number;
  /** Sends the read again as the SDK made it, with `extra` headers. */
  resend: (extra: Record<string, string>) => Promise<Response>;
}

export interface ReadCacheStats {
  hits: number;
  /** Hits past `freshMs` that started (or joined) a background refresh. */
  stale: number;
  /** Records read again early, while the tenant's budget had room (`refreshOldestRecord`). */
  early: number;
  shared: number;
  misses: number;
}

export function cachingFetch(
  transport: typeof fetch,
  {
    policy = DEFAULT_READ_POLICY,
    now = () => Date.now(),
    cold,
    busy = () => false,
    searchLagMs = 0,
  }: {
    policy?: Record<ReadKind, ReadPolicy>;
    now?: () => number;
    /**
     * Cold user-record reads as one search while the tenant's budget is `busy`
     * (cold-user-reads.ts); such a record counts as `searchLagMs` old.
     */
    cold?: ColdUserReads;
    /** Whether a read now would wait for the tenant's budget (the token bucket). */
    busy?: () => boolean;
    /**
     * The search lag the portal assumes: a list read this soon after a write that dropped it may
     * not show the write yet, so it is kept only until then (`catchingUp`); and how old a record
     * found by a `cold` search counts.
     */
    searchLagMs?: number;
  } = {},
): {
  fetch: typeof fetch;
  stats: ReadCacheStats;
  clear: () => void;
  refreshOldestRecord: (within: { minAgeMs: number; activeMs: number }) => boolean;
} {
  const entries = new Map<string, Stored>();
  const inFlight = new Map<string, { pending: Promise<Entry | Response>; scope: string }>();
  const generations = new Map<string, number>();
  const stats: ReadCacheStats = { hits: 0, stale: 0, early: 0, shared: 0, misses: 0 };
  const generation = (scope: string) => generations.get(scope) ?? 0;

  /** Lists that writes dropped, until the index may have caught up with them. */
  let catchingUp: Array<{ drops: (key: string, scope: string) => boolean; until: number }> = [];
  /**
   * Drops the reads a write can change: of `scopes`, except a team's list (a search filtered
   * on `teamId`) when `teams` names the only teams the write can move anything in or out of.
   */
  const invalidate = (scopes: string[], teams: string[] | undefined) => {
    const drops = (key: string, scope: string) =>
      scopes.includes(scope) && (teams === undefined || !otherTeamsList(key, teams));
    const at = now();
    catchingUp = catchingUp.filter((c) => c.until > at);
    if (searchLagMs > 0) catchingUp.push({ drops, until: at + searchLagMs });
    for (const scope of scopes) generations.set(scope, generation(scope) + 1);
    for (const [key, entry] of entries) {
      if (!drops(key, entry.scope)) continue;
      // A list stays as a fallback for a busy budget (LIST_STALE_IF_BUSY_MS); a record goes.
      if (entry.kind === "list") entry.dropped = true;
      else entries.delete(key);
    }
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

  /**
   * Sends a read (`resend`, with `extra` headers); keeps a 200 unless its scope was written to
   * meanwhile. A background refresh keeps the entry's last use; any other read is a use.
   */
  const send = (
    url: string,
    where: { scope: string; kind: ReadKind },
    resend: Stored["resend"],
    extra: Record<string, string> = {},
  ) => {
    const startedAt = generation(where.scope);
    const usedAt = BACKGROUND_HEADER in extra ? (entries.get(url)?.usedAt ?? now()) : now();
    return track(url, where.scope, async () => {
      const response = await resend(extra);
      if (response.status !== 200 && !(response.status === 404 && where.kind === "record"))
        return response;
      const entry: Entry = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: await response.arrayBuffer(),
        at: now(),
      };
      keep(url, where, { ...entry, usedAt, resend }, startedAt);
      return entry;
    });
  };

  /** Runs a read as the one in flight for `url`, which later identical reads share. */
  const track = (url: string, scope: string, read: () => Promise<Entry | Response>) => {
    const pending = read();
    inFlight.set(url, { pending, scope });
    const forget = () => {
      if (inFlight.get(url)?.pending === pending) inFlight.delete(url);
    };
    pending.then(forget, forget);
    return pending;
  };

  /**
   * Keeps an answer, unless its scope was written to since the read began (`startedAt`): the
   * answer may predate the write. A list read while the index may still lack a write that
   * dropped it expires when the index may have it (`catchingUp`).
   */
  const keep = (
    url: string,
    where: { scope: string; kind: ReadKind },
    entry: Omit<Stored, "scope" | "kind">,
    startedAt: number,
  ) => {
    if (where.kind === "list") {
      const caughtUp = catchingUp.filter((c) => c.drops(url, where.scope)).map((c) => c.until);
      const until = Math.max(0, ...caughtUp);
      if (until > entry.at) entry.at = Math.min(entry.at, until - policy.list.maxAgeMs);
    }
    if (generation(where.scope) === startedAt)
      entries.set(url, { ...entry, scope: where.scope, kind: where.kind });
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
    // The request as the SDK made it, without the marker header: what a refresh sends again.
    const resend: Stored["resend"] = (extra) => {
      const headers = headersOf(input, fresh.init);
      for (const [name, value] of Object.entries(extra)) headers.set(name, value);
      return transport(input, { ...fresh.init, headers });
    };
    if (fresh.fresh || (where.kind === "record" && readsAreConsistent()))
      return answer(await send(url, where, resend));
    const entry = entries.get(url);
    const age = entry ? now() - entry.at : Number.POSITIVE_INFINITY;
    const staleList =
      entry?.kind === "list" &&
      (entry.dropped || age >= lifetime.maxAgeMs) &&
      age < LIST_STALE_IF_BUSY_MS &&
      !readsAreConsistent() && // page views only: a server action's counts assume maxAgeMs
      busy();
    if (entry && ((!entry.dropped && age < lifetime.maxAgeMs) || staleList)) {
      stats.hits++;
      entry.usedAt = now();
      if (age >= lifetime.freshMs || entry.dropped) {
        stats.stale++;
        // A failed or refused refresh leaves the entry as it is, until maxAgeMs.
        if (!inFlight.has(url)) refresh(url, entry);
      }
      return replay(entry);
    }
    const pending = inFlight.get(url);
    if (pending) {
      stats.shared++;
      return answer(await pending.pending);
    }
    stats.misses++;
    const userId = coldUserId(url, where.kind, lifetime);
    if (userId !== undefined)
      return answer(await sendCold(url, where, userId, resend, headersOf(input, fresh.init)));
    return answer(await send(url, where, resend));
  };

  /** The user of a record miss worth reading by search now (see `cold`); else undefined. */
  const coldUserId = (url: string, kind: ReadKind, lifetime: ReadPolicy) => {
    if (!cold || kind !== "record" || lifetime.maxAgeMs - searchLagMs < COLD_MIN_USE_MS) return;
    const match = /^\/api\/v2\/users\/([^/]+)$/.exec(new URL(url).pathname);
    return match && busy() ? decodeURIComponent(match[1] as string) : undefined;
  };

  /** A user record read through a batched search; read by id when the search lacks it. */
  const sendCold = (
    url: string,
    where: { scope: string; kind: ReadKind },
    userId: string,
    resend: Stored["resend"],
    requestHeaders: Headers,
  ) => {
    const reads = cold as ColdUserReads;
    const startedAt = generation(where.scope);
    const apiBase = url.slice(0, url.indexOf("/api/v2/") + "/api/v2".length);
    return track(url, where.scope, async () => {
      const record = await reads.read(apiBase, userId, requestHeaders);
      if (record === undefined) return send(url, where, resend);
      const entry: Entry = {
        status: 200,
        statusText: "OK",
        headers: [["content-type", "application/json; charset=utf-8"]],
        body: new TextEncoder().encode(record).buffer as ArrayBuffer,
        // As old as the search may be behind: served only for the rest of the lifetime.
        at: now() - searchLagMs,
      };
      keep(url, where, { ...entry, usedAt: now(), resend }, startedAt);
      return entry;
    });
  };

  /** Reads a kept answer again in the background (the lowest priority of the tenant's bucket). */
  const refresh = (url: string, entry: Stored) => {
    send(url, entry, entry.resend, { [BACKGROUND_HEADER]: "1" }).catch(() => {});
  };

  /**
   * Reads again, in the background, the kept record (a `/users/{id}`, `/clients/{id}`) nearest
   * its `maxAgeMs` among those used in the last `activeMs` and at least `minAgeMs` old; false
   * when there is none. The tenant calls it while its rate budget has room (early-refresh.ts),
   * so that records read at the same moment (fifty users signing in at nine) are read again
   * spread over their lifetime, in the budget's idle moments, instead of all at once when it
   * ends.
   */
  const refreshOldestRecord = ({ minAgeMs, activeMs }: { minAgeMs: number; activeMs: number }) => {
    const at = now();
    let oldest: [string, Stored] | undefined;
    for (const [url, entry] of entries) {
      if (entry.kind !== "record" || inFlight.has(url)) continue;
      if (at - entry.at < minAgeMs || at - entry.usedAt > activeMs) continue;
      if (!oldest || entry.at < oldest[1].at) oldest = [url, entry];
    }
    if (!oldest) return false;
    stats.early++;
    refresh(...oldest);
    return true;
  };
  return { fetch: cached, stats, clear: () => entries.clear(), refreshOldestRecord };
}
