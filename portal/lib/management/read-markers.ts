/**
 * What the read cache (read-cache.ts) reads from a request besides its URL: the markers the
 * portal's own code sets (a fresh read, a background refresh) and whether the code running now
 * reads records past the cache (a server action).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Entry } from "./read-entries";

/**
 * A request header that asks for a read of the record itself, past the cache: limit counts and
 * an invite issuer's re-check must see what another portal task wrote a moment ago (ADR 0700).
 * It is taken off before the request leaves the process.
 */
export const FRESH_READ_HEADER = "x-astral-fresh-read";

/** Request options for the SDK that make one read bypass the cache (see FRESH_READ_HEADER). */
export const FRESH_READ = { headers: { [FRESH_READ_HEADER]: "1" } } as const;

/**
 * A request header that lets one record read of a server action come from the cache after all:
 * for a read whose staleness can only make the action refuse early, never let it do what it
 * should not (the credential limit's check before a create: a kept record of an own create that
 * is gone by now counts it one too many). Taken off before the request leaves the process.
 */
export const MAY_BE_OLD_HEADER = "x-astral-may-be-old";

/** Request options for the SDK that let one record read be served from the cache (above). */
export const MAY_BE_OLD = { headers: { [MAY_BE_OLD_HEADER]: "1" } } as const;

/**
 * Marks the cache's own background refreshes for the tenant's token bucket (token-bucket.ts),
 * which serves them after everything a user waits for; taken off before the request leaves.
 */
export const BACKGROUND_HEADER = "x-astral-background";

/**
 * BACKGROUND_HEADER's value for a refresh of a record about to end while the budget is busy
 * (early-refresh.ts): served with the changes' calls, ahead of page views, which would otherwise
 * each wait to read it once it ended.
 */
export const DUE_REFRESH = "due";

/**
 * BACKGROUND_HEADER's value for a read made before a task's first page views (domain/prewarm.ts):
 * served last, like a refresh, and what it keeps counts as unused until someone reads it, so that
 * nothing is read again early for nobody (early-refresh.ts reads again only records in use).
 */
export const PREWARM = "prewarm";

type FetchInit = Parameters<typeof fetch>[1];

/** A server action's own record reads, by URL, with the generation of their record then. */
export type ActionReads = Map<string, { answer: Entry; generation: number }>;

/**
 * One store per process, whatever copy of this module asks (Next's production build holds it
 * several times, and the process-wide Portal's tenants read it from the copy that created them):
 * with one per copy, a server action's reads were consistent only when its copy had created the
 * Portal.
 */
function processWide<T>(name: string): AsyncLocalStorage<T> {
  const key = Symbol.for(`astral.${name}`);
  const shared = globalThis as { [key: symbol]: AsyncLocalStorage<T> | undefined };
  shared[key] ??= new AsyncLocalStorage<T>();
  return shared[key];
}

const consistentRecords = processWide<ActionReads>("consistentRecordReads");

/**
 * Runs `fn` with every record read it makes (`GET /users/{id}`, `GET /clients/{id}`, in any
 * tenant) sent to the tenant, as FRESH_READ does, however recent the cached answer: for work
 * that changes something (read-cache.ts says why), once per record while this process does not
 * write it: the action's own view of it (`actionReads`). Lists keep their lifetimes: no decision
 * rests on a list alone, and those that gate one ask for FRESH_READ themselves.
 */
export function withConsistentRecordReads<T>(fn: () => Promise<T>): Promise<T> {
  return consistentRecords.run(new Map(), fn);
}

/** The record reads the running server action has made, by URL; undefined outside one. */
export function actionReads(): ActionReads | undefined {
  return consistentRecords.getStore();
}

const prewarmReads = processWide<true>("prewarmReads");

/** Runs `fn` with its reads made as PREWARM reads (above): filling the cache, for nobody yet. */
export function withPrewarmReads<T>(fn: () => Promise<T>): Promise<T> {
  return prewarmReads.run(true, fn);
}

/** Whether the code running now fills the cache ahead of page views (withPrewarmReads). */
export function prewarming(): boolean {
  return prewarmReads.getStore() === true;
}

const requestStarts = processWide<number>("requestStartedAt");

/**
 * Runs `fn` as part of a request begun at `startedAt` (epoch ms): the tenants' token buckets
 * serve its calls in that order (token-bucket.ts `take`).
 */
export function withRequestStart<T>(startedAt: number, fn: () => Promise<T>): Promise<T> {
  return requestStarts.run(startedAt, fn);
}

/** When the request the running code serves began, if it said (withRequestStart). */
export function requestStartedAt(): number | undefined {
  return requestStarts.getStore();
}

/** Whether the code running now reads records past the cache (inside withConsistentRecordReads). */
export function readsAreConsistent(): boolean {
  return consistentRecords.getStore() !== undefined;
}

/** The request's headers, whether the SDK passed them in `init` or in a Request. */
export function headersOf(input: Parameters<typeof fetch>[0], init: FetchInit): Headers {
  return new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
}

/**
 * Whether the request asks to bypass the cache (FRESH_READ) or may be served from it inside a
 * server action (MAY_BE_OLD); the init without either marker header.
 */
export function freshRead(
  input: Parameters<typeof fetch>[0],
  init: FetchInit,
): { fresh: boolean; mayBeOld: boolean; init: FetchInit } {
  const headers = headersOf(input, init);
  const fresh = headers.has(FRESH_READ_HEADER);
  const mayBeOld = headers.has(MAY_BE_OLD_HEADER);
  if (!fresh && !mayBeOld) return { fresh, mayBeOld, init };
  headers.delete(FRESH_READ_HEADER);
  headers.delete(MAY_BE_OLD_HEADER);
  return { fresh, mayBeOld, init: { ...init, headers } };
}
