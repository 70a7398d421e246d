/**
 * Portal benchmark (ADR 0600): Management API calls, 429s and latency per view on a local
 * production tenant with many users and clients, under Auth0's Free rate limit, side by side with
 * the naive approach (list everything, then filter) on the same data.
 *
 *   npx tsx scripts/bench-portal.ts [--users 10000] [--clients 5000] [--teams 250]
 *                                   [--runs 20] [--naive-runs 3]
 *
 * Population goes through the Management API (the tenant's bootstrap client) before the Free
 * limit is switched on; use smaller numbers for a quick look. Each view is what a page costs:
 * the actor lookup (GET /users/{id}, one per request) plus the page's reads.
 */
import { performance } from "node:perf_hooks";
import { relaunchWithLocalCa } from "../../../emulator/src/relaunch";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

interface Row {
  label: string;
  calls: number;
  tenant429: number;
  user429: number;
  p50: number;
  p99: number;
  failure?: string | undefined;
}

async function main() {
  const USERS = arg("users", 10_000);
  const CLIENTS = arg("clients", 5_000);
  const TEAMS = arg("teams", 250);
  const RUNS = arg("runs", 20);
  const NAIVE_RUNS = arg("naive-runs", 3);
  // Imported after the relaunch: these read NODE_EXTRA_CA_CERTS-dependent state.
  const { CLIENT_KINDS } = await import("@astral/contract");
  const { startPortalHarness, newKey, ok } = await import("../../../portal/test/support");
  const { actions } = await import("../../../portal/lib/actions");
  const { getUser } = await import("../../../portal/lib/domain/users");
  const { PortalError } = await import("../../../portal/lib/errors");
  const { useRateLimitProfile } = await import("./profiles");
  const { startBenchTenants } = await import("./tenants");
  const { DEFAULT_RETRY } = await import("../../../portal/lib/management/retry");
  const h = await startPortalHarness(await startBenchTenants());
  // The production retry policy (the harness's is tuned for fast tests).
  const portal = h.portalWith(
    { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
    { retry: DEFAULT_RETRY },
  );
  const prod = h.root.production;
  try {
    // ---- population: TEAMS team records, CLIENTS - TEAMS credentials, USERS members ----------
    useRateLimitProfile(h.env, "unlimited");
    const t0 = performance.now();
    const now = new Date().toISOString();
    const teamIds: string[] = [];
    await pool(
      Array.from({ length: TEAMS }, (_, i) => i),
      16,
      async (i) => {
        const record = await prod.clients.create({
          name: `Team: bench-${i}`,
          app_type: "non_interactive",
          grant_types: [],
          client_metadata: {
            astral: CLIENT_KINDS.team,
            teamName: `bench-${i}`,
            createdBy: "bench",
            createdAt: now,
          },
        });
        teamIds[i] = record.client_id as string;
      },
    );
    await pool(
      Array.from({ length: CLIENTS - TEAMS }, (_, i) => i),
      16,
      async (i) => {
        await prod.clients.create({
          name: `cred-${i}`,
          app_type: "non_interactive",
          grant_types: ["client_credentials"],
          client_metadata: {
            astral: CLIENT_KINDS.credential,
            teamId: teamIds[i % TEAMS] as string,
            createdBy: "bench",
            createdAt: now,
          },
        });
      },
    );
    await pool(
      Array.from({ length: USERS }, (_, i) => i),
      16,
      async (i) => {
        await prod.users.create({
          connection: "Username-Password-Authentication",
          email: `user${i}@bench.test`,
          password: "Bench-Password-2026!",
          app_metadata: { teamId: teamIds[i % TEAMS] },
        });
      },
    );
    console.log(
      `populated production: ${USERS} users, ${CLIENTS} clients (${TEAMS} teams) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const member = await h.newUser("bench-member");
    const teamId = teamIds[0] as string;
    await prod.users.update(member.userId, { app_metadata: { teamId } });
    const actor = await h.refresh(member);
    const tenant = portal.tenants.production;
    const sandbox = portal.tenants.sandbox;
    if (!tenant || !sandbox) throw new Error("both tenants are needed");
    const apiCalls = () => tenant.calls.api + sandbox.calls.api;
    const tenant429 = () => tenant.calls.rateLimited + sandbox.calls.rateLimited;
    // Let the search indexes catch up with the population before measuring.
    await new Promise((resolve) => setTimeout(resolve, portal.searchLagMs + 500));
    useRateLimitProfile(h.env, "free");

    const measure = async (label: string, runs: number, view: () => Promise<unknown>) => {
      const times: number[] = [];
      let calls = 0;
      let user429 = 0;
      let failure: string | undefined;
      const before429 = tenant429();
      // A pause between views: one user's page views, not a load test.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      for (let r = 0; r < runs; r++) {
        const before = apiCalls() - tenant429();
        const start = performance.now();
        try {
          await view();
        } catch (error) {
          const code = error instanceof PortalError ? error.code : undefined;
          if (code === "rate_limited" || /rate_limited/.test(String(error))) user429++;
          else failure = String(error).split("\n")[0];
        }
        times.push(performance.now() - start);
        calls += apiCalls() - tenant429() - before; // answered calls; 429s counted apart
        if (failure) break;
      }
      times.sort((a, b) => a - b);
      return {
        label,
        calls: calls / times.length,
        tenant429: tenant429() - before429,
        user429,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        failure,
      } satisfies Row;
    };
    // What every page request costs first: the actor's current team and permissions.
    const actorLookup = () => getUser(tenant, actor.userId, "bench");

    // ---- the naive approach: list everything, then filter ------------------------------------
    const listAll = async (t: typeof tenant) => {
      const all = [];
      for (let page = 0; ; page++) {
        const p = await t.run("list all clients", (c) => c.clients.list({ page, per_page: 100 }), {
          safeToRepeat: true,
        });
        all.push(...p.data);
        if (p.data.length < 100) return all;
      }
    };
    // Auth0 pages through at most 1000 users: the naive approach cannot see them all. It takes
    // what it can, and its answer is then incomplete (its figures are a lower bound).
    let truncated = false;
    const listAllUsers = async () => {
      const all = [];
      for (let page = 0; ; page++) {
        try {
          const p = await tenant.run(
            "list all users",
            (c) => c.users.list({ page, per_page: 100 }),
            { safeToRepeat: true },
          );
          all.push(...p.data);
          if (p.data.length < 100) return all;
        } catch (error) {
          if (error instanceof PortalError && error.code === "rate_limited") throw error;
          truncated = true;
          return all;
        }
      }
    };
    const byTeam = (id: string, kind: string) => (c: { client_metadata?: unknown }) =>
      (c.client_metadata as Record<string, string> | undefined)?.teamId === id &&
      (c.client_metadata as Record<string, string> | undefined)?.astral === kind;

    const rows: Array<[Row, Row]> = [];
    rows.push([
      await measure("team page (portal)", RUNS, async () => {
        await actorLookup();
        ok(await actions.getTeam.invoke(portal, actor, { teamId }));
        ok(await actions.listMembers.invoke(portal, actor, { teamId, perPage: 20 }));
      }),
      await measure("team page (naive)", NAIVE_RUNS, async () => {
        await actorLookup();
        (await listAll(tenant)).find((c) => c.client_id === teamId);
        (await listAllUsers()).filter((u) => u.app_metadata?.teamId === teamId);
      }),
    ]);
    rows.push([
      await measure("credentials page (portal)", RUNS, async () => {
        await actorLookup();
        // As the page: the creator's email is on each credential, no members read.
        const input = { teamId, environment: "production", take: 20 };
        ok(await actions.listCredentials.invoke(portal, actor, input));
      }),
      await measure("credentials page (naive)", NAIVE_RUNS, async () => {
        await actorLookup();
        (await listAll(tenant)).filter(byTeam(teamId, "credential"));
        (await listAllUsers()).filter((u) => u.app_metadata?.teamId === teamId);
      }),
    ]);
    rows.push([
      await measure("admin teams page, 20 teams (portal)", RUNS, async () => {
        await actorLookup();
        ok(await actions.adminListTeams.invoke(portal, h.admin, { take: 20 }));
      }),
      await measure("admin teams page, 20 teams with counts (naive)", NAIVE_RUNS, async () => {
        await actorLookup();
        const clients = [...(await listAll(tenant)), ...(await listAll(sandbox))];
        const users = await listAllUsers();
        const teams = clients.filter((c) => c.client_metadata?.astral === "team").slice(0, 20);
        for (const t of teams) {
          users.filter((u) => u.app_metadata?.teamId === t.client_id).length;
          clients.filter(byTeam(t.client_id as string, "credential")).length;
        }
      }),
    ]);
    rows.push([
      await measure("admin teams page, 20 teams with counts (portal)", NAIVE_RUNS, async () => {
        await actorLookup();
        ok(await actions.adminListTeams.invoke(portal, h.admin, { take: 20, counts: true }));
      }),
      await measure("(naive: as above)", 0, async () => undefined),
    ]);
    rows.push([
      await measure("create credential (portal, idempotent)", RUNS, async () => {
        await actorLookup();
        ok(
          await actions.createCredential.invoke(portal, actor, {
            teamId,
            environment: "production",
            name: "bench",
            idempotencyKey: newKey(),
          }),
        );
      }),
      await measure(
        "create credential (naive: scan for duplicates first)",
        NAIVE_RUNS,
        async () => {
          await actorLookup();
          const key = newKey();
          (await listAll(tenant)).find((c) => c.client_metadata?.requestId === key);
          const c = await tenant.run(
            "create",
            (m) =>
              m.clients.create({
                name: "bench-naive",
                app_type: "non_interactive",
                grant_types: ["client_credentials"],
                client_metadata: {
                  astral: "credential",
                  teamId,
                  createdBy: "bench",
                  createdAt: now,
                  requestId: key,
                },
              }),
            { safeToRepeat: false },
          );
          await tenant.run(
            "grant",
            (m) =>
              m.clientGrants.create({
                client_id: c.client_id as string,
                audience: h.env.seed.production.exampleApi.identifier,
                scope: [],
              }),
            { safeToRepeat: false },
          );
        },
      ),
    ]);

    console.log(
      `\nProduction tenant: ${USERS} users, ${CLIENTS} clients (${TEAMS} teams); Free rate limit; portal ${RUNS} runs, naive ${NAIVE_RUNS}`,
    );
    if (truncated)
      console.log(
        "(naive: Auth0 stops user paging at 1000 records, so its member lists and counts are incomplete;\n its figures are what it spent before giving up: a lower bound)",
      );
    const head = `${"view".padEnd(52)} ${"calls".padStart(6)} ${"429 tenant".padStart(10)} ${"429 user".padStart(8)} ${"p50".padStart(9)} ${"p99".padStart(9)}`;
    console.log(head);
    for (const pair of rows)
      for (const r of pair) {
        if (r.label.startsWith("(")) continue;
        console.log(
          `${r.label.padEnd(52)} ${r.calls.toFixed(1).padStart(6)} ${String(r.tenant429).padStart(10)} ${String(r.user429).padStart(8)} ${`${r.p50.toFixed(0)} ms`.padStart(9)} ${`${r.p99.toFixed(0)} ms`.padStart(9)}${r.failure ? `  FAILED: ${r.failure}` : ""}`,
        );
      }
  } finally {
    await h.close();
  }
}

if (!relaunchWithLocalCa()) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
