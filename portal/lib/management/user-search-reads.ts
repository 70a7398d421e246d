/**
 * The read cache's user records read by search instead of by id (read-cache.ts): one search for
 * many users' records, where a busy budget would otherwise spend a call on each
 * (cold-user-reads.ts), and the early refresh of many records in use at once (early-refresh.ts).
 * A record found by search counts as read `searchLagMs` ago (the index's lag), and never
 * replaces one kept that is as new (a read by id meanwhile).
 */
import { type ColdUserReads, searchUsersById } from "./cold-user-reads";
import { type Again, type Entry, recordEntry, resendOf, type Stored } from "./read-entries";
import { BACKGROUND_HEADER } from "./read-markers";
import type { ReadKind } from "./read-policy";
import { apiBaseOf, scopeOf, userIdOf } from "./read-scopes";

type Where = { scope: string; kind: ReadKind };
/** The read cache's own read by id of `url` (read-cache.ts `send`). */
type SendById = (url: string, where: Where, again: Again) => Promise<Entry | Response>;

/** `cache`: the read cache's own parts these reads keep their answers with (read-cache.ts). */
export function userSearchReads(cache: {
  transport: typeof fetch;
  now: () => number;
  searchLagMs: number;
  entries: Map<string, Stored>;
  keep: (url: string, where: Where, entry: Omit<Stored, "scope" | "kind">, at: number) => void;
  generation: (scope: string) => number;
  track: (
    url: string,
    scope: string,
    read: () => Promise<Entry | Response>,
  ) => Promise<Entry | Response>;
}) {
  /** A user record a search found, as an answer read `searchLagMs` (the index's lag) ago. */
  const searched = (record: string, askedAt: number) =>
    recordEntry(record, askedAt - cache.searchLagMs);
  /** Keeps a searched record, unless what is kept is as new (a read by id meanwhile). */
  const keepSearched = (url: string, entry: Stored, startedAt: number) => {
    if ((cache.entries.get(url)?.at ?? Number.NEGATIVE_INFINITY) < entry.at)
      cache.keep(url, entry, entry, startedAt);
  };
  let searching = false;

  return {
    /** Whether an early refresh by search is under way (one at a time). */
    searching: () => searching,

    /** A user record read through a batched search; read by id when the search lacks it. */
    sendCold(
      url: string,
      where: Where,
      again: Again,
      userId: string,
      reads: ColdUserReads,
      byId: SendById,
    ) {
      const startedAt = cache.generation(where.scope);
      const askedAt = cache.now();
      return cache.track(url, where.scope, async () => {
        const record = await reads.read(apiBaseOf(url), userId, again.asked);
        if (record === undefined) return byId(url, where, again);
        const entry = searched(record, askedAt);
        keepSearched(url, { ...entry, ...where, usedAt: cache.now(), ...again }, startedAt);
        return entry;
      });
    },

    /**
     * Keeps each user a user search found (`body`, a full-record answer of `GET /users?q=…`) as
     * that user's record, as old as the search lag and unused until someone reads it: the
     * members a task's reads ahead of its first page views list (domain/prewarm.ts) are the
     * people whose first views will each ask for their record (rule users.search.user-ids: a
     * searched user is the profile a read by id gives). `asked`: the search's headers
     * (the SDK's, its token), which a read by id of a kept record sends again; `startedAt`: the
     * generation of a record's scope when the search was sent.
     */
    keepFound(
      searchUrl: string,
      body: ArrayBuffer,
      askedAt: number,
      asked: Headers,
      startedAt: (scope: string) => number,
    ) {
      let answer: unknown;
      try {
        answer = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return;
      }
      // An array, or `{ users, total, … }` with include_totals.
      const users = Array.isArray(answer) ? answer : (answer as { users?: unknown } | null)?.users;
      for (const user of Array.isArray(users) ? users : []) {
        const id = (user as { user_id?: unknown } | null)?.user_id;
        if (typeof id !== "string") continue;
        // As the SDK asks for the record (`users.get`): the id as one path segment.
        const url = `${apiBaseOf(searchUrl)}/users/${encodeURIComponent(id)}`;
        const where = scopeOf(new URL(url).pathname);
        if (where?.kind !== "record") continue;
        const resend = resendOf(cache.transport, url, asked);
        const entry = searched(JSON.stringify(user), askedAt);
        const kept = { ...entry, ...where, usedAt: Number.NEGATIVE_INFINITY, resend, asked };
        keepSearched(url, kept, startedAt(where.scope));
      }
    },

    /**
     * Reads `users`' records again by one search in the background; one search at a time. A
     * user the search lacks (too new for the index, or gone) is read by id (`refresh`); a failed
     * or refused search leaves the records as they are.
     */
    refreshUsers(
      users: Array<[string, Stored]>,
      askedAt: number,
      mark: string,
      refresh: (url: string, entry: Stored, mark: string) => void,
    ) {
      searching = true;
      const startedAt = users.map(([, entry]) => cache.generation(entry.scope));
      const [url] = users[0] as [string, Stored];
      const headers = new Headers(users[0]?.[1].asked);
      headers.set(BACKGROUND_HEADER, mark);
      const ids = users.map(([url]) => userIdOf(url) as string);
      searchUsersById(cache.transport, apiBaseOf(url), ids, headers)
        .then(
          (found) =>
            users.forEach(([url, entry], i) => {
              const record = found.get(ids[i] as string);
              if (record === undefined) refresh(url, entry, mark);
              else
                keepSearched(url, { ...entry, ...searched(record, askedAt) }, startedAt[i] ?? -1);
            }),
          () => {},
        )
        .finally(() => {
          searching = false;
        });
    },
  };
}
