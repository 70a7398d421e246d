/**
 * Management API requests counted where they arrive: at the local tenants (the portal is another
 * process). The tenants hand every Management request to their conformance recorder once it is
 * answered; this one counts instead of writing a file.
 */
import { ConformanceRecorder, type RequestRecord } from "../../../emulator/src/conformance/record";
import type { CallCount } from "./stats";

export class CallCounter extends ConformanceRecorder {
  private count: CallCount = { total: 0, rateLimited: 0, operations: {} };

  override record(entry: Omit<RequestRecord, "source">): void {
    this.count.total++;
    if (entry.status === 429) this.count.rateLimited++;
    const op = `${entry.method} ${entry.operationId ?? entry.path}`;
    this.count.operations[op] = (this.count.operations[op] ?? 0) + 1;
  }

  /** A copy of the counts so far. */
  snapshot(): CallCount {
    return { ...this.count, operations: { ...this.count.operations } };
  }
}

/** What was counted between two snapshots. */
export function since(before: CallCount, after: CallCount): CallCount {
  const operations: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.operations)) {
    const d = n - (before.operations[op] ?? 0);
    if (d > 0) operations[op] = d;
  }
  return {
    total: after.total - before.total,
    rateLimited: after.rateLimited - before.rateLimited,
    operations,
  };
}
