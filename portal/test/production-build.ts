/**
 * One production build of the portal per test run, shared by every file that serves it (the
 * standalone test, the browser tests): scripts/lib/standalone-portal.ts's `next build` and the
 * files portal/Dockerfile copies beside server.js. The build takes a minute or two of
 * both cores, so it must not run twice: the first file to ask builds under a lock across vitest's
 * processes, and stamps the folder with the run's id (vitest.config.mts provides it); a file that
 * finds this run's stamp uses the build as it is. A new run builds again, so the tests always
 * serve the code as it is now.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { buildStandalone, standaloneDir } from "../../scripts/lib/standalone-portal";
import { lockDir } from "../../tests/support/dir-lock";

declare module "vitest" {
  export interface ProvidedContext {
    /** Different in every vitest run (vitest.config.mts). */
    testRunId: string;
  }
}

const portalDir = path.resolve(__dirname, "..");
/** The build folder, relative to portal/ (NEXT_DIST_DIR). */
export const BUILD_DIST_DIR = ".next/build-test";
/** The standalone server's folder: `node portal/server.js` runs here. */
export const STANDALONE_DIR = standaloneDir(BUILD_DIST_DIR);
const stampFile = path.join(portalDir, BUILD_DIST_DIR, "test-run-id");

/** Builds the portal once per test run (see the file comment); resolves to STANDALONE_DIR. */
export async function productionBuild(): Promise<string> {
  const runId = inject("testRunId");
  if (!runId) throw new Error("no testRunId: run the tests through vitest.config.mts");
  const unlock = await lockDir(path.join(portalDir, ".next", "build-test.lock"), 900_000);
  try {
    if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === runId) return STANDALONE_DIR;
    rmSync(stampFile, { force: true });
    rmSync(STANDALONE_DIR, { recursive: true, force: true });
    buildStandalone(BUILD_DIST_DIR);
    writeFileSync(stampFile, runId);
    return STANDALONE_DIR;
  } finally {
    unlock();
  }
}
