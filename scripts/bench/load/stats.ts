/**
 * The load benchmark's figures, from what the simulated users saw and what the local tenants
 * counted: percentiles, the per-page table (cache on beside cache off) and the verdict on issue
 * 16's targets. Pure functions: `scripts/bench/load/stats.unit.test.ts` pins them.
 */

/** One page view as a user saw it. */
export interface ViewSample {
  page: string;
  ms: number;
  /** Status 200 and no error panel. */
  ok: boolean;
  /** The failure was the portal's rate-limit error (a 429 that reached the user). */
  rateLimited: boolean;
  /** Milliseconds since the measured window began. */
  at: number;
}

/** One create, rotate or revoke through the pages' server actions. */
export interface ActionSample {
  action: "create" | "rotate" | "revoke";
  ms: number;
  ok: boolean;
  rateLimited: boolean;
  at: number;
  /** A create whose form was told to wait for a tenant's rate limit (GET /api/rate-wait). */
  waitShown?: boolean;
}

/** Management API requests the local tenants answered, by tenant. */
export interface CallCount {
  /** Every Management API request the tenant received (429s included). */
  total: number;
  /** Those answered 429. */
  rateLimited: number;
  /** Requests by operation (the tenant's OpenAPI operationId, or "METHOD /path"). */
  operations: Record<string, number>;
}

export interface PhaseResult {
  label: string;
  seconds: number;
  views: ViewSample[];
  actions: ActionSample[];
  calls: Record<string, CallCount>;
  /** What failed views and actions showed (page and message), with how often. */
  failures: Record<string, number>;
  /**
   * Calls (by tenant) and views after the warm-up (the first quarter of the window): the steady
   * state. Each tenant has its own rate limit.
   */
  steady: { seconds: number; calls: Record<string, number>; views: number };
  /** os.loadavg() at the end of the phase. */
  loadavg: number[];
  /** Calls the portal's rate budget refused, by tenant, request and priority (its log). */
  refusals?: Record<string, number>;
}

/**
 * The refusals in the server's log (the Tenant's `rate-budget` lines), counted by tenant,
 * request (ids left out) and who waited: which reads meet the budget's bound.
 */
export function refusalsIn(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of log.split("\n")) {
    if (!line.includes('"rate-budget"')) continue;
    try {
      const { type, tenant, request, priority } = JSON.parse(line) as Record<string, string>;
      if (type !== "rate-budget") continue;
      const what = `${tenant} ${request} (${priority})`;
      counts[what] = (counts[what] ?? 0) + 1;
    } catch {
      // Not one line of JSON (two lines ran together): left out.
    }
  }
  return counts;
}

/** Nearest-rank percentile of ascending `sorted` (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  );
}

export interface Summary {
  count: number;
  failed: number;
  rateLimited: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(
  samples: Array<{ ms: number; ok: boolean; rateLimited: boolean }>,
): Summary {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    count: samples.length,
    failed: samples.filter((s) => !s.ok).length,
    rateLimited: samples.filter((s) => s.rateLimited).length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const totalCalls = (phase: PhaseResult) =>
  Object.values(phase.calls).reduce((sum, c) => sum + c.total, 0);

/** Sustained Management calls per second over the steady state, per tenant. */
export const callsPerSecond = (phase: PhaseResult): Record<string, number> =>
  Object.fromEntries(
    Object.entries(phase.steady.calls).map(([tenant, n]) => [
      tenant,
      phase.steady.seconds > 0 ? n / phase.steady.seconds : 0,
    ]),
  );
/**
 * Whether every tenant stayed within `limit` calls/s over the steady state. Calls are counted as
 * they are answered, so one call sent before the window's edge may be counted inside it: one call
 * above limit × seconds is the edge, not the rate.
 */
const withinLimit = (phase: PhaseResult, limit: number) =>
  Object.values(phase.steady.calls).every((n) => n <= limit * phase.steady.seconds + 1);
/**
 * Management calls per page view over the steady state, both tenants together, the creators'
 * calls included (the stricter reading of "calls per read view").
 */
export const callsPerView = (phase: PhaseResult) => {
  const calls = Object.values(phase.steady.calls).reduce((a, b) => a + b, 0);
  return phase.steady.views > 0 ? calls / phase.steady.views : 0;
};

function rowsOf(phase: PhaseResult): Map<string, Summary> {
  const rows = new Map<string, Summary>();
  for (const [page, views] of groupBy(phase.views, (v) => v.page)) rows.set(page, summarize(views));
  for (const [action, done] of groupBy(phase.actions, (a) => a.action))
    rows.set(`${action} (action)`, summarize(done));
  return rows;
}

const cells = (s: Summary | undefined) =>
  s
    ? [String(s.count), ms(s.p50), ms(s.p95), ms(s.p99), String(s.failed), String(s.rateLimited)]
    : ["-", "-", "-", "-", "-", "-"];

/** A Markdown table: per page and action, each phase's figures side by side. */
export function formatTable(phases: PhaseResult[]): string {
  const perPhase = phases.map(rowsOf);
  const names = [...new Set(perPhase.flatMap((rows) => [...rows.keys()]))].sort((a, b) =>
    a.endsWith("(action)") === b.endsWith("(action)")
      ? a.localeCompare(b)
      : a.endsWith("(action)")
        ? 1
        : -1,
  );
  const columns = ["n", "p50", "p95", "p99", "failed", "429"];
  const head = ["page", ...phases.flatMap((p) => columns.map((c) => `${c} (${p.label})`))];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const name of names)
    lines.push(`| ${[name, ...perPhase.flatMap((rows) => cells(rows.get(name)))].join(" | ")} |`);
  return lines.join("\n");
}

const rates = (phase: PhaseResult) =>
  Object.entries(callsPerSecond(phase))
    .map(([tenant, r]) => `${tenant} ${r.toFixed(2)}/s`)
    .join(", ");

/** Management calls per tenant and the busiest operations, one block per phase. */
export function formatCalls(phase: PhaseResult, limitPerSecond: number): string {
  const views = phase.views.length;
  const lines = [
    `${phase.label}: ${totalCalls(phase)} Management calls in ${phase.seconds} s for ${views} views and ${phase.actions.length} actions; steady state ${rates(phase)} against the plan's ${limitPerSecond}/s per tenant, ${callsPerView(phase).toFixed(2)} calls per view`,
  ];
  for (const [tenant, c] of Object.entries(phase.calls)) {
    const top = Object.entries(c.operations)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([op, n]) => `${op} ${n}`)
      .join(", ");
    const perView = views > 0 ? (c.total / views).toFixed(2) : "-";
    lines.push(
      `  ${tenant}: ${c.total} calls (${c.rateLimited} answered 429), ${perView} per view; ${top || "none"}`,
    );
  }
  const creates = phase.actions.filter((a) => a.action === "create");
  if (creates.length > 0)
    lines.push(
      `  creates whose form said "Waiting for … rate limit": ${creates.filter((a) => a.waitShown).length} of ${creates.length}`,
    );
  lines.push(`  failed views per ${SLICE_S} s of the window: ${failuresOverTime(phase).join(" ")}`);
  const refused = Object.entries(phase.refusals ?? {}).sort((a, b) => b[1] - a[1]);
  if (refused.length > 0)
    lines.push(
      `  calls refused by the rate budget: ${refused.map(([w, n]) => `${w} ${n}`).join(", ")}`,
    );
  for (const [what, n] of Object.entries(phase.failures)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8))
    lines.push(`  failed ${n}×: ${what}`);
  return lines.join("\n");
}

const SLICE_S = 20;

/**
 * Failed views in each SLICE_S seconds from the window's start: whether failures come from the
 * cold start (every user's first view at once on an empty cache, as after a deploy) or last.
 */
export function failuresOverTime(phase: Pick<PhaseResult, "views" | "seconds">): number[] {
  const slices = new Array<number>(Math.max(1, Math.ceil(phase.seconds / SLICE_S))).fill(0);
  for (const v of phase.views) {
    if (v.ok) continue;
    const i = Math.min(slices.length - 1, Math.floor(v.at / 1000 / SLICE_S));
    slices[i] = (slices[i] ?? 0) + 1;
  }
  return slices;
}

export interface Verdict {
  target: string;
  met: boolean;
  figure: string;
}

/** Issue 16 goal 2's targets, judged on one phase (the portal as shipped: cache on). */
export function verdicts(phase: PhaseResult, limitPerSecond: number): Verdict[] {
  const reads = summarize(phase.views);
  const creates = summarize(phase.actions.filter((a) => a.action === "create"));
  const perView = callsPerView(phase);
  return [
    {
      target: "0 failed views",
      met: reads.failed === 0,
      figure: `${reads.failed} of ${reads.count} failed`,
    },
    {
      target: "read pages p95 < 300 ms",
      met: reads.count > 0 && reads.p95 < 300,
      figure: `p95 ${ms(reads.p95)}`,
    },
    {
      target: "read pages p99 < 1 s",
      met: reads.count > 0 && reads.p99 < 1000,
      figure: `p99 ${ms(reads.p99)}`,
    },
    {
      target: "create p99 < 3 s",
      met: creates.count > 0 && creates.failed === 0 && creates.p99 < 3000,
      figure: `p99 ${ms(creates.p99)}, ${creates.failed} of ${creates.count} failed`,
    },
    {
      target: `Management calls ≤ ${limitPerSecond}/s per tenant`,
      met: withinLimit(phase, limitPerSecond),
      figure: rates(phase),
    },
    { target: "calls per view < 0.5", met: perView < 0.5, figure: perView.toFixed(2) },
  ];
}

/** The plain line the benchmark ends with. */
export function verdictLine(list: Verdict[]): string {
  const met = list.filter((v) => v.met).map((v) => `${v.target} (${v.figure})`);
  const missed = list.filter((v) => !v.met).map((v) => `${v.target} (${v.figure})`);
  return `Targets met: ${met.join("; ") || "none"}. Missed: ${missed.join("; ") || "none"}.`;
}
