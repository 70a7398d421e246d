/**
 * Rate limits (always on: every Management API answer carries Auth0's `x-ratelimit-limit`,
 * `x-ratelimit-remaining` and `x-ratelimit-reset`; rule `ratelimit.headers`) and run-time
 * switches for tests: a fixed-window override of the limit, and fault injection (error rate,
 * forced status, latency) per route.
 */
import { ApiError } from "./errors";

/**
 * A named rate-limit configuration: a token bucket of `burst` requests refilled at
 * `perSecond` (Auth0's algorithm: "burst" and "sustained" limits, rule `ratelimit.profiles`).
 */
export interface RateLimitProfile {
  name: string;
  burst: number;
  perSecond: number;
  source: string;
  /**
   * A tenant-wide limit that applies in addition to the bucket above and that the headers do not
   * describe (Free: rule `ratelimit.free-global`). Its 429 carries the headers of the bucket
   * above, which may still have room.
   */
  global?: { burst: number; perSecond: number };
}

/** Auth0's published Management API configurations, and one for tests. */
export const RATE_LIMIT_PROFILES = {
  /**
   * Free (and trial) tenants: "restricted to 2 requests per second (with bursts of up to 10
   * requests)", answered with "Global limit has been reached", and "in addition to those
   * indicated in the rate limit response headers". The headers' own bucket on Free is not
   * published: locally it is 50 a second (the per-tenant Management API figure Auth0 gave before
   * its per-plan table), so the 2/s global limit is the one that binds, as on Auth0.
   */
  free: {
    name: "free",
    burst: 50,
    perSecond: 50,
    global: { burst: 10, perSecond: 2 },
    source:
      "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy (Management API, free and trial tenants)",
  },
  /**
   * Self Service (paid) production tenants: 16 sustained requests per second ("Management API
   * Endpoint Rate Limits", tenant type "Self Service (Production)"). The page says the limits have
   * "burst capability built into" them but gives no burst figure, so the bucket holds one
   * second's worth (16), the stricter reading.
   */
  "self-service": {
    name: "self-service",
    burst: 16,
    perSecond: 16,
    source:
      "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits (Self Service (Production): 16 sustained requests per second; burst not published, stricter reading: 16)",
  },
  /**
   * Tests: headers as Auth0 sends them, with room for a test suite's bursts; tests about limits
   * set a tighter one with `setRateLimit`.
   */
  test: {
    name: "test",
    burst: 1000,
    perSecond: 500,
    source: "local: for test suites (headers present, limits out of the way)",
  },
} as const satisfies Record<string, RateLimitProfile>;

export type RateLimitProfileName = keyof typeof RATE_LIMIT_PROFILES;

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds (default 1, like Auth0's per-second limits). */
  windowSeconds?: number;
  /**
   * Also count the Authentication API (`/oauth/token`, `/oauth/revoke`, `/userinfo`) in the
   * same window (default: only the Management API is limited).
   */
  includeAuthentication?: boolean;
}

export interface Fault {
  /**
   * Which requests: a RegExp tested against `"METHOD /path"`, or a string that `"METHOD /path"`
   * or `/path` starts with (e.g. `"GET /api/v2/clients"`, `"/oauth/token"`). Absent: all.
   */
  route?: string | RegExp;
  /** Fraction of matching requests that fail, 0..1 (default 1 when `status` is set). */
  errorRate?: number;
  /** Status of the failure (default 500). */
  status?: number;
  /** Delay added to every matching request, in milliseconds. */
  latencyMs?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Tokens in a bucket of `burst` refilled at `perSecond`, as of `now`. */
function refill(bucket: Bucket, burst: number, perSecond: number, now: number): number {
  return Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
}

export class TenantControl {
  private rateLimit: Required<RateLimit> | undefined;
  private window = { start: 0, count: 0 };
  private faults: Fault[] = [];
  private profile: RateLimitProfile = RATE_LIMIT_PROFILES.test;
  private bucket: Bucket = { tokens: 1000, at: 0 };
  private globalBucket: Bucket | undefined;

  /** The profile in force when no override is set (it survives `clear()`). */
  setProfile(profile: RateLimitProfile): void {
    this.profile = profile;
    this.bucket = { tokens: profile.burst, at: Date.now() };
    this.globalBucket = profile.global
      ? { tokens: profile.global.burst, at: Date.now() }
      : undefined;
  }

  get profileName(): string {
    return this.profile.name;
  }

  get limitsAuthentication(): boolean {
    return this.rateLimit?.includeAuthentication === true;
  }

  setRateLimit(limit: RateLimit | undefined): void {
    this.rateLimit = limit
      ? { windowSeconds: 1, includeAuthentication: false, ...limit }
      : undefined;
    this.window = { start: 0, count: 0 };
  }

  setFaults(faults: Fault[]): void {
    this.faults = [...faults];
  }

  clear(): void {
    this.setRateLimit(undefined);
    this.setFaults([]);
  }

  /** Headers to add and an error to throw (if over the limit) for one rate-limited request. */
  takeRateLimit(authentication = false): { headers: Record<string, string>; error?: ApiError } {
    const rl = this.rateLimit;
    if (!rl) return authentication ? { headers: {} } : this.takeFromBucket();
    const now = Date.now();
    const windowMs = rl.windowSeconds * 1000;
    if (now - this.window.start >= windowMs) this.window = { start: now, count: 0 };
    this.window.count++;
    const headers = {
      "x-ratelimit-limit": String(rl.limit),
      "x-ratelimit-remaining": String(Math.max(0, rl.limit - this.window.count)),
      "x-ratelimit-reset": String(Math.ceil((this.window.start + windowMs) / 1000)),
    };
    if (this.window.count <= rl.limit) return { headers };
    return {
      headers,
      error: new ApiError(429, "Global limit has been reached", "too_many_requests", headers),
    };
  }

  /**
   * The profile's token bucket (rule `ratelimit.profiles`), then its unreported global limit
   * (rule `ratelimit.free-global`): a request refused by the global limit takes nothing from the
   * reported bucket, and its 429 carries that bucket's headers (with room left).
   */
  private takeFromBucket(): { headers: Record<string, string>; error?: ApiError } {
    const { burst, perSecond, global } = this.profile;
    const now = Date.now();
    const reported = refill(this.bucket, burst, perSecond, now);
    const globalTokens =
      global && this.globalBucket
        ? refill(this.globalBucket, global.burst, global.perSecond, now)
        : Number.POSITIVE_INFINITY;
    const allowed = reported >= 1 && globalTokens >= 1;
    const tokens = allowed ? reported - 1 : reported;
    this.bucket = { tokens, at: now };
    if (this.globalBucket)
      this.globalBucket = { tokens: allowed ? globalTokens - 1 : globalTokens, at: now };
    // Reset: when the bucket is full again (epoch seconds), as the portal's retry reads it.
    const headers = {
      "x-ratelimit-limit": String(burst),
      "x-ratelimit-remaining": String(Math.floor(tokens)),
      "x-ratelimit-reset": String(Math.ceil((now + ((burst - tokens) / perSecond) * 1000) / 1000)),
    };
    if (allowed) return { headers };
    return {
      headers,
      error: new ApiError(429, "Global limit has been reached", "too_many_requests", headers),
    };
  }

  /** Applies matching faults: waits for latency, then maybe throws the injected error. */
  async applyFaults(method: string, pathname: string): Promise<void> {
    const line = `${method} ${pathname}`;
    for (const fault of this.faults) {
      const route = fault.route;
      const hit =
        route === undefined ||
        (route instanceof RegExp
          ? route.test(line)
          : line.startsWith(route) || pathname.startsWith(route));
      if (!hit) continue;
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      const rate = fault.errorRate ?? (fault.status ? 1 : 0);
      if (rate > 0 && Math.random() < rate) {
        const status = fault.status ?? 500;
        throw new ApiError(status, `Injected fault (${status})`, "injected_fault");
      }
    }
  }
}
