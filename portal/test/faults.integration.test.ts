/**
 * Faults: the local tenants rate-limit (429 + x-ratelimit-*), fail requests with 5xx and add
 * latency, and the transport loses some responses *after* the tenant acted (the case that makes
 * naive retries duplicate clients). A few hundred portal operations later there must be no
 * orphaned client, no duplicate, no half-made credential (every one has its grant), and no
 * unhandled error (every failure is a PortalError with a known code).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import type { ActionResult } from "../lib/guard";
import {
  allClients,
  newKey,
  ok,
  type PortalHarness,
  sleep,
  startPortalHarness,
  TEST_SEARCH_LAG_MS,
} from "./support";

let h: PortalHarness;

const seen = { rateLimited: 0, serverErrors: 0, lost: 0 };

/** A fetch that counts what the tenants answered and sometimes "loses" a response after the
 * tenant acted on the request. */
function lossyFetch(
  rate: number,
  matches: (method: string, path: string) => boolean,
): typeof fetch {
  return async (input, init) => {
    const url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
    );
    const method = (init?.method ?? "GET").toUpperCase();
    const response = await fetch(input, init);
    if (response.status === 429) seen.rateLimited++;
    if (response.status >= 500) seen.serverErrors++;
    if (response.ok && matches(method, url.pathname) && Math.random() < rate) {
      seen.lost++;
      await response.arrayBuffer().catch(() => undefined);
      throw new TypeError("fetch failed"); // as undici reports a reset connection
    }
    return response;
  };
}

beforeAll(async () => {
  h = await startPortalHarness();
}, 120_000);
afterAll(async () => h?.close());

describe("faults", () => {
  it("a few hundred operations under 429s, 5xx, latency and lost responses leave a clean tenant", async () => {
    const portal = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      {
        fetch: lossyFetch(
          0.15,
          (m, p) => m === "POST" && (p === "/api/v2/clients" || p === "/api/v2/client-grants"),
        ),
      },
    );
    let owner: Actor = await h.newUser("fault-owner");
    // Like a user: the form keeps its key; a lost answer is retried with it.
    const teamInput = { name: "Faulty", idempotencyKey: newKey() };
    let created = await actions.createTeam.invoke(portal, owner, teamInput);
    for (let attempt = 0; !created.ok && attempt < 10; attempt++) {
      if (created.error.code === "retry_later") await sleep(TEST_SEARCH_LAG_MS / 2);
      created = await actions.createTeam.invoke(portal, owner, teamInput);
    }
    const team = ok(created);
    owner = await h.refresh(owner);
    const teamId = team.teamId;

    for (const tenant of ["production", "sandbox"] as const) {
      h.env.control.setRateLimit(tenant, { limit: 40, windowSeconds: 1 });
      h.env.control.setFaults(tenant, [
        { route: "/api/v2/", status: 503, errorRate: 0.08, latencyMs: 3 },
        { route: "POST /api/v2/client-grants", status: 500, errorRate: 0.15 },
        { route: "DELETE /api/v2/clients", status: 502, errorRate: 0.1 },
      ]);
    }

    const results: ActionResult<unknown>[] = [];
    const live = new Map<string, { environment: "sandbox" | "production"; clientId: string }>();
    let operations = 0;
    const record = <T>(r: ActionResult<T>) => {
      operations++;
      results.push(r);
      return r;
    };

    // A user's create: the form keeps its idempotency key until a create succeeds, and the user
    // waits when told the tenant needs a moment (an earlier attempt's answer was lost).
    const createOne = async (environment: "sandbox" | "production") => {
      const key = newKey();
      for (let attempt = 0; attempt < 12; attempt++) {
        const r = record(
          await actions.createCredential.invoke(portal, owner, {
            teamId,
            environment,
            name: "faulty",
            idempotencyKey: key,
          }),
        );
        if (r.ok) {
          live.set(key, { environment, clientId: r.data.clientId });
          return;
        }
        if (r.error.code === "retry_later") await sleep(TEST_SEARCH_LAG_MS / 2);
      }
      throw new Error(`a create never completed (key ${key})`);
    };

    const worker = async (w: number) => {
      for (let i = 0; i < 16; i++) {
        const environment = (w + i) % 2 ? "sandbox" : "production";
        await createOne(environment);
        record(await actions.listCredentials.invoke(portal, owner, { teamId, environment }));
        record(await actions.listMembers.invoke(portal, owner, { teamId }));
        const mine = [...live.entries()].filter(([, c]) => c.environment === environment);
        const pick = mine[(w + i) % Math.max(mine.length, 1)];
        if (pick && i % 3 === 1)
          record(await actions.rotateCredential.invoke(portal, owner, { teamId, ...pick[1] }));
        if (pick && i % 4 === 3) {
          for (let attempt = 0; attempt < 8; attempt++) {
            const r = record(
              await actions.revokeCredential.invoke(portal, owner, { teamId, ...pick[1] }),
            );
            if (r.ok || r.error.code === "not_found") {
              live.delete(pick[0]);
              break;
            }
          }
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    h.env.control.clear();

    expect(operations).toBeGreaterThanOrEqual(200);
    const failures = results.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok);
    // The faults did happen...
    expect(seen.rateLimited).toBeGreaterThan(0);
    expect(seen.serverErrors).toBeGreaterThan(10);
    expect(seen.lost).toBeGreaterThan(3);
    // ...and every failure that reached a user is a handled PortalError with a known code.
    for (const f of failures)
      expect(["upstream_error", "rate_limited", "not_found", "retry_later"]).toContain(
        f.error.code,
      );
    console.log(
      `fault run: ${operations} operations; tenants answered ${seen.rateLimited} x 429 and ${seen.serverErrors} x 5xx, ${seen.lost} responses lost; ${failures.length} reported failures (${[...new Set(failures.map((f) => f.error.code))].join(", ")}), ${live.size} live credentials`,
    );

    // The tenants hold exactly the live credentials: no orphan, no duplicate, each fully granted.
    for (const environment of ["sandbox", "production"] as const) {
      const clients = (await allClients(h.root[environment])).filter(
        (c) => c.client_metadata?.teamId === teamId && c.client_metadata?.astral === "credential",
      );
      const expected = [...live.values()]
        .filter((c) => c.environment === environment)
        .map((c) => c.clientId);
      expect(clients.map((c) => c.client_id).sort()).toEqual(expected.sort());
      const keys = clients.map((c) => c.client_metadata?.requestId);
      expect(new Set(keys).size).toBe(keys.length);
      for (const c of clients) {
        const grants = await h.root[environment].clientGrants.list({
          client_id: c.client_id as string,
        });
        expect(grants.data.map((g) => g.audience)).toEqual([
          h.env.seed.sandbox.exampleApi.identifier,
        ]);
      }
    }
  }, 180_000);
});
