/**
 * `npm test`: lint, typecheck, then every test (unit, integration, browser) with vitest.
 * Runs each step in turn, stops at the first failure, and ends with one plain summary line.
 *
 * The local tenants serve HTTPS with a local CA. Node reads `NODE_EXTRA_CA_CERTS` only at start,
 * so the CA is made here, before vitest's processes start with the variable set.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ensureLocalCa } from "../emulator/src/ca";
import { printSummary } from "./lib/test-summary";

const root = path.resolve(__dirname, "..");
const resultsFile = path.join(root, ".astral", "test-results.json");
mkdirSync(path.dirname(resultsFile), { recursive: true });
const { caCertPath } = ensureLocalCa();
const env = { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath };

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
  if (step.name === "tests") printSummary(resultsFile);
  if (run.status !== 0) {
    console.error(`\n${step.name} failed (exit ${run.status ?? run.signal})`);
    process.exit(run.status || 1);
  }
}
