/**
 * Run-time switches for tests: rate limiting (Auth0's 429 and `x-ratelimit-*` headers) and
 * fault injection (error rate, forced status, latency) per route.
 */
import { ApiError } from "./errors";

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

export class TenantControl {
  private rateLimit: Required<RateLimit> | undefined;
  private window = { start: 0, count: 0 };
  private faults: Fault[] = [];

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
  takeRateLimit(): { headers: Record<string, string>; error?: ApiError } {
    const rl = this.rateLimit;
    if (!rl) return { headers: {} };
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
