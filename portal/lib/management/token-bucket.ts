/**
 * A client-side token bucket per tenant, shaped to the plan's published Management API limit
 * (ADR 0600 "Rate budget"). Auth0 answers a call past its limit with 429, and on Free that 429
 * is the *global* limit (2 requests/s, bursts of 10), so fifty users' calls bouncing off it and
 * retrying spent the budget on refusals. Here calls wait for a token instead, in order of
 * priority: writes first (a change under way), then the reads someone waits for (a page's or a
 * server action's, in the order their requests began: `take`), then background refreshes of the
 * read cache. A call that would wait longer than `maxWaitMs` is refused at
 * once (RateBudgetExceeded, which `Tenant.run` turns into the "rate limiting" PortalError)
 * rather than hanging, and so is one still queued at its deadline (lower priorities can be
 * overtaken).
 *
 * Written here rather than taken from npm: `bottleneck` (last release 2019) and `limiter` have
 * no priorities; `p-queue` has priorities but a fixed window (a burst of 10 refilled at 2/s is
 * not expressible), and none of them reports the wait a new call would have, which the create
 * form shows ("Waiting for the production tenant's rate limit…").
 */

/** Who is waiting for a call: the order in which queued calls get tokens. */
export type CallPriority = "write" | "interactive" | "background";
const ORDER: readonly CallPriority[] = ["write", "interactive", "background"];

/** A Management API rate limit: `perSecond` sustained, `burst` at once. */
export interface RateShape {
  perSecond: number;
  burst: number;
}

/** The wait a call would have is past the bound: the tenant's budget is spent for now. */
export class RateBudgetExceeded extends Error {
  /** The call refused ("GET /api/v2/users/{id}") and who waited for it: for the log line. */
  call: { request: string; priority: CallPriority } | undefined;
  constructor(readonly waitMs: number) {
    super(`the tenant's rate budget is spent for the next ${Math.ceil(waitMs / 1000)} s`);
    this.name = "RateBudgetExceeded";
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  deadline: number;
  /** When the request it serves began: within a priority, earlier requests go first. */
  order: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queues: Record<CallPriority, Waiter[]> = {
    write: [],
    interactive: [],
    background: [],
  };
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly shape: RateShape,
    readonly maxWaitMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(shape.perSecond > 0) || !(shape.burst >= 1))
      throw new Error(
        `a rate limit needs perSecond > 0 and burst ≥ 1, not ${JSON.stringify(shape)}`,
      );
    this.tokens = shape.burst;
    this.last = now();
  }

  private refill(): void {
    const at = this.now();
    const earned = ((at - this.last) * this.shape.perSecond) / 1000;
    this.tokens = Math.min(this.shape.burst, this.tokens + earned);
    this.last = at;
  }

  private queuedAhead(priority: CallPriority): number {
    let ahead = 0;
    for (const p of ORDER.slice(0, ORDER.indexOf(priority) + 1)) ahead += this.queues[p].length;
    return ahead;
  }

  /** How long a call of this priority asked for now would wait for its token (ms). */
  waitMs(priority: CallPriority = "interactive"): number {
    this.refill();
    const missing = this.queuedAhead(priority) + 1 - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.shape.perSecond);
  }

  /**
   * Whether a call now would be one of the budget's idle moments: nobody queued, and half the
   * burst left for whoever comes next (early refreshes, reads ahead of the first page views).
   */
  hasRoomToSpare(): boolean {
    return this.hasRoom(Math.floor(this.shape.burst / 2));
  }

  /** Whether nobody is queued and a call now would leave at least `reserve` tokens. */
  hasRoom(reserve: number): boolean {
    this.refill();
    return !this.waiting() && this.tokens >= reserve + 1;
  }

  /**
   * Resolves when the call may be sent; rejects with RateBudgetExceeded past the bound. Within
   * a priority, calls go in the order their requests began (`order`, default now), not the order
   * they were asked for: a page view's second call (its team's list, after its actor) goes
   * before the first calls of views begun after it, so views finish in the order they came
   * instead of all waiting twice (fifty users' first views on a task just started).
   */
  take(priority: CallPriority, order: number = this.now()): Promise<void> {
    const wait = this.waitMs(priority);
    if (wait === 0) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    if (wait > this.maxWaitMs) return Promise.reject(new RateBudgetExceeded(wait));
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues[priority];
      const at = queue.findIndex((w) => w.order > order);
      const waiter = { resolve, reject, deadline: this.now() + this.maxWaitMs, order };
      queue.splice(at === -1 ? queue.length : at, 0, waiter);
      this.schedule();
    });
  }

  /**
   * The tenant answered 429: its bucket is emptier than this estimate (another portal task, the
   * dashboard, a script share it). Start again from empty, so queued calls slow down with it.
   */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private waiting(): boolean {
    return ORDER.some((p) => this.queues[p].length > 0);
  }

  private pump(): void {
    this.timer = undefined;
    this.refill();
    while (this.tokens >= 1) {
      const next = ORDER.map((p) => this.queues[p])
        .find((q) => q.length > 0)
        ?.shift();
      if (!next) break;
      this.tokens -= 1;
      next.resolve();
    }
    // Whoever is still queued at their deadline was overtaken: refused, not left hanging.
    const at = this.now();
    for (const p of ORDER) {
      const expired = this.queues[p].filter((w) => w.deadline <= at);
      if (expired.length === 0) continue;
      this.queues[p] = this.queues[p].filter((w) => w.deadline > at);
      for (const w of expired) w.reject(new RateBudgetExceeded(this.maxWaitMs));
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.waiting()) return;
    const nextToken = Math.ceil(((1 - this.tokens) * 1000) / this.shape.perSecond);
    const deadlines = ORDER.flatMap((p) => this.queues[p].map((w) => w.deadline));
    const nextDeadline = Math.min(...deadlines) - this.now();
    this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(nextToken, nextDeadline)));
  }
}
