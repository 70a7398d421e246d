/**
 * User records that many views ask for at once on an empty cache, read as one user search
 * instead of one `GET /users/{id}` each (ADR 0600 "Load benchmark"). A task that has just
 * started (a deploy, a scale-out) meets every active user's next view with no actor record:
 * fifty users need fifty reads, 28 s of Free's 1.8 calls/s, and the views past the bucket's wait
 * bound failed with the rate-limiting error (173 and 103 of them in the first two 20 s slices
 * of a run, a handful afterwards). One search `user_id:("a" OR "b" …)` reads up to
 * MAX_IDS of them in one call (Auth0's user search: operators work on the normalized fields,
 * `user_id` among them, and terms group in parentheses:
 * https://auth0.com/docs/manage-users/user-search/user-search-query-syntax).
 *
 * A search lags writes (Auth0 publishes no bound; the portal assumes `searchLagMs`, 60 s): a
 * record found by search is kept as if read that long ago, so it is served only for what is left
 * of the record's lifetime, and only where that is worth it (read-cache.ts: Free's 2-minute
 * records, not the 1-minute ones of the 16/s plans). The early refresh (early-refresh.ts) then
 * reads each again by id in the budget's idle moments. A user the search does not find (signed
 * up a moment ago, not yet in the index) is read by id as before. Server actions never take
 * this path: they read records as the tenant has them now.
 */

/** Users in one search: a query of about 2 KB, within one page of results. */
export const MAX_IDS = 50;

/**
 * One user search for up to MAX_IDS users by id, sent with `headers` (the SDK's, its token):
 * each user found, as its record's JSON text, by id. A user missing from the answer may be too
 * new for the index, not gone. Rejects when the search fails, is refused or is not answered 200.
 */
export async function searchUsersById(
  send: typeof fetch,
  apiBase: string,
  ids: string[],
  headers: Headers,
): Promise<Map<string, string>> {
  const url = new URL(`${apiBase}/users`);
  url.searchParams.set("q", `user_id:(${ids.map((id) => JSON.stringify(id)).join(" OR ")})`);
  url.searchParams.set("search_engine", "v3");
  url.searchParams.set("per_page", String(ids.length));
  const response = await send(url.href, { method: "GET", headers });
  if (!response.ok) throw new Error(`the user search was answered ${response.status}`);
  const found = new Map<string, string>();
  const users = (await response.json()) as Array<{ user_id?: unknown }>;
  for (const user of Array.isArray(users) ? users : [])
    if (typeof user.user_id === "string") found.set(user.user_id, JSON.stringify(user));
  return found;
}

type Waiter = (recordJson: string | undefined) => void;
interface Batch {
  apiBase: string;
  headers: Headers;
  waiters: Map<string, Waiter[]>;
}

/**
 * Batches user-record reads: `read` resolves to the user's record as JSON text, or undefined
 * when the search did not find the user (or failed, or the budget refused it), for the caller
 * to read it by id. A batch asks the tenant's bucket for its token (`turn`) as soon as it opens
 * and takes in every user asked for while it waits, up to MAX_IDS: the busier the budget, the
 * more users one search reads. `send` then sends it without waiting again. `apiBase` is the
 * tenant's `https://DOMAIN/api/v2`; `headers` are the SDK's (its token), from the batch's first
 * read.
 */
export function coldUserReads(send: typeof fetch, turn: () => Promise<void>) {
  let open: Batch | undefined;

  const search = async (batch: Batch) => {
    let found = new Map<string, string>();
    try {
      await turn();
      if (open === batch) open = undefined; // nobody joins once it is sent
      found = await searchUsersById(send, batch.apiBase, [...batch.waiters.keys()], batch.headers);
    } catch {
      // Refused by the budget or failed: each waiter reads its record by id instead.
    } finally {
      if (open === batch) open = undefined;
    }
    for (const [id, waiters] of batch.waiters) for (const w of waiters) w(found.get(id));
  };

  return {
    read(apiBase: string, userId: string, headers: Headers): Promise<string | undefined> {
      return new Promise((resolve) => {
        const full = open && !open.waiters.has(userId) && open.waiters.size >= MAX_IDS;
        if (!open || open.apiBase !== apiBase || full) {
          open = { apiBase, headers, waiters: new Map() };
          void search(open);
        }
        open.waiters.set(userId, [...(open.waiters.get(userId) ?? []), resolve]);
      });
    },
  };
}

export type ColdUserReads = ReturnType<typeof coldUserReads>;
