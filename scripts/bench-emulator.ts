/**
 * `npm run bench:emulator`: how fast are the local tenants with a big tenant?
 *
 * A child process runs the tenants (so the load generator does not steal their event loop); this
 * process fills the sandbox tenant with 10,000 users and 5,000 clients through the Management API
 * (the only path: no back door), then measures requests/s, p50 and p99 for:
 *   - GET /api/v2/clients pages (per_page=50, include_totals, random pages),
 *   - client search by metadata.teamId (`GET /clients/search`, answered from an index),
 *   - user search by app_metadata.teamId (Lucene `q`, answered from an index),
 *   - token issuance (client_credentials for the example API).
 * Bounded: a fixed number of requests per scenario. Prints figures only. It measures throughput,
 * not Auth0's limits: the Management API's rate limit (always on, headers still sent) is raised
 * out of the way, since even the `test` profile (500/s) is below what one tenant serves here.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTenants } from "../emulator/src/index";
import { relaunchWithLocalCa } from "../emulator/src/relaunch";
import { readBootstrap } from "../emulator/src/seed";

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 5_000);
const TEAMS = 500;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = 16;

interface Served {
  sandbox: { baseUrl: string; domain: string };
}

/** Child mode: start the tenants, report where, run until killed. */
async function serve(stateDir: string): Promise<void> {
  const running = await startTenants({ stateDir });
  for (const tenant of Object.values(running.live))
    tenant.control.setRateLimit({ limit: 1_000_000 });
  process.send?.({ sandbox: running.tenants.sandbox });
  process.on("disconnect", () => void running.close().then(() => process.exit(0)));
}

async function pool<T>(count: number, worker: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await worker(i);
      }
    }),
  );
  return out;
}

async function json(res: Response): Promise<Record<string, unknown>> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function measure(name: string, request: (i: number) => Promise<Response>): Promise<void> {
  const times: number[] = [];
  const started = performance.now();
  await pool(REQUESTS, async (i) => {
    const t = performance.now();
    const res = await request(i);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${name}: ${res.status}`);
    times.push(performance.now() - t);
  });
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
  console.log(
    `${name.padEnd(34)} ${(REQUESTS / seconds).toFixed(0).padStart(6)} req/s   p50 ${pct(0.5).padStart(6)} ms   p99 ${pct(0.99).padStart(6)} ms`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serve(process.argv[3] as string);
  if (relaunchWithLocalCa()) return;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "astral-bench-"));
  const child = fork(__filename, ["--serve", stateDir], { execArgv: process.execArgv });
  try {
    const served = await new Promise<Served>((resolve, reject) => {
      child.once("message", (m) => resolve(m as Served));
      child.once("exit", (code) => reject(new Error(`tenant process exited (${code})`)));
    });
    const base = served.sandbox.baseUrl;
    const boot = readBootstrap(stateDir, "sandbox");
    const tokenFor = async (clientId: string, secret: string, audience: string) =>
      (
        await json(
          await fetch(`${base}/oauth/token`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              grant_type: "client_credentials",
              client_id: clientId,
              client_secret: secret,
              audience,
            }),
          }),
        )
      ).access_token as string;
    const token = await tokenFor(boot.clientId, boot.clientSecret, boot.audience);
    const api = (method: string, p: string, body?: unknown) =>
      fetch(`${base}/api/v2${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const exampleApi = "https://bench.example.local/";
    await json(
      await api("POST", "/resource-servers", {
        identifier: exampleApi,
        name: "Bench API",
        scopes: [{ value: "read:bench" }],
      }),
    );

    let t = performance.now();
    await pool(USERS, async (i) =>
      json(
        await api("POST", "/users", {
          connection: "Username-Password-Authentication",
          email: `user${i}@bench.example`,
          password: "Bench-Passw0rd",
          app_metadata: {
            teamId: `team-${i % TEAMS}`,
            permissions: i % 100 === 0 ? ["portal-admin"] : [],
          },
        }),
      ),
    );
    console.log(
      `seeded ${USERS} users through the API in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    const clients = await pool(CLIENTS, async (i) =>
      json(
        await api("POST", "/clients", {
          name: `credential ${i}`,
          app_type: "non_interactive",
          grant_types: ["client_credentials"],
          client_metadata: { astral: "credential", teamId: `team-${i % TEAMS}` },
        }),
      ),
    );
    const granted = clients.slice(0, 100);
    await pool(granted.length, async (i) =>
      json(
        await api("POST", "/client-grants", {
          client_id: granted[i]?.client_id,
          audience: exampleApi,
          scope: ["read:bench"],
        }),
      ),
    );
    console.log(
      `seeded ${CLIENTS} clients through the API in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    console.log(`\n${REQUESTS} requests per scenario, ${CONCURRENCY} concurrent, keep-alive HTTPS`);

    const pages = Math.ceil((CLIENTS + 3) / 50);
    await measure("GET /clients (page of 50, totals)", (i) =>
      api("GET", `/clients?per_page=50&page=${(i * 7) % pages}&include_totals=true`),
    );
    await measure("GET /clients/search?q=metadata.teamId", (i) =>
      api(
        "GET",
        `/clients/search?q=${encodeURIComponent(`metadata.teamId:"team-${i % TEAMS}"`)}&take=50`,
      ),
    );
    await measure("GET /users?q=app_metadata.teamId", (i) =>
      api(
        "GET",
        `/users?q=${encodeURIComponent(`app_metadata.teamId:"team-${i % TEAMS}"`)}&search_engine=v3&per_page=50`,
      ),
    );
    await measure("POST /oauth/token (client_credentials)", (i) => {
      const c = granted[i % granted.length] as Record<string, string>;
      return fetch(`${base}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: c.client_id as string,
          client_secret: c.client_secret as string,
          audience: exampleApi,
        }),
      });
    });
  } finally {
    child.disconnect();
    await new Promise((r) => child.once("exit", r));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
