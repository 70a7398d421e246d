/**
 * The official `auth0` SDK (v7 ManagementClient), holding only the Astral Backend's credentials,
 * does every call the product needs against a local tenant over HTTPS.
 */
import { backendScopes, managementApiAudience, PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { ManagementClient, ManagementError } from "auth0";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";

let env: SeededTenants;
let mgmt: ManagementClient;

beforeAll(async () => {
  // Not about search lag (client-search.integration.test.ts is): searches see writes at once.
  env = await startSeededTenants({ searchLagMs: 0 });
  const { domain, backend } = env.seed.sandbox;
  mgmt = new ManagementClient({
    domain,
    clientId: backend.clientId,
    clientSecret: backend.clientSecret,
  });
});
afterAll(() => env?.close());

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof ManagementError) return err.statusCode ?? 0;
    throw err;
  }
}

describe("Astral Backend with the auth0 SDK", () => {
  it("was seeded with exactly the contract's scopes on the Management API (both kinds offered: 20 + create:client_credentials)", async () => {
    const page = await mgmt.clientGrants.list({ client_id: env.seed.sandbox.backend.clientId });
    expect(page.data).toHaveLength(1);
    expect(page.data[0]?.audience).toBe(managementApiAudience(env.seed.sandbox.domain));
    expect([...(page.data[0]?.scope ?? [])].sort()).toEqual(
      backendScopes(["client_secret", "key_pair"]).sort(),
    );
  });

  it("creates, reads, searches, pages, patches, rotates and deletes clients", async () => {
    const teamId = `team-${Date.now()}`;
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(
        await mgmt.clients.create({
          name: `cred ${i}`,
          app_type: "non_interactive",
          grant_types: ["client_credentials"],
          client_metadata: { astral: "credential", teamId, n: String(i) },
        }),
      );
    }
    const id = made[0]?.client_id as string;
    expect(made[0]?.client_secret).toMatch(/^[\w-]{64}$/);
    expect((await mgmt.clients.get(id)).name).toBe("cred 0");

    // Offset pages over every client (GET /clients permits no metadata query).
    const first = await mgmt.clients.list({ per_page: 2, include_totals: true });
    expect(first.data).toHaveLength(2);
    const total = first.response.total ?? 0;
    expect(total).toBeGreaterThanOrEqual(3);
    const all = [];
    for await (const c of await mgmt.clients.list({ per_page: 2 })) all.push(c);
    expect(all).toHaveLength(total);
    const ours = all.filter((c) => c.client_metadata?.teamId === teamId).map((c) => c.name);
    expect(ours).toEqual(["cred 0", "cred 1", "cred 2"]);

    const fields = await mgmt.clients.list({
      fields: "name,client_id",
      include_fields: true,
      per_page: 1,
    });
    // Auth0 answers `fields` with the tenant beside them (rule clients.fields.tenant).
    expect(Object.keys(fields.data[0] ?? {}).sort()).toEqual(["client_id", "name", "tenant"]);

    const patched = await mgmt.clients.update(id, {
      name: "renamed",
      client_metadata: { n: null as never, extra: "x" },
    });
    expect(patched.name).toBe("renamed");
    expect(patched.client_metadata).toEqual({ astral: "credential", teamId, extra: "x" });

    const rotated = await mgmt.clients.rotateSecret(id);
    expect(rotated.client_secret).not.toBe(made[0]?.client_secret);

    await mgmt.clients.delete(id);
    expect(await status(mgmt.clients.get(id))).toBe(404);
  });

  it("manages client grants, refusing a second grant on the same client and audience", async () => {
    const client = await mgmt.clients.create({ name: "granted", app_type: "non_interactive" });
    const audience = env.seed.sandbox.exampleApi.identifier;
    const grant = await mgmt.clientGrants.create({
      client_id: client.client_id as string,
      audience,
      scope: ["read:examples"],
    });
    expect(grant.scope).toEqual(["read:examples"]);
    expect(
      await status(
        mgmt.clientGrants.create({ client_id: client.client_id as string, audience, scope: [] }),
      ),
    ).toBe(409);
    const byAudience = await mgmt.clientGrants.list({
      audience,
      client_id: client.client_id as string,
    });
    expect(byAudience.data.map((g) => g.id)).toEqual([grant.id]);
    const updated = await mgmt.clientGrants.update(grant.id as string, {
      scope: ["read:examples", "write:examples"],
    });
    expect(updated.scope).toEqual(["read:examples", "write:examples"]);
    // Checkpoint paging (from/take), as the SDK iterates it.
    const many = [];
    for await (const g of await mgmt.clientGrants.list({ take: 1 })) many.push(g.id);
    expect(many.length).toBeGreaterThanOrEqual(2);
    expect(new Set(many).size).toBe(many.length);
    expect(many).toContain(grant.id);
    await mgmt.clientGrants.delete(grant.id as string);
    expect((await mgmt.clientGrants.list({ client_id: client.client_id as string })).data).toEqual(
      [],
    );
  });

  it("creates users, merges app_metadata, searches with Lucene and finds by email", async () => {
    const teamId = `t${Date.now()}`;
    const a = await mgmt.users.create({
      connection: "Username-Password-Authentication",
      email: `a.${teamId}@example.com`,
      password: "Passw0rd-long",
      app_metadata: { teamId, permissions: ["member"], keep: 1 },
    });
    const b = await mgmt.users.create({
      connection: "Username-Password-Authentication",
      email: `b.${teamId}@example.com`,
      password: "Passw0rd-long",
      app_metadata: { teamId, permissions: [PORTAL_ADMIN_PERMISSION] },
    });
    const userId = a.user_id as string;
    const merged = await mgmt.users.update(userId, {
      app_metadata: { keep: null, permissions: ["member", "x"] },
    });
    expect(merged.app_metadata).toEqual({ teamId, permissions: ["member", "x"] });
    expect((await mgmt.users.get(userId)).email).toBe(`a.${teamId}@example.com`);
    const cleared = await mgmt.users.update(`${b.user_id}`, { app_metadata: {} });
    expect(cleared.app_metadata ?? {}).toEqual({});
    await mgmt.users.update(`${b.user_id}`, {
      app_metadata: { teamId, permissions: [PORTAL_ADMIN_PERMISSION] },
    });

    const team = await mgmt.users.list({
      q: `app_metadata.teamId:"${teamId}"`,
      search_engine: "v3",
    });
    expect(team.data).toHaveLength(2);
    const admins = await mgmt.users.list({
      q: `app_metadata.teamId:"${teamId}" AND app_metadata.permissions:"${PORTAL_ADMIN_PERMISSION}"`,
    });
    expect(admins.data.map((u) => u.email)).toEqual([`b.${teamId}@example.com`]);
    const wild = await mgmt.users.list({
      q: `email:*.${teamId}@example.com`,
      per_page: 1,
      include_totals: true,
    });
    expect(wild.response.total).toBe(2);
    expect(wild.data).toHaveLength(1);

    const byEmail = await mgmt.users.listUsersByEmail({ email: `a.${teamId}@example.com` });
    expect(byEmail.map((u) => u.user_id)).toEqual([userId]);
    // Auth0 stores emails in lower case and users-by-email is case-sensitive.
    expect(await mgmt.users.listUsersByEmail({ email: `A.${teamId}@EXAMPLE.com` })).toEqual([]);

    expect(
      await status(
        mgmt.users.create({
          connection: "Username-Password-Authentication",
          email: `a.${teamId}@example.com`,
          password: "Passw0rd-long",
        }),
      ),
    ).toBe(409);
    // Emails are stored in lower case; a PATCH is all or nothing.
    const mixed = await mgmt.users.create({
      connection: "Username-Password-Authentication",
      email: `Mixed.${teamId}@Example.com`,
      password: "Passw0rd-long",
    });
    expect(mixed.email).toBe(`mixed.${teamId}@example.com`);
    expect(
      await status(
        mgmt.users.update(mixed.user_id as string, {
          name: "changed",
          email: `b.${teamId}@example.com`,
        }),
      ),
    ).toBe(409);
    expect((await mgmt.users.get(mixed.user_id as string)).name).not.toBe("changed");
    // Concurrent creates of one email: exactly one wins.
    const racing = await Promise.allSettled(
      [1, 2, 3].map(() =>
        mgmt.users.create({
          connection: "Username-Password-Authentication",
          email: `race.${teamId}@example.com`,
          password: "Passw0rd-long",
        }),
      ),
    );
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    await mgmt.users.delete(userId);
    expect(await status(mgmt.users.get(userId))).toBe(404);
  });

  it("cannot touch resource servers: they are outside the contract's scopes", async () => {
    expect(await status(mgmt.resourceServers.list())).toBe(403);
  });
});

describe("resource servers with the bootstrap client", () => {
  it("creates, lists, updates and deletes an API", async () => {
    const boot = readBootstrap(env.stateDir, "sandbox");
    const admin = new ManagementClient({
      domain: env.seed.sandbox.domain,
      clientId: boot.clientId,
      clientSecret: boot.clientSecret,
    });
    const rs = await admin.resourceServers.create({
      identifier: "https://orders.local/",
      name: "Orders",
      scopes: [{ value: "read:orders" }],
    });
    expect(rs.signing_alg).toBe("RS256");
    const listed = await admin.resourceServers.list({ identifiers: ["https://orders.local/"] });
    expect(listed.data.map((r) => r.id)).toEqual([rs.id]);
    expect((await admin.resourceServers.update(rs.id as string, { name: "Orders API" })).name).toBe(
      "Orders API",
    );
    await admin.resourceServers.delete(rs.id as string);
    expect(await status(admin.resourceServers.get(rs.id as string))).toBe(404);
  });
});
