/**
 * `npm run bench:load [-- --users 50 --teams 5 --seconds 120 --creators 5 --change-every 30
 * --plan free]`: issue
 * 16's load benchmark (ADR 0600, "Load benchmark"). The production build (standalone server, in
 * local-tenants mode) against local tenants on the plan's limits with search lag; N users signed
 * in through the login flow browse with think time while some create, rotate and revoke Sandbox
 * credentials (a change every `--change-every` seconds each, browsing between); then the same with the portal's read cache off. Prints per page p50/p95/p99,
 * failures and 429s that reached a user, Management calls (counted at the tenants) per view and
 * per second against the plan's limit, the machine's load, and which targets were met. A
 * benchmark that prints: it exits 0 whatever the figures, and 1 only when it could not run.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { relaunchWithLocalCa } from "../../../emulator/src/relaunch";

// Ctrl-C or a kill ends the run through process.exit, so that its servers are stopped too
// (standalone.ts) and the local tenants' processes end with it.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(1));

/** Where each phase's server log goes (ignored by git, as everything under .astral/). */
const LOG_DIR = path.resolve(__dirname, "..", "..", "..", ".astral", "bench");

async function main() {
  const { parseLoadOptions } = await import("./options");
  const options = parseLoadOptions(process.argv.slice(2));
  const { buildPortal, serverActionIds, startServer } = await import("./standalone");
  const { populate } = await import("./population");
  const { runPhase, signInAll } = await import("./phase");
  const stats = await import("./stats");
  const { freePort } = await import("../../../tests/support/free-port");
  const { localPortalEnv } = await import("../../../portal/lib/config/local-env");
  const { LOCAL_TENANTS_ENV } = await import("../../../portal/lib/config/local-tenants");
  const { READ_CACHE_TTL_ENV } = await import("../../../portal/lib/portal");
  const { DEFAULT_SEARCH_LAG_MS } = await import("../../../emulator/src/index");
  const log = (line: string) => console.log(line);

  log(
    `bench:load: ${options.users} users in ${options.teams} teams (+ the admin), ${options.creators} creating (${options.changeEvery === 0 ? "one change after another" : `a change every ${options.changeEvery} s each`}), ${options.seconds} s per run, plan ${options.plan}`,
  );
  buildPortal(log);
  const actionIds = serverActionIds();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const pop = await populate({ ...options, callbackUrl: `${url}/auth/callback`, logoutUrl: url });
  const phases = [];
  try {
    for (const [label, ttl] of [
      ["cache on", undefined],
      ["cache off", "0"],
    ] as const) {
      const env = {
        ...localPortalEnv(pop.seed, {
          baseUrl: url,
          sessionSecret: randomBytes(32).toString("hex"),
          caCertPath: process.env.NODE_EXTRA_CA_CERTS ?? "",
          searchLagMs: DEFAULT_SEARCH_LAG_MS,
          auth0Plan: options.plan,
        }),
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
        [LOCAL_TENANTS_ENV]: "1",
        ...(ttl === undefined ? {} : { [READ_CACHE_TTL_ENV]: ttl }),
      };
      const server = await startServer(port, env);
      try {
        // Ready once its reads ahead of the first views were done: what they read, how long.
        const warm = /\{"type":"prewarm"[^\n]*\}/.exec(server.output())?.[0];
        log(`${label}: ready (${warm ?? "no prewarm line"})`);
        const users = await signInAll(url, pop);
        log(`${label}: ${users.length} users signed in; measuring ${options.seconds} s …`);
        pop.restartLimits();
        const phase = await runPhase({
          label,
          seconds: options.seconds,
          creators: options.creators,
          changeEverySeconds: options.changeEvery,
          users,
          pop,
          actionIds,
        });
        phase.refusals = stats.refusalsIn(server.output());
        phases.push(phase);
        log(stats.formatCalls(phase, pop.limitPerSecond));
      } finally {
        await server.stop();
        // The server's own log of the phase (errors with their request ids; no secrets: the
        // portal never logs them), for what the table cannot say.
        const logFile = path.join(LOG_DIR, `server-${label.replace(" ", "-")}.log`);
        mkdirSync(LOG_DIR, { recursive: true });
        writeFileSync(logFile, server.output());
        log(`${label}: the server's log is in ${path.relative(process.cwd(), logFile)}`);
      }
    }
  } finally {
    await pop.close();
  }
  log("");
  log(stats.formatTable(phases));
  log("");
  for (const phase of phases)
    log(
      `${phase.label}: load average ${phase.loadavg.map((l) => l.toFixed(2)).join(" / ")} (1/5/15 min) on ${os.cpus().length} cores`,
    );
  const shipped = phases[0];
  if (shipped) log(stats.verdictLine(stats.verdicts(shipped, pop.limitPerSecond)));
}

if (!relaunchWithLocalCa()) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
