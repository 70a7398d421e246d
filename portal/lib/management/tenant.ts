/**
 * Management API access to one Auth0 tenant through the official SDK.
 *
 * Token: the SDK's ManagementClient (v7) gets a client-credentials token through its
 * TokenProvider, caches it until 10 s before expiry and shares one in-flight request between
 * concurrent callers. We keep exactly one ManagementClient per tenant per process, so the portal
 * asks for one token per tenant per token lifetime; `calls.token` counts them (a test asserts it).
 *
 * Every call goes through `run()`: bounded retries (see retry.ts) and one error class. Every
 * request goes through the read cache (read-cache.ts): shared and reused reads, dropped on this
 * process's writes; what the cache sends waits for a token of the tenant's bucket
 * (token-bucket.ts), shaped to the plan's limit, writes first and background refreshes last.
 */
import type { Environment } from "@astral/contract";
import { ManagementClient, ManagementError, ManagementTimeoutError } from "auth0";
import type { ManagementAccess } from "../config/env";
import { PortalError } from "../errors";
import { coldUserReads } from "./cold-user-reads";
import { startEarlyRefresh } from "./early-refresh";
import { PLAN_RATES } from "./rate-plan";
import { BACKGROUND_HEADER, cachingFetch, DUE_REFRESH, type ReadCacheStats } from "./read-cache";
import { requestStartedAt } from "./read-markers";
import { DEFAULT_READ_POLICY, type ReadKind, type ReadPolicy, uniformPolicy } from "./read-policy";
import { DEFAULT_RETRY, type FailureInfo, type RetryPolicy, retryDelay } from "./retry";
import { type CallPriority, RateBudgetExceeded, type RateShape, TokenBucket } from "./token-bucket";

/**
 * The longest a call waits for a token before the user is told the tenant is rate limiting
 * the portal: a page that shows after 11 s beats an error after 8 (the bound until run 22 of
 * bench:load; fifty users' first views on a task just started then failed while their calls
 * drained in about 16 s), and a change refused halfway is undone and tried again, which costs
 * more calls than the wait. Below the SDK's 15 s request timeout, which starts when the call is
 * queued.
 */
export const DEFAULT_QUEUE_WAIT_MS = 11_000;

export interface CallCounters {
  /** Requests to /oauth/token. */
  token: number;
  /** Requests to /api/v2. */
  api: number;
  /** 429 answers from /api/v2 (retried within bounds; the benchmark reports them). */
  rateLimited: number;
}

export interface TenantOptions {
  retry?: RetryPolicy;
  /** Per-request timeout in seconds. */
  timeoutInSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Transport override (tests inject lost responses here); default: global fetch. */
  fetch?: typeof fetch;
  /** One lifetime for every cached read, no background refresh (tests); 0 turns the cache off. */
  readCacheTtlMs?: number;
  /** Per-kind lifetimes of cached reads (read-cache.ts); default DEFAULT_READ_POLICY. */
  readPolicy?: Record<ReadKind, ReadPolicy>;
  /**
   * This task's share of the tenant's Management API limit (rate-plan.ts); null sends every
   * call at once (the test suites' local tenants, whose `test` profile is not a plan).
   */
  rate?: RateShape | null;
  /** The longest a call waits for a token (ms); default DEFAULT_QUEUE_WAIT_MS. */
  queueWaitMs?: number;
  /**
   * The search lag the portal assumes (Portal.searchLagMs): given, user records missed while
   * the bucket is busy are read by one search (cold-user-reads.ts), counted that old.
   */
  searchLagMs?: number;
}

/** A read that would wait longer than this for its token counts as the budget being busy. */
const BUSY_WAIT_MS = 1_000;

/** When the caller states no rate: Free's, the smallest published limit (rate-plan.ts). */
const PLAN_FREE_FALLBACK: RateShape = PLAN_RATES.free;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Tenant {
  readonly environment: Environment;
  readonly domain: string;
  readonly calls: CallCounters = { token: 0, api: 0, rateLimited: 0 };
  /** Management API requests made, by "METHOD /api/v2/path" (least-privilege test, benchmark). */
  readonly operations = new Map<string, number>();
  readonly client: ManagementClient;
  /** Reads served from the cache, shared with one in flight, or sent (the benchmark prints them). */
  readonly readCache: ReadCacheStats;
  /**
   * The most a cached record may be served at (read-cache.ts): how soon access taken back
   * through another task or the dashboard ends on this task's pages.
   */
  readonly recordMaxAgeMs: number;
  /** How long a list (search, count) is served as is (read-cache.ts), for counts kept elsewhere. */
  readonly listFreshMs: number;
  /** The most a cached list may be served at: what a list from the cache adds to search lag. */
  readonly listMaxAgeMs: number;
  /** Calls wait here for the tenant's rate limit; undefined when not shaped. */
  readonly bucket: TokenBucket | undefined;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(access: ManagementAccess, options: TenantOptions = {}) {
    this.environment = access.environment;
    this.domain = access.domain;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? sleep;
    const transport = options.fetch ?? fetch;
    const rate = options.rate === undefined ? PLAN_FREE_FALLBACK : options.rate;
    this.bucket = rate
      ? new TokenBucket(rate, options.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS)
      : undefined;
    const counting: typeof fetch = async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.includes("/oauth/token")) this.calls.token++;
      else {
        this.calls.api++;
        const method = (
          init?.method ?? (input instanceof Request ? input.method : "GET")
        ).toUpperCase();
        const key = `${method} ${new URL(url).pathname}`;
        this.operations.set(key, (this.operations.get(key) ?? 0) + 1);
      }
      const response = await transport(input, init);
      if (response.status === 429 && !url.includes("/oauth/token")) {
        this.calls.rateLimited++;
        this.bucket?.drain();
      }
      return response;
    };
    const shaped: typeof fetch = async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const headers = new Headers(
        init?.headers ?? (input instanceof Request ? input.headers : undefined),
      );
      const background = headers.get(BACKGROUND_HEADER);
      if (!background && !this.bucket) return counting(input, init);
      headers.delete(BACKGROUND_HEADER);
      const method = (
        init?.method ?? (input instanceof Request ? input.method : "GET")
      ).toUpperCase();
      // Writes first: a change under way finishes before anything new starts. Every read a
      // user waits for, a page's or a server action's, then goes in the order its request began
      // (token-bucket.ts): a create waits behind the views begun before it, and the views begun
      // after it wait behind its reads. (With a server action's reads ahead of every view, five
      // people creating at once held fifty users' views past the wait's bound: ADR 0600.)
      const priority = priorityOf(method, background);
      // The token endpoint is the Authentication API, with limits of its own.
      if (this.bucket && !url.includes("/oauth/token"))
        await this.bucket.take(priority, requestStartedAt()).catch((error: unknown) => {
          if (error instanceof RateBudgetExceeded)
            error.call = { request: `${method} ${requestKind(url)}`, priority };
          throw error;
        });
      return counting(input, { ...init, headers });
    };
    const policy =
      options.readCacheTtlMs !== undefined
        ? uniformPolicy(options.readCacheTtlMs)
        : (options.readPolicy ?? DEFAULT_READ_POLICY);
    this.recordMaxAgeMs = policy.record.maxAgeMs;
    this.listFreshMs = policy.list.freshMs;
    this.listMaxAgeMs = policy.list.maxAgeMs;
    const bucket = this.bucket;
    const reads = cachingFetch(shaped, {
      policy,
      ...(options.searchLagMs !== undefined ? { searchLagMs: options.searchLagMs } : {}),
      ...(bucket ? { busy: () => bucket.waitMs("interactive") > BUSY_WAIT_MS } : {}),
      // The search waits for its token first, gathering users meanwhile; then sent.
      ...(bucket && options.searchLagMs !== undefined
        ? { cold: coldUserReads(counting, () => bucket.take("interactive", requestStartedAt())) }
        : {}),
    });
    this.readCache = reads.stats;
    if (bucket && policy.record.maxAgeMs > 0)
      startEarlyRefresh(bucket, reads, policy.record.maxAgeMs);
    this.client = new ManagementClient({
      domain: access.domain,
      clientId: access.clientId,
      clientSecret: access.clientSecret,
      maxRetries: 0,
      timeoutInSeconds: options.timeoutInSeconds ?? 15,
      fetch: reads.fetch,
    });
  }

  /**
   * Runs one Management API operation with bounded retries. `safeToRepeat` says whether a 5xx
   * or network failure may be retried (see retry.ts); 429 is always retried within bounds.
   */
  async run<T>(
    what: string,
    operation: (client: ManagementClient) => Promise<T>,
    { safeToRepeat, requestId }: { safeToRepeat: boolean; requestId?: string },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation(this.client);
      } catch (error) {
        // The call already waited its longest for the tenant's limit: no retry would be sooner.
        const refused = budgetSpent(error);
        if (refused) {
          // Which calls meet the budget's bound, for the operator (and bench:load's summary).
          console.warn(
            JSON.stringify({
              type: "rate-budget",
              tenant: this.environment,
              ...refused.call,
              requestId,
            }),
          );
          throw this.toPortalError(what, error, { status: 429, headers: undefined }, requestId);
        }
        const failure = failureInfo(error);
        if (!failure) throw error; // a bug of ours, not a Management API failure
        const delay = retryDelay(failure, attempt, this.retry, safeToRepeat);
        if (delay === undefined) throw this.toPortalError(what, error, failure, requestId);
        await this.sleep(delay);
      }
    }
  }

  private toPortalError(
    what: string,
    error: unknown,
    failure: FailureInfo,
    requestId: string | undefined,
  ): PortalError {
    const where = `${this.environment} tenant`;
    const status = failure.status;
    const options = { requestId, upstreamStatus: status, cause: error };
    if (status === 404) return new PortalError("not_found", `Not found in the ${where}.`, options);
    if (status === 409)
      return new PortalError(
        "conflict",
        `Conflict in the ${where} while trying to ${what}.`,
        options,
      );
    if (status === 429)
      return new PortalError(
        "rate_limited",
        `The ${where} is rate limiting the portal; try again in a minute.`,
        options,
      );
    // A feature the tenant's Auth0 plan lacks (Private Key JWT needs Enterprise): say what to
    // change, as Auth0's "Please upgrade your subscription" names only the feature.
    if (status === 403 && errorCodeOf(error) === "insufficient_entitlement")
      return new PortalError(
        "upstream_forbidden",
        `The ${where} refused to ${what}: its Auth0 plan does not include this feature (${auth0Refusal(error) ?? "insufficient_entitlement"}). ` +
          `Ask the portal operator to upgrade the tenant's plan or to remove the kind from credentialKinds of ${this.environment} in portal.config.js.`,
        options,
      );
    // A 403 that is not about scopes is Auth0 refusing the thing itself (for example its entity
    // limit on applications): its own message says what, and "check the grant" would mislead.
    const refusal = status === 403 ? auth0Refusal(error) : undefined;
    if (refusal)
      return new PortalError(
        "upstream_forbidden",
        `The ${where} refused to ${what}: ${refusal}`,
        options,
      );
    if (status === 401 || status === 403)
      return new PortalError(
        "upstream_forbidden",
        `The portal is not allowed to ${what} in the ${where} (HTTP ${status}); check the Astral Backend's grant.`,
        options,
      );
    if (status === 400)
      return new PortalError(
        "invalid_input",
        `The ${where} rejected the request to ${what}.`,
        options,
      );
    return new PortalError(
      "upstream_error",
      `The ${where} failed to ${what}${status ? ` (HTTP ${status})` : ""}. Try again in a moment.`,
      options,
    );
  }
}

/**
 * Auth0's message of a 403 whose `errorCode` is not `insufficient_scope` (what Auth0 sends for a
 * missing scope: rule `order.auth-before-404` in emulator/src/rules.ts), cut to one short
 * sentence; undefined otherwise.
 */
function auth0Refusal(error: unknown): string | undefined {
  if (!(error instanceof ManagementError)) return undefined;
  const body = error.body as { errorCode?: unknown; message?: unknown } | undefined;
  if (typeof body?.errorCode !== "string" || body.errorCode === "insufficient_scope")
    return undefined;
  if (typeof body.message !== "string" || body.message.trim() === "") return undefined;
  return body.message.trim().slice(0, 200);
}

/** The `errorCode` of a Management API error body, if any. */
function errorCodeOf(error: unknown): string | undefined {
  if (!(error instanceof ManagementError)) return undefined;
  const code = (error.body as { errorCode?: unknown } | undefined)?.errorCode;
  return typeof code === "string" ? code : undefined;
}

/** Who waits for a call: writes and due refreshes first, reads someone waits for, the rest. */
function priorityOf(method: string, background: string | null): CallPriority {
  if (background === DUE_REFRESH || (background === null && method !== "GET")) return "write";
  return background === null ? "interactive" : "background";
}

/** The bucket's refusal, if the error or one of its causes is one (the SDK wraps it). */
function budgetSpent(error: unknown): RateBudgetExceeded | undefined {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof RateBudgetExceeded) return e;
    e = (e as Error).cause;
  }
  return undefined;
}

/** A Management API path with its record ids left out: `/api/v2/users/{id}`. */
function requestKind(url: string): string {
  return new URL(url).pathname.replace(/^(\/api\/v2\/[^/]+\/)(?!search$)[^/]+/, "$1{id}");
}

function failureInfo(error: unknown): FailureInfo | undefined {
  if (error instanceof ManagementTimeoutError) return { status: undefined, headers: undefined };
  if (error instanceof ManagementError)
    return { status: error.statusCode, headers: error.rawResponse?.headers };
  // The SDK's token request calls fetch directly: a refused connection is a bare TypeError.
  if (error instanceof TypeError && error.message === "fetch failed")
    return { status: undefined, headers: undefined };
  return undefined;
}
