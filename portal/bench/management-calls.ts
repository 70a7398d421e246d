/**
 * Portal benchmark: Management API calls and server time for the team page, the admin teams page
 * and credential creation on a local tenant with many users and clients, side by side with the
 * naive approach (list everything, then filter) on the same data.
 *
 *   npx tsx scripts/bench-portal.ts [--users 10000] [--clients 5000] [--teams 250] [--runs 5]
 *
 * Population goes through the Management API (the tenant's bootstrap client), so it takes a
 * while for the full size; use smaller numbers for a quick look.
 */
import { performance } from "node:perf_hooks";
import { relaunchWithLocalCa } from "../../emulator/src/relaunch";

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

async function main() {
  const USERS = arg("users", 10_000);
  const CLIENTS = arg("clients", 5_000);
  const TEAMS = arg("teams", 250);
  const RUNS = arg("runs", 5);
  // Imported after the relaunch: these read NODE_EXTRA_CA_CERTS-dependent state.
  const { CLIENT_KINDS } = await import("@astral/contract");
  const { startPortalHarness, newKey, ok } = await import("../test/support");
  const { actions } = await import("../lib/actions");
  const h = await startPortalHarness();
  const prod = h.root.production;
  try {
    // ---- population: TEAMS team records, CLIENTS - TEAMS credentials, USERS members ----------
    const t0 = performance.now();
    const teamIds = Array.from({ length: TEAMS }, (_, i) => `team_${String(i).padStart(16, "0")}`);
    const now = new Date().toISOString();
    await pool(teamIds, 16, async (teamId) => {
      await prod.clients.create({
        name: `Team: ${teamId}`,
        app_type: "non_interactive",
        grant_types: [],
        client_metadata: {
          astral: CLIENT_KINDS.team,
          teamId,
          teamName: teamId,
          createdBy: "bench",
          createdAt: now,
        },
      });
    });
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
    const tenant = h.portal.tenants.production;
    const sandbox = h.portal.tenants.sandbox;
    if (!tenant || !sandbox) throw new Error("both tenants are needed");
    // Calls to both tenants (the admin page counts credentials in each).
    const apiCalls = () => tenant.calls.api + sandbox.calls.api;

    const measure = async (label: string, fn: () => Promise<unknown>) => {
      const times: number[] = [];
      let calls = 0;
      let failure: string | undefined;
      for (let r = 0; r < RUNS; r++) {
        const before = apiCalls();
        const start = performance.now();
        try {
          await fn();
        } catch (error) {
          failure = (error as Error).message.split("\n")[0];
        }
        times.push(performance.now() - start);
        calls = apiCalls() - before;
        if (failure) break;
      }
      times.sort((a, b) => a - b);
      return { label, calls, median: times[Math.floor(times.length / 2)] ?? 0, failure };
    };

    // ---- the naive approach: list everything, then filter ------------------------------------
    const listAllClients = async () => {
      const all = [];
      for (let page = 0; ; page++) {
        const p = await tenant.run(
          "list all clients",
          (c) => c.clients.list({ page, per_page: 100 }),
          {
            safeToRepeat: true,
          },
        );
        all.push(...p.data);
        if (p.data.length < 100) return all;
      }
    };
    // Auth0 pages through at most 1000 users (the tenant refuses further pages): the naive
    // approach cannot see them all. It takes what it can, and its answer is then incomplete.
    let truncated = false;
    const listAllUsers = async () => {
      const all = [];
      for (let page = 0; ; page++) {
        try {
          const p = await tenant.run(
            "list all users",
            (c) => c.users.list({ page, per_page: 100 }),
            {
              safeToRepeat: true,
            },
          );
          all.push(...p.data);
          if (p.data.length < 100) return all;
        } catch {
          truncated = true;
          return all;
        }
      }
    };
    const adminPage = Math.max(0, Math.min(3, Math.floor(TEAMS / 20) - 1));

    const rows = [
      [
        await measure("team page (portal)", async () => {
          ok(await actions.getTeam.invoke(h.portal, actor, { teamId }));
          ok(await actions.listMembers.invoke(h.portal, actor, { teamId, perPage: 20 }));
          ok(
            await actions.listCredentials.invoke(h.portal, actor, {
              teamId,
              environment: "production",
              perPage: 20,
            }),
          );
        }),
        await measure("team page (naive)", async () => {
          const clients = await listAllClients();
          clients.find(
            (c) => c.client_metadata?.teamId === teamId && c.client_metadata?.astral === "team",
          );
          clients.filter(
            (c) =>
              c.client_metadata?.teamId === teamId && c.client_metadata?.astral === "credential",
          );
          (await listAllUsers()).filter((u) => u.app_metadata?.teamId === teamId);
        }),
      ],
      [
        await measure("admin teams page, 20 teams with counts (portal)", async () => {
          ok(
            await actions.adminListTeams.invoke(h.portal, h.admin, {
              page: adminPage,
              perPage: 20,
            }),
          );
        }),
        await measure("admin teams page, 20 teams with counts (naive)", async () => {
          const clients = await listAllClients();
          // Sandbox credentials count too: list that tenant's clients as well.
          for (let page = 0; ; page++) {
            const p = await sandbox.run(
              "list all sandbox clients",
              (c) => c.clients.list({ page, per_page: 100 }),
              {
                safeToRepeat: true,
              },
            );
            clients.push(...p.data);
            if (p.data.length < 100) break;
          }
          const users = await listAllUsers();
          const teams = clients
            .filter((c) => c.client_metadata?.astral === "team")
            .slice(adminPage * 20, adminPage * 20 + 20);
          for (const t of teams) {
            users.filter((u) => u.app_metadata?.teamId === t.client_metadata?.teamId).length;
            clients.filter((c) => c.client_metadata?.teamId === t.client_metadata?.teamId).length;
          }
        }),
      ],
      [
        await measure("create credential (portal, idempotent)", async () => {
          ok(
            await actions.createCredential.invoke(h.portal, actor, {
              teamId,
              environment: "production",
              name: "bench",
              idempotencyKey: newKey(),
            }),
          );
        }),
        await measure("create credential (naive: scan for duplicates first)", async () => {
          const key = newKey();
          const clients = await listAllClients();
          clients.find((c) => c.client_metadata?.requestId === key);
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
        }),
      ],
    ];

    console.log(`\nProduction tenant: ${USERS} users, ${CLIENTS} clients; median of ${RUNS} runs`);
    if (truncated)
      console.log(
        "(naive: Auth0 stops user paging at 1000 records, so its member lists and counts are incomplete;\n the naive figures below are what it spent before giving up: a lower bound)",
      );
    console.log(`${"operation".padEnd(56)} ${"mgmt calls".padStart(10)} ${"time".padStart(10)}`);
    for (const [portal, naive] of rows) {
      for (const r of [portal, naive]) {
        if (!r) continue;
        const time = `${r.median.toFixed(0)} ms`;
        console.log(
          `${r.label.padEnd(56)} ${String(r.calls).padStart(10)} ${time.padStart(10)}${r.failure ? `  FAILED: ${r.failure}` : ""}`,
        );
      }
      if (portal && naive && !naive.failure)
        console.log(
          `${"  ratio naive / portal".padEnd(56)} ${(naive.calls / portal.calls).toFixed(1).padStart(9)}x ${(naive.median / portal.median).toFixed(1).padStart(9)}x`,
        );
      else
        console.log(
          `${"  ratio naive / portal".padEnd(56)} ${"n/a: the naive approach cannot answer".padStart(21)}`,
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
