/**
 * `npm test`: lint and both typechecks (side by side), then every test (unit, integration,
 * browser) with vitest, then the conformance check of the Management API requests the tests
 * recorded (scripts/conformance.ts). Stops at the first failed step, and ends with the time of
 * each step and test layer and one plain summary line.
 *
 * The local tenants serve HTTPS with a local CA. Node reads `NODE_EXTRA_CA_CERTS` only at start,
 * so the CA is made here, before vitest's processes start with the variable set.
 *
 * vitest runs with a temp dir of its own (TMPDIR); the run fails, naming them, if the tests left
 * anything in it, and the folder itself is removed either way.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureLocalCa } from "../emulator/src/ca";
import { CONFORMANCE_DIR_ENV } from "../emulator/src/conformance/record";
import { CONFORMANCE_DIR, runConformance } from "./conformance";
import { layerTable, TEST_LAYERS_FILE_ENV } from "./lib/test-layers";
import { printSummary } from "./lib/test-summary";
import { leftoversIn } from "./lib/test-temp-dir";

const root = path.resolve(__dirname, "..");
const resultsFile = path.join(root, ".astral", "test-results.json");
const layersFile = path.join(root, ".astral", "test-layers.json");
mkdirSync(path.dirname(resultsFile), { recursive: true });
rmSync(layersFile, { force: true });
const { caCertPath } = ensureLocalCa();
// The tests record the product's Management API requests here; the conformance step reads them.
rmSync(CONFORMANCE_DIR, { recursive: true, force: true });
const env = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: caCertPath,
  [CONFORMANCE_DIR_ENV]: CONFORMANCE_DIR,
  [TEST_LAYERS_FILE_ENV]: layersFile,
};
const times: Array<[string, number]> = [];
const seconds = (since: number) => (performance.now() - since) / 1000;

/** Runs a tool from node_modules/.bin; `quiet` buffers its output (printed when it ends). */
function run(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<{ status: number; output: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules", ".bin", bin), args, {
      cwd: root,
      env: options.env ?? env,
      stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    child.on("close", (code, signal) =>
      resolve({ status: code ?? (signal ? 1 : 0), output, seconds: seconds(started) }),
    );
  });
}

function fail(step: string, status: number): never {
  console.error(`\n${step} failed (exit ${status})`);
  process.exit(status || 1);
}

async function main() {
  // Lint and the two typechecks need one core each at most and share nothing: side by side.
  const checks: Array<{ name: string; bin: string; args: string[] }> = [
    { name: "lint", bin: "biome", args: ["check", "."] },
    { name: "typecheck", bin: "tsc", args: ["-p", "tsconfig.json", "--noEmit"] },
    { name: "typecheck portal", bin: "tsc", args: ["-p", "portal/tsconfig.json", "--noEmit"] },
  ];
  const results = await Promise.all(checks.map((c) => run(c.bin, c.args, { quiet: true })));
  let failed: [string, number] | undefined;
  checks.forEach((check, i) => {
    const result = results[i] as Awaited<ReturnType<typeof run>>;
    console.log(`\n== ${check.name}: ${check.bin} ${check.args.join(" ")}`);
    process.stdout.write(result.output);
    times.push([check.name, result.seconds]);
    if (result.status !== 0) failed ??= [check.name, result.status];
  });
  if (failed) fail(...failed);

  const vitestArgs = [
    "run",
    "--reporter=default",
    "--reporter=json",
    "--reporter=./scripts/lib/test-layers.ts",
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ];
  console.log(`\n== tests: vitest ${vitestArgs.join(" ")}`);
  const testTmp = mkdtempSync(path.join(os.tmpdir(), "astral-test-run-"));
  // The portal was just type-checked: the standalone test's `next build` need not do it again
  // (portal/next.config.ts reads this).
  const tests = await run("vitest", vitestArgs, {
    env: { ...env, TMPDIR: testTmp, ASTRAL_PORTAL_TYPECHECKED: "1" },
  });
  times.push(["tests (vitest)", tests.seconds]);
  let status = tests.status;
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
  const conformanceStarted = performance.now();
  const conforming = checkRecordedRequests() === 0;
  times.push(["conformance", seconds(conformanceStarted)]);
  if (!conforming) status ||= 1;
  console.log("\n== time per step (lint and typechecks ran side by side)");
  for (const line of layerTable(times, layersFile)) console.log(line);
  printSummary(resultsFile, (left.length > 0 ? 1 : 0) + (conforming ? 0 : 1));
  if (status !== 0) fail("tests", status);
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

void main();
