/**
 * What the conformance check reads: one JSON line per Management API request the product made
 * during `npm test` (rule ids in emulator/src/rules.ts). Recording is on when
 * `ASTRAL_CONFORMANCE_DIR` is set (scripts/test.ts sets it) and the test is not one of the
 * emulator's own, which send bad requests on purpose.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";

export const CONFORMANCE_DIR_ENV = "ASTRAL_CONFORMANCE_DIR";

export interface RequestRecord {
  tenant: string;
  method: string;
  /** Path below `/api/v2`, without the query. */
  path: string;
  /** The operation of Auth0's document (with supplements) it matched; null: none. */
  operationId: string | null;
  /** Query parameters as sent (every value of each name). */
  query: Record<string, string[]>;
  /** Top-level keys of the JSON body, if any. */
  bodyKeys: string[];
  status: number;
  /** `errorCode` of an error answer. */
  errorCode?: string;
  /** Test file that made the request (relative to the repository). */
  source: string;
}

/** Appends records to one JSONL file per process in `dir`. */
export class ConformanceRecorder {
  private readonly file: string;

  constructor(
    dir: string,
    readonly source: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${process.pid}-${Date.now().toString(36)}.jsonl`);
  }

  record(entry: Omit<RequestRecord, "source">): void {
    appendFileSync(this.file, `${JSON.stringify({ ...entry, source: this.source })}\n`);
  }
}

/** Reads every record of a folder's JSONL files (lines that are not JSON are skipped). */
export function parseRecords(lines: string): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (const line of lines.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RequestRecord);
    } catch {
      // a line cut short by a killed process: nothing to check
    }
  }
  return out;
}
