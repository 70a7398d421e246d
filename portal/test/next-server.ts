/**
 * The portal's server for e2e tests, on a free port against a given environment: the production
 * build's standalone server (what ships; the browser tests), or `next dev` (what `npm run dev`
 * runs; one quick check).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { untilHealthy } from "../../scripts/lib/standalone-portal";
import { freePort } from "../../tests/support/free-port";
import { stopWhenFileEnds } from "../../tests/support/stop-later";
import { LOCAL_TENANTS_ENV } from "../lib/config/local-tenants";
import { productionBuild } from "./production-build";

export { freePort };

export interface RunningPortal {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

const portalDir = path.resolve(__dirname, "..");

/**
 * The production build (built once per run: ./production-build.ts) served by its standalone
 * `server.js` in local-tenants mode, so that it signs in against the local tenants.
 */
export async function startProductionPortal(
  port: number,
  env: Record<string, string>,
): Promise<RunningPortal> {
  const standalone = await productionBuild();
  const child = spawn(process.execPath, ["portal/server.js"], {
    cwd: standalone,
    env: {
      ...process.env,
      ...env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "localhost",
      NEXT_TELEMETRY_DISABLED: "1",
      [LOCAL_TENANTS_ENV]: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return serving("server.js", child, `http://localhost:${port}`, 30_000);
}

/** next dev's build folder for tests (its types are in portal/tsconfig.json). */
const DEV_DIST_DIR = ".next/e2e";

/** `next dev`, as `npm run dev` starts it, in a build folder of its own started empty. */
export async function startNextDev(
  port: number,
  env: Record<string, string>,
): Promise<RunningPortal> {
  rmSync(path.join(portalDir, DEV_DIST_DIR), { recursive: true, force: true });
  const child = spawn(
    path.resolve(portalDir, "..", "node_modules", ".bin", "next"),
    ["dev", "-p", String(port)],
    {
      cwd: portalDir,
      env: { ...process.env, ...env, NEXT_DIST_DIR: DEV_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  return serving("next dev", child, `http://localhost:${port}`, 120_000);
}

/** Waits until `child` answers its health check at `url`; stops it when the test file ends. */
async function serving(
  name: string,
  child: ChildProcess,
  url: string,
  waitMs: number,
): Promise<RunningPortal> {
  // Registered at once: stopped when the test file ends even if the beforeAll that started it
  // times out meanwhile (tests/support/stop-later.ts).
  const stop = stopWhenFileEnds(async () => {
    const group = child.pid;
    if (child.exitCode !== null || !group) return;
    const exited = new Promise((r) => child.once("exit", r));
    killGroup(group, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) killGroup(group, "SIGKILL");
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  try {
    await untilHealthy(url, child, () => output, { name, waitMs });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}

/** Signals a server's process group (next spawns workers); one that is gone already is fine. */
function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
