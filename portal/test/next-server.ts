/** Starts the portal with `next dev` on a free port against given environment, for e2e tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { stopWhenFileEnds } from "../../tests/support/stop-later";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPortal {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** The build folder every test's `next dev` uses (its types are in portal/tsconfig.json). */
const DIST_DIR = ".next/e2e";

/**
 * One `next dev` at a time in DIST_DIR: Next refuses a second dev server on the same folder
 * ("Another next dev server is already running"), and vitest may start two browser test files
 * side by side. The lock is a folder (mkdir is atomic) holding its owner's pid; a lock whose
 * process is gone is taken over. Waits up to `waitMs`.
 */
async function lockDistDir(portalDir: string, waitMs: number): Promise<() => void> {
  const lock = path.join(portalDir, ".next", "e2e.lock");
  const owner = path.join(lock, "pid");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(owner, "utf8"));
      } catch {
        // being written or removed: look again
      }
      if (pid > 0 && !alive(pid)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`${lock} still held by pid ${pid} after ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startNextDev(
  port: number,
  env: Record<string, string>,
  warmRoutes: string[] = [],
): Promise<RunningPortal> {
  const portalDir = path.resolve(__dirname, "..");
  const unlock = await lockDistDir(portalDir, 300_000);
  // A fresh build folder: a dev server started over the folder (and Turbopack cache) another one
  // left, with another PORTAL_CONFIG, recompiled and reloaded pages in a loop.
  rmSync(path.join(portalDir, DIST_DIR), { recursive: true, force: true });
  const child: ChildProcess = spawn(
    path.resolve(portalDir, "..", "node_modules", ".bin", "next"),
    ["dev", "-p", String(port)],
    {
      cwd: portalDir,
      env: { ...process.env, ...env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  // Registered at once: stopped when the test file ends even if the beforeAll that started it
  // times out while next dev compiles (tests/support/stop-later.ts).
  const stop = stopWhenFileEnds(async () => {
    try {
      const group = child.pid;
      if (child.exitCode !== null || !group) return;
      const exited = new Promise((r) => child.once("exit", r));
      killGroup(group, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) killGroup(group, "SIGKILL");
    } finally {
      unlock();
    }
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 90_000;
  const fail = async (why: string) => {
    await stop();
    return new Error(`next dev ${why}:\n${output}`);
  };
  for (;;) {
    if (child.exitCode !== null) throw await fail("exited early");
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw await fail("did not become healthy");
    await new Promise((r) => setTimeout(r, 500));
  }
  // Compile every page (and its client chunks) before a browser arrives: on a cold cache,
  // Turbopack compiling on demand made the client router reload pages mid-step.
  for (const route of warmRoutes) {
    const html = await fetch(`${url}${route}`).then(
      (r) => r.text(),
      () => "",
    );
    const chunks = [...html.matchAll(/(?:src|href)="(\/_next\/[^"]+)"/g)].map((m) => m[1]);
    await Promise.all(
      chunks.map((c) =>
        fetch(`${url}${c}`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      ),
    );
  }
  return { url, output: () => output, stop };
}

/** Signals next dev's process group (it spawns workers); one that is gone already is fine. */
function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
