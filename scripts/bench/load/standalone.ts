/**
 * The production build the benchmark measures: `next build` (standalone output) in its own build
 * folder, with the files the Dockerfile copies beside `server.js`, then `node portal/server.js`
 * on a free port in local-tenants mode. The build is reused while the sources it came from are
 * unchanged (a fingerprint of their paths, sizes and times).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildStandalone, standaloneDir, untilHealthy } from "../../lib/standalone-portal";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PORTAL = path.join(ROOT, "portal");
export const DIST_DIR = ".next/bench";
const STANDALONE = standaloneDir(DIST_DIR);
const FINGERPRINT = path.join(PORTAL, DIST_DIR, "astral-bench-sources");

/** Paths, sizes and modification times of what the build reads. */
function fingerprint(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if ([".next", "node_modules", "test"].includes(entry.name)) continue;
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      // Docs do not go into the build.
      else if (entry.isFile() && !entry.name.endsWith(".md")) {
        const s = statSync(p);
        hash.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(PORTAL);
  walk(path.join(ROOT, "infra", "contract"));
  hash.update(readFileSync(path.join(ROOT, "package-lock.json")));
  return hash.digest("hex");
}

/** Builds the standalone server unless the last build came from the same sources. */
export function buildPortal(log: (line: string) => void): void {
  const sources = fingerprint();
  const server = path.join(STANDALONE, "portal", "server.js");
  if (
    existsSync(server) &&
    existsSync(FINGERPRINT) &&
    readFileSync(FINGERPRINT, "utf8") === sources
  ) {
    log(`reusing the build in portal/${DIST_DIR} (sources unchanged)`);
    return;
  }
  log(`next build into portal/${DIST_DIR} …`);
  rmSync(STANDALONE, { recursive: true, force: true });
  const started = Date.now();
  buildStandalone(DIST_DIR);
  // Taken again: the build itself rewrites files it reads (next-env.d.ts, tsconfig.json).
  writeFileSync(FINGERPRINT, fingerprint());
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Server action ids by exported name (`portal/app/actions.ts`), from the build's manifest. */
export function serverActionIds(): Record<string, string> {
  const manifest = JSON.parse(
    readFileSync(path.join(PORTAL, DIST_DIR, "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName?: string; filename?: string }> };
  const ids: Record<string, string> = {};
  for (const [id, entry] of Object.entries(manifest.node))
    if (entry.filename === "portal/app/actions.ts" && entry.exportedName)
      ids[entry.exportedName] = id;
  return ids;
}

export interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServer(
  port: number,
  env: Record<string, string>,
): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, ["portal/server.js"], {
    cwd: STANDALONE,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Interrupted (Ctrl-C, a kill), the benchmark takes its server along: left behind with its
  // output pipes closed, Next logs the EPIPE as an uncaught error, and that again, at full CPU
  // (seen 2026-12-04: two such servers at 80 % each distorted the next run).
  const orphaned = () => child.kill("SIGKILL");
  process.once("exit", orphaned);
  child.once("exit", () => process.off("exit", orphaned));
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    // As the load balancer: users come once the task says it is ready (portal/lib/readiness.ts).
    await untilHealthy(url, child, () => output, { waitMs: 120_000, path: "/api/ready" });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}
