/**
 * PortalAdmin against the local tenants over real HTTPS, with the official `auth0` SDK and the
 * seeded Astral Backend's credentials: create a new user, adopt an existing one without touching
 * its other metadata, idempotent update, delete removes only `portal-admin`. The last block runs
 * the provider from the very text Pulumi stores (serialized under Pulumi's TypeScript runtime).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { MANAGEMENT_API_SCOPES, PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { ManagementClient } from "auth0";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { readBootstrap } from "../../../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../../../emulator/test-support";
import { DEFAULT_CONNECTION, portalAdminProvider } from "../portalAdmin";
import {
  type AdminBackend,
  ensurePortalAdmin,
  type PortalAdminInputs,
  readPortalAdmin,
  removePortalAdmin,
} from "../portalAdminOps";

const root = path.resolve(__dirname, "../../..");
let env: SeededTenants;
let backend: AdminBackend;
let mgmt: ManagementClient;
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  env = await startSeededTenants();
  const { domain, backend: credentials } = env.seed.sandbox;
  backend = { domain, clientId: credentials.clientId, clientSecret: credentials.clientSecret };
  mgmt = new ManagementClient(backend);
});
afterAll(() => env?.close());

const inputs = (email: string): PortalAdminInputs => ({
  email,
  connection: DEFAULT_CONNECTION,
  permission: PORTAL_ADMIN_PERMISSION,
  backend,
});

async function existingUser(email: string) {
  return mgmt.users.create({
    connection: DEFAULT_CONNECTION,
    email,
    password: "Existing-User-Pass-1!",
    app_metadata: { teamId: "team-7", permissions: ["billing"], plan: { tier: "gold" } },
    user_metadata: { locale: "fr" },
  });
}

describe("PortalAdmin operations on a local tenant", () => {
  it("creates a new user in the connection, with portal-admin only", async () => {
    const email = `new-admin-${unique()}@acme.example`;
    const state = await ensurePortalAdmin(inputs(email));
    expect(state).toMatchObject({ email, createdUser: true });
    const user = await mgmt.users.get(state.userId);
    expect(user.email).toBe(email);
    expect(user.identities?.[0]?.connection).toBe(DEFAULT_CONNECTION);
    expect(user.app_metadata).toEqual({ permissions: [PORTAL_ADMIN_PERMISSION] });
  });

  it("adopts an existing user (email in any case) without touching its other metadata", async () => {
    const email = `existing-${unique()}@acme.example`;
    const existing = await existingUser(email);
    const state = await ensurePortalAdmin(inputs(email.toUpperCase()));
    expect(state).toEqual({ userId: existing.user_id, email, createdUser: false });
    const user = await mgmt.users.get(state.userId);
    expect(user.app_metadata).toEqual({
      teamId: "team-7",
      permissions: ["billing", PORTAL_ADMIN_PERMISSION],
      plan: { tier: "gold" },
    });
    expect(user.user_metadata).toEqual({ locale: "fr" });
  });

  it("is idempotent: a second run changes nothing and never duplicates the permission", async () => {
    const email = `idem-${unique()}@acme.example`;
    await existingUser(email);
    const first = await ensurePortalAdmin(inputs(email));
    const before = await mgmt.users.get(first.userId);
    const second = await ensurePortalAdmin(inputs(email));
    const after = await mgmt.users.get(second.userId);
    expect(second).toEqual(first);
    expect(after.app_metadata).toEqual(before.app_metadata);
    expect(after.updated_at).toBe(before.updated_at); // no write at all
    expect(
      ((after.app_metadata?.permissions ?? []) as string[]).filter(
        (p) => p === PORTAL_ADMIN_PERMISSION,
      ),
    ).toHaveLength(1);
  });

  it("re-grants the permission when someone removed it (update)", async () => {
    const email = `regrant-${unique()}@acme.example`;
    const { userId } = await ensurePortalAdmin(inputs(email));
    await mgmt.users.update(userId, { app_metadata: { permissions: [] } });
    await ensurePortalAdmin(inputs(email));
    expect((await mgmt.users.get(userId)).app_metadata?.permissions).toEqual([
      PORTAL_ADMIN_PERMISSION,
    ]);
  });

  it("reads whether the user exists and is an admin", async () => {
    const { userId } = await ensurePortalAdmin(inputs(`read-${unique()}@acme.example`));
    expect(await readPortalAdmin(backend, userId, PORTAL_ADMIN_PERMISSION)).toMatchObject({
      exists: true,
      isAdmin: true,
    });
    await mgmt.users.delete(userId);
    expect(await readPortalAdmin(backend, userId, PORTAL_ADMIN_PERMISSION)).toEqual({
      exists: false,
      isAdmin: false,
    });
  });

  it("delete removes only portal-admin; the user and its other metadata stay", async () => {
    const email = `delete-${unique()}@acme.example`;
    await existingUser(email);
    const { userId } = await ensurePortalAdmin(inputs(email));
    await removePortalAdmin(backend, userId, PORTAL_ADMIN_PERMISSION);
    const user = await mgmt.users.get(userId);
    expect(user.app_metadata).toEqual({
      teamId: "team-7",
      permissions: ["billing"],
      plan: { tier: "gold" },
    });
    expect(user.user_metadata).toEqual({ locale: "fr" });
    // Deleting again, or for a user deleted meanwhile, is a no-op.
    await removePortalAdmin(backend, userId, PORTAL_ADMIN_PERMISSION);
    await mgmt.users.delete(userId);
    await expect(
      removePortalAdmin(backend, userId, PORTAL_ADMIN_PERMISSION),
    ).resolves.toBeUndefined();
  });

  it("needs the database connection enabled for its backend, as AstralBackend declares it (tenants/tenant.yaml gives a new app none)", async () => {
    // Tenants of its own, left out of the conformance record: Auth0's refusal is the point here.
    const own = await startSeededTenants({ recordConformance: false });
    onTestFinished(() => own.close());
    const domain = own.seed.sandbox.domain;
    const root = new ManagementClient({ domain, ...readBootstrap(own.stateDir, "sandbox") });
    // As tenants/tenant.yaml sets it: an app made after this gets no connection.
    await root.tenants.settings.update({ flags: { enable_client_connections: false } });
    const made = await root.clients.create({
      name: `backend made after tenants/ ${unique()}`,
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
    });
    const clientId = made.client_id as string;
    await root.clientGrants.create({
      client_id: clientId,
      audience: `https://${domain}/api/v2/`,
      scope: [...MANAGEMENT_API_SCOPES],
    });
    const late = { ...inputs(`late-${unique()}@acme.example`) };
    late.backend = {
      domain,
      clientId,
      clientSecret: made.client_secret as string,
    };
    await expect(ensurePortalAdmin(late)).rejects.toThrow(
      /Connection must be enabled for this client to perform single user creation/,
    );
    // What AstralBackend's ConnectionClient does: PATCH /connections/{id}/clients, one entry.
    const db = (await root.connections.list({ name: DEFAULT_CONNECTION })).data[0];
    await root.connections.clients.update(db?.id as string, [
      { client_id: clientId, status: true },
    ]);
    expect(await ensurePortalAdmin(late)).toMatchObject({ createdUser: true });
  });

  it("fails with the tenant's error, never echoing the secret, when the credentials are wrong", async () => {
    const wrong = { ...backend, clientSecret: "definitely-not-the-secret" };
    const error = await ensurePortalAdmin({
      ...inputs(`x-${unique()}@acme.example`),
      backend: wrong,
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).not.toContain("definitely-not-the-secret");
  });
});

describe("PortalAdmin under Auth0's rate limits", () => {
  it("completes while the tenant answers 429 (the SDK retries after x-ratelimit-reset)", async () => {
    env.control.setRateLimit("sandbox", { limit: 2, windowSeconds: 1 });
    try {
      const email = `limited-${unique()}@acme.example`;
      const state = await ensurePortalAdmin(inputs(email));
      await removePortalAdmin(backend, state.userId, PORTAL_ADMIN_PERMISSION);
      env.control.clear();
      expect((await mgmt.users.get(state.userId)).app_metadata?.permissions).toEqual([]);
    } finally {
      env.control.clear();
    }
  }, 60_000);
});

describe("the dynamic provider's CRUD", () => {
  it("create, update and delete through portalAdminProvider", async () => {
    const email = `provider-${unique()}@acme.example`;
    await existingUser(email);
    const created = await portalAdminProvider.create(inputs(email));
    const outs = created.outs;
    if (!outs) throw new Error("create returned no outputs");
    expect(outs).toMatchObject({ email, createdUser: false });
    const updated = await portalAdminProvider.update?.(created.id, outs, inputs(email));
    expect(updated?.outs).toMatchObject({ userId: created.id, createdUser: false });
    const read = await portalAdminProvider.read?.(created.id, outs);
    expect(read?.id).toBe(created.id);
    await portalAdminProvider.delete?.(created.id, outs);
    expect((await mgmt.users.get(created.id)).app_metadata?.permissions).toEqual(["billing"]);
  });

  it("refresh after the backend secret was rotated keeps the state as it is", async () => {
    const email = `rotated-${unique()}@acme.example`;
    const created = await portalAdminProvider.create(inputs(email));
    const outs = created.outs;
    if (!outs) throw new Error("create returned no outputs");
    // The state still holds the secret of the last `up`; the tenant now refuses it.
    const stale = { ...outs, backend: { ...backend, clientSecret: "the-secret-before-rotation" } };
    expect(await portalAdminProvider.read?.(created.id, stale)).toEqual({
      id: created.id,
      props: stale,
    });
  });

  it("refresh still fails on errors other than refused credentials", async () => {
    const email = `unreachable-${unique()}@acme.example`;
    const created = await portalAdminProvider.create(inputs(email));
    const outs = created.outs;
    if (!outs) throw new Error("create returned no outputs");
    const unreachable = { ...outs, backend: { ...backend, domain: "127.0.0.1:1" } };
    await expect(portalAdminProvider.read?.(created.id, unreachable)).rejects.toThrow();
  });

  it("refresh reports a removed portal-admin, and the next up grants it again", async () => {
    const email = `removed-${unique()}@acme.example`;
    const created = await portalAdminProvider.create(inputs(email));
    const outs = created.outs;
    if (!outs) throw new Error("create returned no outputs");
    expect(outs.isAdmin).toBe(true);
    expect((await portalAdminProvider.diff?.(created.id, outs, inputs(email)))?.changes).toBe(
      false,
    );

    await mgmt.users.update(created.id, { app_metadata: { permissions: [] } });
    const refreshed = await portalAdminProvider.read?.(created.id, outs);
    expect(refreshed?.props?.isAdmin).toBe(false);
    const refreshedProps = refreshed?.props as typeof outs;
    const diff = await portalAdminProvider.diff?.(created.id, refreshedProps, inputs(email));
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    const updated = await portalAdminProvider.update?.(created.id, refreshedProps, inputs(email));
    expect(updated?.outs?.isAdmin).toBe(true);
    expect((await mgmt.users.get(created.id)).app_metadata?.permissions).toEqual([
      PORTAL_ADMIN_PERMISSION,
    ]);
  });

  it("the serialized provider (the text in the Pulumi state) works against the tenant", async () => {
    // Asynchronously: the local tenants run in this process and must keep serving meanwhile.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["stacks/test/runtime/pulumi-ts.cjs", "stacks/test/runtime/loadProgram.ts"],
      { cwd: root, encoding: "utf8", timeout: 110_000 },
    );
    const { providerText } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    const requireFromString = require(
      // The copy @pulumi/pulumi's dynamic provider host loads providers with.
      require.resolve("require-from-string", {
        paths: [path.dirname(require.resolve("@pulumi/pulumi"))],
      }),
    ) as (code: string) => {
      handler: () => typeof portalAdminProvider;
    };
    const provider = requireFromString(providerText).handler();
    const email = `serialized-${unique()}@acme.example`;
    const created = await provider.create(inputs(email));
    const outs = created.outs;
    if (!outs) throw new Error("create returned no outputs");
    expect(outs).toMatchObject({ createdUser: true });
    expect((await mgmt.users.get(created.id)).app_metadata?.permissions).toEqual([
      PORTAL_ADMIN_PERMISSION,
    ]);
    await provider.delete?.(created.id, outs);
    expect((await mgmt.users.get(created.id)).app_metadata?.permissions).toEqual([]);
  }, 120_000);
});
