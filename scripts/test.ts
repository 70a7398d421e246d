/**
 * `npm test`: lint, typecheck, then every test (unit, integration, browser) with vitest, then the
 * conformance check of the Management API requests the tests recorded (scripts/conformance.ts).
 * Runs each step in turn, stops at the first failure, and ends with one plain summary line.
 *
 * The local tenants serve HTTPS with a local CA. Node reads `NODE_EXTRA_CA_CERTS` only at start,
 * so the CA is made here, before vitest's processes start with the variable set.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureLocalCa } from "../emulator/src/ca";
import { CONFORMANCE_DIR_ENV } from "../emulator/src/conformance/record";
import { CONFORMANCE_DIR, runConformance } from "./conformance";

const root = path.resolve(__dirname, "..");
const resultsFile = path.join(root, ".astral", "test-results.json");
mkdirSync(path.dirname(resultsFile), { recursive: true });
const { caCertPath } = ensureLocalCa();
// The tests record the product's Management API requests here; the conformance step reads them.
rmSync(CONFORMANCE_DIR, { recursive: true, force: true });
const env = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: caCertPath,
  [CONFORMANCE_DIR_ENV]: CONFORMANCE_DIR,
};

const steps: Array<{ name: string; cmd: string[] }> = [
  { name: "lint", cmd: ["biome", "check", "."] },
  { name: "typecheck", cmd: ["tsc", "-p", "tsconfig.json", "--noEmit"] },
  { name: "typecheck portal", cmd: ["tsc", "-p", "portal/tsconfig.json", "--noEmit"] },
  {
    name: "tests",
    cmd: [
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${resultsFile}`,
      ...process.argv.slice(2),
    ],
  },
];

for (const step of steps) {
  console.log(`\n== ${step.name}: ${step.cmd.join(" ")}`);
  const [bin, ...args] = step.cmd as [string, ...string[]];
  const run = spawnSync(path.join(root, "node_modules", ".bin", bin), args, {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (step.name === "tests") {
    printSummary();
    // The conformance report is useful even when a test failed: run it before giving up.
    const conformance = checkRecordedRequests();
    if (run.status === 0 && conformance !== 0) process.exit(1);
  }
  if (run.status !== 0) {
    console.error(`\n${step.name} failed (exit ${run.status ?? run.signal})`);
    process.exit(run.status || 1);
  }
}

/** Conformance: every recorded request of the product must be one Auth0 answers the same way. */
function checkRecordedRequests(): number {
  console.log("\n== conformance: the product's Management API requests against the rules table");
  const code = runConformance();
  if (code !== 0) {
    console.error(
      "\nconformance failed: requests above are outside the rules (emulator/README.md)",
    );
  }
  return code;
}

function printSummary(): void {
  try {
    const r = JSON.parse(readFileSync(resultsFile, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    console.log(
      `\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
    );
  } catch {
    console.log("\nno test results were written");
  }
}
