/**
 * What the read cache (read-cache.ts) reads from a request besides its URL: the markers the
 * portal's own code sets (a fresh read, a background refresh) and whether the code running now
 * reads records past the cache (a server action).
 */
import { AsyncLocalStorage } from "node:async_hooks";

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
 * that changes something (read-cache.ts says why). Lists keep their lifetimes: no decision rests
 * on a list alone, and those that gate one ask for FRESH_READ themselves.
 */
export function withConsistentRecordReads<T>(fn: () => Promise<T>): Promise<T> {
  return consistentRecords.run(true, fn);
}

/** Whether the code running now reads records past the cache (inside withConsistentRecordReads). */
export function readsAreConsistent(): boolean {
  return consistentRecords.getStore() === true;
}

/** The request's headers, whether the SDK passed them in `init` or in a Request. */
export function headersOf(input: Parameters<typeof fetch>[0], init: FetchInit): Headers {
  return new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
}

/** Whether the request asks to bypass the cache; if so, the init without the marker header. */
export function freshRead(
  input: Parameters<typeof fetch>[0],
  init: FetchInit,
): { fresh: boolean; init: FetchInit } {
  const headers = headersOf(input, init);
  if (!headers.has(FRESH_READ_HEADER)) return { fresh: false, init };
  headers.delete(FRESH_READ_HEADER);
  return { fresh: true, init: { ...init, headers } };
}
