/**
 * `npm test`: lint, then every test (unit, integration, browser) with vitest while both
 * typechecks run beside it at a lower priority, then the conformance check of the Management API
 * requests the tests recorded (scripts/conformance.ts). A lint failure stops the run at once; a
 * failed typecheck fails it at the end. Ends with the time of each step and test layer and one
 * plain summary line.
 *
 * The typechecks use TypeScript 7, the native compiler (devDependency `typescript-7`): about 3 s
 * each where TypeScript 5.9 took 45–100 s of CPU each, a third of the suite's CPU on a 2-core
 * machine (ADR 0001 "Typecheck"). `typescript` 5.9 stays for what loads it as a library: Next's
 * build (the image type-checks the portal with it) and Pulumi's ts-node. Niced beside the tests,
 * they cost no wall time.
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

/**
 * Runs a tool: a name from node_modules/.bin, or a path inside node_modules; `quiet` buffers its
 * output (printed when it ends).
 */
function run(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean; nice?: boolean } = {},
): Promise<{ status: number; output: string; seconds: number }> {
  const started = performance.now();
  const tool = path.join(root, "node_modules", bin.includes("/") ? "" : ".bin", bin);
  return new Promise((resolve) => {
    const [command, commandArgs] = options.nice
      ? ["nice", ["-n", "10", tool, ...args]]
      : [tool, args];
    const child = spawn(command, commandArgs, {
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

type Check = { name: string; bin: string; args: string[] };
/** TypeScript 7's compiler (`.bin/tsc` is 5.9's: both packages name their binary tsc). */
const TSC_7 = "typescript-7/bin/tsc";

/** Prints a check's buffered output and records its time; true when it passed. */
function report(check: Check, result: Awaited<ReturnType<typeof run>>): boolean {
  console.log(`\n== ${check.name}: ${check.bin} ${check.args.join(" ")}`);
  process.stdout.write(result.output);
  times.push([check.name, result.seconds]);
  return result.status === 0;
}

async function main() {
  const lint: Check = { name: "lint", bin: "biome", args: ["check", "."] };
  const lintResult = await run(lint.bin, lint.args, { quiet: true });
  if (!report(lint, lintResult)) fail(lint.name, lintResult.status);
  const typechecks: Check[] = [
    { name: "typecheck", bin: TSC_7, args: ["-p", "tsconfig.json", "--noEmit"] },
    { name: "typecheck portal", bin: TSC_7, args: ["-p", "portal/tsconfig.json", "--noEmit"] },
  ];
  const typecheckResults = Promise.all(
    typechecks.map((c) => run(c.bin, c.args, { quiet: true, nice: true })),
  );

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
  // The portal is being type-checked beside the tests (the run fails if that fails): the
  // standalone test's `next build` need not do it again (portal/next.config.ts reads this).
  const tests = await run("vitest", vitestArgs, {
    env: { ...env, TMPDIR: testTmp, ASTRAL_PORTAL_TYPECHECKED: "1" },
  });
  times.push(["tests (vitest)", tests.seconds]);
  let status = tests.status;
  const typed = await typecheckResults;
  const untyped = typechecks.filter(
    (check, i) => !report(check, typed[i] as Awaited<ReturnType<typeof run>>),
  ).length;
  if (untyped > 0) status ||= 1;
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
  // failed typecheck, a leftover or a nonconforming request counts as one more failed check in the
  // closing line.
  const conformanceStarted = performance.now();
  const conforming = checkRecordedRequests() === 0;
  times.push(["conformance", seconds(conformanceStarted)]);
  if (!conforming) status ||= 1;
  console.log("\n== time per step (the typechecks ran beside the tests)");
  for (const line of layerTable(times, layersFile)) console.log(line);
  printSummary(resultsFile, untyped + (left.length > 0 ? 1 : 0) + (conforming ? 0 : 1));
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
