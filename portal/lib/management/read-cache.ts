/**
 * A process-wide read cache over the Management API, at the transport (the SDK's `fetch`), so
 * that every read the portal makes passes through it without each caller knowing:
 *
 * - Single-flight: concurrent identical GETs (same path and query) share one request.
 * - Per-kind lifetimes (`ReadPolicy`): a 200 answer is served as it is for `freshMs`; after
 *   that, up to `maxAgeMs`, it is still served while one background refresh (the lowest
 *   priority in the tenant's token bucket) reads it again; past `maxAgeMs` the read waits for
 *   the tenant. A record's 404 is kept too (a deleted record stays deleted); other answers
 *   never are. Kinds: a *record* (`/users/{id}`, `/clients/{id}`) and a *list* (searches, …).
 * - Write-through invalidation: a write to a record (`PATCH /users/u1`) drops the cached reads
 *   of that record and every list of its collection (searches included), when sent and when
 *   answered; a write to a collection (`POST /clients`) drops its lists. Other records stay.
 *   Of a team's lists (searches by `teamId`), only the written record's teams' are dropped when
 *   a kept read says which, none when the write names no team (`teamsAWriteTouches`). A read
 *   in flight across such a write is answered but not kept. A write answered with its record
 *   (write-answers.ts) is kept as the read by id of it, unless another write overlapped it.
 * - Records in use are read again before they end (`refreshOldestRecord`, early-refresh.ts),
 *   user records by one search where the plan's lifetimes allow (`cold`), as are user records
 *   missed while the budget is busy (cold-user-reads.ts); counted as old as the search lag.
 * - A fresh read (FRESH_READ) goes to the tenant and its answer replaces the cached one.
 * - Inside `withConsistentRecordReads` (every server action: lib/session.ts `run`), every record
 *   is read from the tenant, once while this process does not write it. A page view may show a
 *   record up to `maxAgeMs` old; a change never rests on one (ADR 0700 states the bounds).
 */

import type { ColdUserReads } from "./cold-user-reads";
import { dueRecords, type EarlyWindow } from "./early-refresh";
import { type Again, type Entry, type ReadCacheStats, resendOf, type Stored } from "./read-entries";
import {
  actionReads,
  BACKGROUND_HEADER,
  DUE_REFRESH,
  freshRead,
  headersOf,
  PREWARM,
  prewarming,
} from "./read-markers";
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
  userIdOf,
} from "./read-scopes";
import { userSearchReads } from "./user-search-reads";
import { recordAnswered, writeAnswers } from "./write-answers";

export type { ReadCacheStats } from "./read-entries";
export {
  BACKGROUND_HEADER,
  DUE_REFRESH,
  FRESH_READ,
  FRESH_READ_HEADER,
  MAY_BE_OLD,
  readsAreConsistent,
  withConsistentRecordReads,
} from "./read-markers";

/** A user search that answers full records (`GET /users?q=…` without `fields`). */
const fullUserSearch = (url: string) => {
  const { pathname, searchParams } = new URL(url);
  return (
    /^\/api\/v2\/users$/.test(pathname) && searchParams.has("q") && !searchParams.has("fields")
  );
};

export function cachingFetch(
  transport: typeof fetch,
  {
    policy = DEFAULT_READ_POLICY,
    now = () => Date.now(),
    cold: coldReads,
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
  refreshOldestRecord: (within: EarlyWindow) => boolean;
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
   * Sends a read (`again.resend`, with `extra` headers); keeps a 200 unless its scope was written
   * to meanwhile. A background refresh keeps the entry's last use; any other read is a use.
   */
  const send = (
    url: string,
    where: { scope: string; kind: ReadKind },
    { resend, asked }: Again,
    extra: Record<string, string> = {},
  ) => {
    const startedAt = generation(where.scope);
    const mark = extra[BACKGROUND_HEADER];
    const unused = mark === PREWARM ? Number.NEGATIVE_INFINITY : now();
    const usedAt = mark === undefined ? now() : (entries.get(url)?.usedAt ?? unused);
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
      keep(url, where, { ...entry, usedAt, resend, asked }, startedAt);
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
      const alone = generation(where.scope) + 1; // after this write's answer, if nobody else's
      let response: Response;
      try {
        response = await transport(input, init);
      } finally {
        invalidate(scopes, teams);
      }
      const answered = recordAnswered(method, new URL(url).pathname);
      if (!answered || (response.status !== 200 && response.status !== 201)) return response;
      const text = await response.text();
      // Kept only if no other write to the record overlapped this one (a create's is new).
      if (answered.id === undefined || generation(where.scope) === alone)
        answers.keep(url, answered, text, headersOf(input, init));
      return new Response(text, response);
    }
    if (where.kind === "record") answers.noteRead(where.collection, new URL(url).search);
    // The request as the SDK made it, without the marker header: what a refresh sends again.
    const asked = headersOf(input, fresh.init);
    const again = { resend: resendOf(transport, input, asked, fresh.init), asked };
    if (prewarming()) {
      // Ahead of page views: what is kept or on its way already is left as it is.
      const kept = entries.get(url);
      if (kept) return replay(kept);
      const pending = inFlight.get(url)?.pending;
      if (pending) return answer(await pending);
      const startedAt = new Map(generations);
      const askedAt = now();
      const result = await send(url, where, again, { [BACKGROUND_HEADER]: PREWARM });
      // The users a member or admin list found are the people about to view: their records too.
      if (cold && !(result instanceof Response) && fullUserSearch(url))
        bySearch.keepFound(url, result.body, askedAt, again.asked, (s) => startedAt.get(s) ?? 0);
      return answer(result);
    }
    const mine = actionReads();
    if (fresh.fresh || (where.kind === "record" && mine && !fresh.mayBeOld)) {
      // A server action reads a record once while this process does not write it: its view.
      const own = fresh.fresh ? undefined : mine?.get(url);
      if (own && own.generation === generation(where.scope)) return replay(own.answer);
      const startedAt = generation(where.scope);
      const result = await send(url, where, again);
      if (mine && !(result instanceof Response) && generation(where.scope) === startedAt)
        mine.set(url, { answer: result, generation: startedAt });
      return answer(result);
    }
    const entry = entries.get(url);
    const age = entry ? now() - entry.at : Number.POSITIVE_INFINITY;
    const overdue = entry?.kind === "list" && (entry.dropped || age >= lifetime.maxAgeMs);
    // Page views only: a server action's counts assume maxAgeMs.
    const fallback = overdue && age < LIST_STALE_IF_BUSY_MS && !mine;
    if (entry && ((!entry.dropped && age < lifetime.maxAgeMs) || (fallback && busy()))) {
      stats.hits++;
      entry.usedAt = now();
      if (age >= lifetime.freshMs || entry.dropped) {
        stats.stale++;
        // A failed or refused refresh leaves the entry as it is, until maxAgeMs. One overdue
        // goes with page views' reads: in the background it could wait out a busy budget.
        if (!inFlight.has(url)) refresh(url, entry, overdue ? null : "1");
      }
      return replay(entry);
    }
    // A list a page view waits for that the bucket refuses (a refresh it shared waited longest)
    // or the network loses: the kept one, as if the budget had been busy when it asked.
    const orKept = (read: Promise<Entry | Response>) =>
      fallback && entry ? read.catch(() => replay(entry)) : read;
    const pending = inFlight.get(url);
    if (pending) {
      stats.shared++;
      return answer(await orKept(pending.pending));
    }
    stats.misses++;
    const userId = where.kind === "record" ? userIdOf(url) : undefined;
    if (userId !== undefined && cold && busy())
      return answer(await bySearch.sendCold(url, where, again, userId, cold, send));
    return answer(await orKept(send(url, where, again)));
  };

  /** Writes' answers kept as the reads by id of their records (write-answers.ts). */
  const answers = writeAnswers({ transport, now, keep, generation });

  /**
   * User record reads by search (cold-user-reads.ts), where they are worth it: a record found so
   * counts as `searchLagMs` old, so enough of its lifetime must be left (Free's 2-minute
   * records, not the 1-minute ones of the 16/s plans).
   */
  const cold = policy.record.maxAgeMs - searchLagMs >= COLD_MIN_USE_MS ? coldReads : undefined;

  /** User records read by search: cold (a busy budget) and early (user-search-reads.ts). */
  const bySearch = userSearchReads({
    transport,
    now,
    searchLagMs,
    entries,
    keep,
    generation,
    track,
  });

  /** Reads a kept answer again: in the background, ahead of views (DUE_REFRESH), or as one. */
  const refresh = (url: string, entry: Stored, mark: string | null = "1") => {
    send(url, entry, entry, mark === null ? {} : { [BACKGROUND_HEADER]: mark }).catch(() => {});
  };

  /**
   * Reads again, in the background, the kept records used in the last `activeMs` that are due:
   * user records by one search where that is worth it (`cold`), once a search would give one
   * of them a quarter of its lifetime back, up to MAX_IDS of them (fifty users' actor records
   * cost one call every half minute instead of fifty); otherwise the record nearest its
   * `maxAgeMs` among those at least `minAgeMs` old, by id. False when none is due. The tenant
   * calls it while its rate budget has room (early-refresh.ts), so that records read at the same
   * moment (fifty users signing in at nine) are read again spread over their lifetime, in the
   * budget's idle moments, instead of all at once when it ends. With `dueInMs` (the budget is
   * busy), only records that end within it, ahead of page views (DUE_REFRESH).
   */
  const refreshOldestRecord = ({ minAgeMs, activeMs, dueInMs }: EarlyWindow) => {
    const at = now();
    const floor = dueInMs === undefined ? 0 : policy.record.maxAgeMs - dueInMs;
    const mark = dueInMs === undefined ? "1" : DUE_REFRESH;
    const inUse = [...entries].filter(
      ([url, e]) => e.kind === "record" && !inFlight.has(url) && at - e.usedAt <= activeMs,
    );
    const { users, oldest } = dueRecords(inUse, {
      at,
      minAgeMs: Math.max(minAgeMs, floor),
      searchAgeMs: Math.max(searchLagMs + policy.record.maxAgeMs / 4, floor),
      alongAgeMs: searchLagMs + policy.record.maxAgeMs / 8,
      bySearch: (url) => cold !== undefined && userIdOf(url) !== undefined,
      searching: bySearch.searching(),
    });
    if (users.length > 1) {
      stats.early += users.length;
      bySearch.refreshUsers(users, at, mark, refresh);
      return true;
    }
    if (!oldest) return false;
    stats.early++;
    refresh(...oldest, mark);
    return true;
  };
  return { fetch: cached, stats, clear: () => entries.clear(), refreshOldestRecord };
}
