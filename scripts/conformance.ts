/**
 * The conformance step of `npm test` (after vitest): reads the Management API requests the tests
 * recorded in `.astral/conformance/`, checks them against the rules table, prints the operations
 * used with counts and exits 1 naming every request outside the rules.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkConformance, formatReport } from "../emulator/src/conformance/check";
import { parseRecords } from "../emulator/src/conformance/record";
import { OpenApi } from "../emulator/src/openapi";
import { ASTRAL_DIR } from "../emulator/src/paths";

export const CONFORMANCE_DIR = path.join(ASTRAL_DIR, "conformance");

export function runConformance(dir = CONFORMANCE_DIR): number {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")) : [];
  const records = files.flatMap((f) => parseRecords(readFileSync(path.join(dir, f), "utf8")));
  if (records.length === 0) {
    console.log("conformance: no Management API requests were recorded by these tests");
    return 0;
  }
  const report = checkConformance(records, new OpenApi());
  console.log(formatReport(report));
  return report.violations.length === 0 ? 0 : 1;
}

if (require.main === module) process.exit(runConformance());
