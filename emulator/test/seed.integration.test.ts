/** Seeding is idempotent, and the test-support reset really empties a tenant and seeds it again. */
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  PORTAL_ADMIN_PERMISSION,
  PORTAL_LOGIN_CLIENT_NAME,
} from "@astral/contract";
import { ManagementClient } from "auth0";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTenants } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";

let env: SeededTenants;
beforeAll(async () => {
  env = await startSeededTenants();
});
afterAll(() => env?.close());

const mgmtOf = (tenant: "production" | "sandbox") =>
  new ManagementClient({
    domain: env.seed[tenant].domain,
    clientId: env.seed[tenant].backend.clientId,
    clientSecret: env.seed[tenant].backend.clientSecret,
  });

describe("seed", () => {
  it("a second run finds and reuses everything", async () => {
    const again = await seedTenants(env.tenants, { stateDir: env.stateDir });
    expect(again).toEqual(env.seed);
    const mgmt = mgmtOf("production");
    const names = (await mgmt.clients.list({ per_page: 100 })).data.map((c) => c.name).sort();
    expect(names).toEqual(
      ["API Explorer Application", ASTRAL_BACKEND_CLIENT_NAME, PORTAL_LOGIN_CLIENT_NAME].sort(),
    );
    const admins = await mgmt.users.listUsersByEmail({ email: env.seed.production.admin.email });
    expect(admins).toHaveLength(1);
    expect(admins[0]?.app_metadata?.permissions).toEqual([PORTAL_ADMIN_PERMISSION]);
    const login = (await mgmt.clients.get(env.seed.production.login.clientId)) as Record<
      string,
      unknown
    >;
    expect(login).toMatchObject({
      app_type: "regular_web",
      callbacks: ["http://localhost:3000/auth/callback"],
      allowed_logout_urls: ["http://localhost:3000"],
      grant_types: ["authorization_code", "refresh_token"],
    });
    // The sandbox has no login app and no admin.
    const sandboxNames = (await mgmtOf("sandbox").clients.list({ per_page: 100 })).data.map(
      (c) => c.name,
    );
    expect(sandboxNames).not.toContain(PORTAL_LOGIN_CLIENT_NAME);
  });

  it("control.reset empties the tenant and seeds it again", async () => {
    const before = env.seed.sandbox.backend;
    await mgmtOf("sandbox").clients.create({ name: "leftover" });
    const after = await env.control.reset("sandbox");
    expect(after.sandbox.backend.clientId).not.toBe(before.clientId);
    expect(after.production.backend).toEqual(env.seed.production.backend);
    const names = (await mgmtOf("sandbox").clients.list({ per_page: 100 })).data.map((c) => c.name);
    expect(names).not.toContain("leftover");
  });
});
