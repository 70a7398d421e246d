/**
 * `npm test`: lint, typecheck, then every test (unit, integration, browser) with vitest, then the
 * conformance check of the Management API requests the tests recorded (scripts/conformance.ts).
 * Runs each step in turn, stops at the first failure, and ends with one plain summary line.
 *
 * The local tenants serve HTTPS with a local CA. Node reads `NODE_EXTRA_CA_CERTS` only at start,
 * so the CA is made here, before vitest's processes start with the variable set.
 *
 * vitest runs with a temp dir of its own (TMPDIR); the run fails, naming them, if the tests left
 * anything in it, and the folder itself is removed either way.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureLocalCa } from "../emulator/src/ca";
import { CONFORMANCE_DIR_ENV } from "../emulator/src/conformance/record";
import { CONFORMANCE_DIR, runConformance } from "./conformance";
import { printSummary } from "./lib/test-summary";
import { leftoversIn } from "./lib/test-temp-dir";

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
  const testTmp =
    step.name === "tests" ? mkdtempSync(path.join(os.tmpdir(), "astral-test-run-")) : "";
  const run = spawnSync(path.join(root, "node_modules", ".bin", bin), args, {
    cwd: root,
    env: testTmp ? { ...env, TMPDIR: testTmp } : env,
    stdio: "inherit",
  });
  let status = run.status;
  if (testTmp) {
    const left = leftoversIn(testTmp);
    rmSync(testTmp, { recursive: true, force: true });
    if (left.length > 0) {
      console.error(
        `\nthe tests left ${left.length} item(s) in their temp dir (remove them where they are ` +
          `made, e.g. with tests/support/temp-dirs.ts): ${left.join(", ")}`,
      );
      status ||= 1;
    }
    // The conformance report is useful even when a test failed: run it before giving up. A
    // leftover or a nonconforming request counts as one more failed check in the closing line.
    const conforming = checkRecordedRequests() === 0;
    if (!conforming) status ||= 1;
    printSummary(resultsFile, (left.length > 0 ? 1 : 0) + (conforming ? 0 : 1));
  }
  if (status !== 0) {
    console.error(`\n${step.name} failed (exit ${status ?? run.signal})`);
    process.exit(status || 1);
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
