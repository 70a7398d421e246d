/** Starts the portal with `next dev` on a free port against given environment, for e2e tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

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

export async function startNextDev(
  port: number,
  env: Record<string, string>,
  warmRoutes: string[] = [],
): Promise<RunningPortal> {
  const portalDir = path.resolve(__dirname, "..");
  const child: ChildProcess = spawn(
    path.resolve(portalDir, "..", "node_modules", ".bin", "next"),
    ["dev", "-p", String(port)],
    {
      cwd: portalDir,
      env: { ...process.env, ...env, NEXT_DIST_DIR: ".next/e2e", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next dev did not become healthy:\n${output}`);
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
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || !child.pid) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    },
  };
}
