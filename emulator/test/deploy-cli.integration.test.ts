/**
 * auth0-deploy-cli against a local tenant: `a0deploy export`, then `a0deploy import` of a YAML
 * that adds a resource server. The tenant's state is checked afterwards, not the exit code (the
 * CLI has been seen to report success although the server answered 404). Slow (the CLI spends
 * ~25 s compiling schemas per run): this is the one file that runs it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { backendScopes, managementApiAudience } from "@astral/contract";
import { ManagementClient } from "auth0";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { A0DEPLOY_IMPORT_TIMEOUT_MS } from "../../tests/support/timeouts";

/** The seed offers both credential kinds: the 20 scopes and create:client_credentials. */
const SEEDED_SCOPES = backendScopes(["client_secret", "key_pair"]).sort();

import { REPO_ROOT } from "../src/paths";
import { readBootstrap } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";

let env: SeededTenants;
let work: string;
let admin: ManagementClient;

beforeAll(async () => {
  env = await startSeededTenants();
  work = mkdtempSync(path.join(os.tmpdir(), "astral-a0deploy-"));
  const boot = readBootstrap(env.stateDir, "sandbox");
  // The deploy client is the tenant's bootstrap client, as a platform engineer would set it up.
  writeFileSync(
    path.join(work, "config.json"),
    JSON.stringify({
      AUTH0_DOMAIN: env.tenants.sandbox.domain,
      AUTH0_CLIENT_ID: boot.clientId,
      AUTH0_CLIENT_SECRET: boot.clientSecret,
      AUTH0_INCLUDED_ONLY: ["clients", "clientGrants", "resourceServers"],
      AUTH0_ALLOW_DELETE: false,
    }),
    { mode: 0o600 },
  );
  admin = new ManagementClient({
    domain: env.tenants.sandbox.domain,
    clientId: boot.clientId,
    clientSecret: boot.clientSecret,
  });
});
afterAll(async () => {
  await env?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function a0deploy(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO_ROOT, "node_modules", ".bin", "a0deploy"), args, {
      cwd: work,
      env: process.env, // carries NODE_EXTRA_CA_CERTS, set by `npm test`
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

interface TenantYaml {
  resourceServers: Array<{
    name: string;
    identifier: string;
    scopes?: Array<{ value: string; description?: string }>;
  }>;
  clients: Array<{ name: string }>;
  clientGrants: Array<{ client_id: string; audience: string; scope: string[] }>;
}

describe("auth0-deploy-cli", () => {
  it("exports the tenant, then imports a YAML that adds a resource server", {
    timeout: A0DEPLOY_IMPORT_TIMEOUT_MS,
  }, async () => {
    const clientsBefore = (await admin.clients.list({ per_page: 100 })).data.length;

    const exported = await a0deploy(["export", "-c", "config.json", "-f", "yaml", "-o", "export"]);
    expect(exported.output).toContain("Export Successful");
    const tenant = parse(
      readFileSync(path.join(work, "export", "tenant.yaml"), "utf8"),
    ) as TenantYaml;
    expect(tenant.resourceServers.map((r) => r.identifier)).toEqual([
      env.seed.sandbox.exampleApi.identifier,
    ]);
    expect(tenant.clients.map((c) => c.name)).toContain("Astral Backend");
    const backendGrant = tenant.clientGrants.find(
      (g) => g.audience === managementApiAudience(env.tenants.sandbox.domain),
    );
    expect(backendGrant?.client_id).toBe("Astral Backend"); // the CLI swaps ids for names
    expect([...(backendGrant?.scope ?? [])].sort()).toEqual(SEEDED_SCOPES);

    tenant.resourceServers.push({
      name: "Orders API",
      identifier: "https://orders.example.local/",
      scopes: [{ value: "read:orders", description: "Read orders" }],
    });
    writeFileSync(path.join(work, "import.yaml"), stringify(tenant));
    const imported = await a0deploy(["import", "-c", "config.json", "-i", "import.yaml"]);
    expect(imported.output, imported.output).not.toMatch(/error/i);

    // The tenant's state, not the CLI's word.
    const orders = (
      await admin.resourceServers.list({ identifiers: ["https://orders.example.local/"] })
    ).data;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      name: "Orders API",
      scopes: [{ value: "read:orders", description: "Read orders" }],
    });
    expect((await admin.clients.list({ per_page: 100 })).data).toHaveLength(clientsBefore);
    const grants = await admin.clientGrants.list({ client_id: env.seed.sandbox.backend.clientId });
    expect(grants.data).toHaveLength(1);
    expect([...(grants.data[0]?.scope ?? [])].sort()).toEqual(SEEDED_SCOPES);
  });
});
