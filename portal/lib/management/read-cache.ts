/**
 * A process-wide read cache over the Management API, at the transport (the SDK's `fetch`), so
 * that every read the portal makes passes through it without each caller knowing:
 *
 * - Single-flight: concurrent identical GETs (same path and query) share one request.
 * - TTL: a 200 answer is reused for `ttlMs`. Other answers are never kept.
 * - Write-through invalidation: any other method on a collection (`/api/v2/users/...`,
 *   `/api/v2/clients/...`) drops every cached read of that collection, searches included, the
 *   moment the write is sent and again when it is answered (a read that was in flight meanwhile
 *   is not kept). So this process reads its own writes; the "recent" cookie still covers
 *   Auth0's lagging search index, which no cache can make consistent.
 *
 * The bound this gives: a change made elsewhere (another portal task behind the ALB, Auth0's
 * dashboard, a script) shows here at most `ttlMs` later, on top of Auth0's own search lag for
 * searches (ADR 0600: 60 s assumed, not published). A removed member or admin loses access
 * at once through the task that removed them and within `ttlMs` through any other task.
 */

/** How long a read may be reused, by default (ms): the revocation bound across tasks. */
export const DEFAULT_READ_TTL_MS = 5_000;

/**
 * A request header that asks for a read of the record itself, past the cache: limit counts and
 * an invite issuer's re-check must see what another portal task wrote a moment ago (ADR 0700).
 * It is taken off before the request leaves the process.
 */
export const FRESH_READ_HEADER = "x-astral-fresh-read";

/** Request options for the SDK that make one read bypass the cache (see FRESH_READ_HEADER). */
export const FRESH_READ = { headers: { [FRESH_READ_HEADER]: "1" } } as const;

/** Whether the request asks to bypass the cache; if so, the init without the marker header. */
function freshRead(
  input: Parameters<typeof fetch>[0],
  init: Parameters<typeof fetch>[1],
): { fresh: boolean; init: Parameters<typeof fetch>[1] } {
  const headers = new Headers(
    init?.headers ?? (input instanceof Request ? input.headers : undefined),
  );
  if (!headers.has(FRESH_READ_HEADER)) return { fresh: false, init };
  headers.delete(FRESH_READ_HEADER);
  return { fresh: true, init: { ...init, headers } };
}

/** Collections whose writes also change what another collection's reads return. */
const ALSO_INVALIDATES: Record<string, string[]> = {
  users: ["users-by-email"],
  clients: ["client-grants"],
};

interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  expires: number;
}

export interface ReadCacheStats {
  hits: number;
  shared: number;
  misses: number;
}

/** "/api/v2/users/abc" → "users"; undefined outside the Management API. */
function collectionOf(pathname: string): string | undefined {
  const match = /^\/api\/v2\/([^/?]+)/.exec(pathname);
  return match?.[1];
}

export function cachingFetch(
  transport: typeof fetch,
  {
    ttlMs = DEFAULT_READ_TTL_MS,
    now = () => Date.now(),
  }: { ttlMs?: number; now?: () => number } = {},
): { fetch: typeof fetch; stats: ReadCacheStats; clear: () => void } {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry | Response>>();
  const generations = new Map<string, number>();
  const stats: ReadCacheStats = { hits: 0, shared: 0, misses: 0 };
  const generation = (collection: string) => generations.get(collection) ?? 0;

  const invalidate = (collection: string) => {
    for (const name of [collection, ...(ALSO_INVALIDATES[collection] ?? [])]) {
      generations.set(name, generation(name) + 1);
      for (const key of entries.keys())
        if (collectionOf(new URL(key).pathname) === name) entries.delete(key);
      for (const key of inFlight.keys())
        if (collectionOf(new URL(key).pathname) === name) inFlight.delete(key);
    }
  };

  const replay = (entry: Entry) =>
    new Response(entry.body.slice(0), {
      status: entry.status,
      statusText: entry.statusText,
      headers: entry.headers,
    });

  const cached: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const collection = collectionOf(new URL(url).pathname);
    const fresh = freshRead(input, init);
    if (fresh.fresh) return transport(input, fresh.init);
    if (!collection || ttlMs <= 0) return transport(input, init);
    if (method !== "GET") {
      invalidate(collection);
      try {
        return await transport(input, init);
      } finally {
        invalidate(collection);
      }
    }
    const entry = entries.get(url);
    if (entry && entry.expires > now()) {
      stats.hits++;
      return replay(entry);
    }
    const pending = inFlight.get(url);
    if (pending) {
      stats.shared++;
      const shared = await pending;
      return shared instanceof Response ? shared.clone() : replay(shared);
    }
    stats.misses++;
    const startedAt = generation(collection);
    const request = (async (): Promise<Entry | Response> => {
      const response = await transport(input, init);
      if (response.status !== 200) return response;
      const fresh: Entry = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: await response.arrayBuffer(),
        expires: now() + ttlMs,
      };
      // An invalidation while it was in flight: the answer may predate the write, so it is
      // returned to its callers but not kept.
      if (generation(collection) === startedAt) entries.set(url, fresh);
      return fresh;
    })();
    inFlight.set(url, request);
    try {
      const result = await request;
      return result instanceof Response ? result.clone() : replay(result);
    } finally {
      if (inFlight.get(url) === request) inFlight.delete(url);
    }
  };
  return { fetch: cached, stats, clear: () => entries.clear() };
}
