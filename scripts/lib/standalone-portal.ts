/**
 * The portal's production build as the image ships it, without a container: `next build`
 * (standalone output) into a build folder of its own, with the files portal/Dockerfile copies
 * beside `server.js`; and the wait until a started `server.js` answers its health check. Plain
 * Node (no vitest): the tests' shared build (portal/test/production-build.ts), the browser and
 * standalone tests and the load benchmark (scripts/bench/load/standalone.ts) all use it.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";

export const PORTAL_DIR = path.resolve(__dirname, "..", "..", "portal");

/** The standalone server's folder for a build folder (relative to portal/): run `node portal/server.js` there. */
export function standaloneDir(distDir: string): string {
  return path.join(PORTAL_DIR, distDir, "standalone");
}

/**
 * `next build` into `distDir` (relative to portal/, NEXT_DIST_DIR), then what the Dockerfile
 * copies next to server.js: the static assets, public/, portal.config.js and the OpenAPI
 * documents it names. Returns the standalone folder; throws with next's output on failure. `env`:
 * the build's environment (NEXT_DIST_DIR and the rest below are set over it).
 */
export function buildStandalone(distDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync(path.resolve(PORTAL_DIR, "..", "node_modules", ".bin", "next"), ["build"], {
    cwd: PORTAL_DIR,
    env: {
      ...env,
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
    },
    encoding: "utf8",
    timeout: 900_000,
  });
  if (run.status !== 0) throw new Error(`next build failed:\n${run.stdout}\n${run.stderr}`);
  const into = path.join(standaloneDir(distDir), "portal");
  cpSync(path.join(PORTAL_DIR, distDir, "static"), path.join(into, distDir, "static"), {
    recursive: true,
  });
  for (const item of ["public", "portal.config.js", "openapi"])
    cpSync(path.join(PORTAL_DIR, item), path.join(into, item), { recursive: true });
  return standaloneDir(distDir);
}

/**
 * Waits until the server `child` started answers `GET path` (default `/api/health`; the load
 * balancer's is `/api/ready`) at `url` with 200; throws, with its output, when it exits first or
 * `waitMs` passes.
 */
export async function untilHealthy(
  url: string,
  child: ChildProcess,
  output: () => string,
  {
    name = "server.js",
    waitMs = 30_000,
    path = "/api/health",
  }: { name?: string; waitMs?: number; path?: string } = {},
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output()}`);
    const ok = await fetch(`${url}${path}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
