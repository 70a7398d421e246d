/** The plain closing line of a test run (`N passed, N failed, N skipped`), from vitest's JSON report. */
import { readFileSync } from "node:fs";

/** `extraFailed`: failed checks outside vitest (e.g. a temp-dir leftover) that count too. */
export function printSummary(resultsFile: string, extraFailed = 0): void {
  try {
    const r = JSON.parse(readFileSync(resultsFile, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      testResults?: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
    };
    // A file whose setup failed reports its tests as skipped: count it as one failure.
    const brokenFiles = (r.testResults ?? []).filter(
      (file) =>
        file.status === "failed" && !file.assertionResults.some((t) => t.status === "failed"),
    ).length;
    console.log(
      `\n${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles + extraFailed} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
    );
  } catch {
    console.log("\nno test results were written");
  }
}
