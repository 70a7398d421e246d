/**
 * Ground truth nobody here wrote: go-auth0's recordings of a real Auth0 tenant, replayed in order
 * against a fresh local tenant (test/replay/). Every interaction on an operation the local
 * tenants serve must come back as recorded (status, key sets, deterministic values); the figure
 * is printed, and interactions on operations the local tenants do not serve are counted apart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";
import { managementToken } from "./helpers";
import { loadCassettes } from "./replay/cassettes";
import { type InteractionResult, type ReplayTarget, replayCassette } from "./replay/replay";

const cassettes = loadCassettes();
let env: SeededTenants;
let target: ReplayTarget;
const results: InteractionResult[] = [];

async function idsOf(path: string, key: string, idKey: string): Promise<string[]> {
  const res = await fetch(`${target.tenant.baseUrl}/api/v2/${path}`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  const body = (await res.json()) as Record<string, Record<string, unknown>[]>;
  return (body[key] ?? []).map((item) => String(item[idKey]));
}

beforeAll(async () => {
  // Searches see writes at once: the recordings show Auth0's index after it caught up, and the
  // lag is a timing the recordings cannot show (rule `consistency.search-lag`). Rotated secrets
  // likewise. The replay sends requests Auth0 refused on purpose: not the product's conformance.
  env = await startSeededTenants({ searchLagMs: 0, rotationDelayMs: 0, recordConformance: false });
  const tenant = env.tenants.sandbox;
  target = {
    tenant,
    bootstrap: readBootstrap(env.stateDir, "sandbox"),
    token: await managementToken(env, "sandbox"),
    preexisting: new Set(),
  };
  // The recorded tenant gave a new application no connection (TestClientManager_ReadEnabledConnections
  // #1 lists none): its `flags.enable_client_connections` was off, as tenants/tenant.yaml sets it.
  const flags = await fetch(`${tenant.baseUrl}/api/v2/tenants/settings`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
    body: JSON.stringify({ flags: { enable_client_connections: false } }),
  });
  expect(flags.status).toBe(200);
  target.preexisting = new Set([
    ...(await idsOf("clients?per_page=100&include_totals=true", "clients", "client_id")),
    ...(await idsOf("resource-servers?per_page=100&include_totals=true", "resource_servers", "id")),
  ]);
});
afterAll(() => env?.close());

describe("go-auth0's recorded real-tenant traffic, replayed", () => {
  it.each(cassettes.map((c) => [c.name, c] as const))("%s", async (_name, cassette) => {
    const got = await replayCassette(cassette, target);
    results.push(...got);
    const failed = got.filter((r) => r.served && r.differences.length > 0);
    expect(
      failed.map((r) => `#${r.index} ${r.request}\n    ${r.differences.join("\n    ")}`),
    ).toEqual([]);
  });

  it("matches every served interaction", () => {
    const served = results.filter((r) => r.served);
    const matching = served.filter((r) => r.differences.length === 0);
    const notServed = results.filter((r) => !r.served);
    const onlyStatus = served.filter((r) => r.statusOnly).length;
    console.log(
      `replay: ${matching.length}/${served.length} served interactions match ` +
        `(${((100 * matching.length) / Math.max(served.length, 1)).toFixed(1)} %; ` +
        `${onlyStatus} of them compared by status only); ` +
        `${notServed.length} on operations the local tenants do not serve` +
        (notServed.length
          ? `: ${[...new Set(notServed.map((r) => r.request.replace(/\?.*/, "")))].join("; ")}`
          : ""),
    );
    expect(results.length).toBe(cassettes.reduce((n, c) => n + c.interactions.length, 0));
    expect(matching.length).toBe(served.length);
  });
});
