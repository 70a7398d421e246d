/**
 * One production build of the portal per test run, shared by every file that serves it (the
 * standalone test, the browser tests): `next build` (standalone output, in its own build folder)
 * and the files portal/Dockerfile copies beside server.js. The build takes a minute or two of
 * both cores, so it must not run twice: the first file to ask builds under a lock across vitest's
 * processes, and stamps the folder with the run's id (vitest.config.mts provides it); a file that
 * finds this run's stamp uses the build as it is. A new run builds again, so the tests always
 * serve the code as it is now.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
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
export const STANDALONE_DIR = path.join(portalDir, BUILD_DIST_DIR, "standalone");
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
    build();
    writeFileSync(stampFile, runId);
    return STANDALONE_DIR;
  } finally {
    unlock();
  }
}

function build(): void {
  const run = spawnSync(path.resolve(portalDir, "..", "node_modules", ".bin", "next"), ["build"], {
    cwd: portalDir,
    env: {
      ...process.env,
      NEXT_DIST_DIR: BUILD_DIST_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
    },
    encoding: "utf8",
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`next build failed:\n${run.stdout}\n${run.stderr}`);
  // What the Dockerfile copies next to server.js.
  const into = path.join(STANDALONE_DIR, "portal");
  cpSync(
    path.join(portalDir, BUILD_DIST_DIR, "static"),
    path.join(into, BUILD_DIST_DIR, "static"),
    {
      recursive: true,
    },
  );
  for (const item of ["public", "portal.config.js", "openapi"])
    cpSync(path.join(portalDir, item), path.join(into, item), { recursive: true });
}
