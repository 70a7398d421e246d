/**
 * Integration-test support: seeded local tenants, a Portal wired to them exactly as the app wires
 * itself (createPortal over the contract's env names), and signed-in actors backed by real users.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type Environment, PORTAL_ADMIN_PERMISSION, PORTAL_ENV } from "@astral/contract";
import { ManagementClient } from "auth0";
import { readBootstrap } from "../../emulator/src/index";
import type { SeededTenants } from "../../emulator/test-support";
import { testTempDir } from "../../tests/support/temp-dirs";
import { loadPortalConfig } from "../lib/config/load";
import type { AuditEntry } from "../lib/domain/audit";
import type { Actor, Portal } from "../lib/domain/context";
import { getUser } from "../lib/domain/users";
import type { RetryPolicy } from "../lib/management/retry";
import type { TenantOptions } from "../lib/management/tenant";
import { createPortal } from "../lib/portal";

export const FAST_RETRY: RetryPolicy = {
  maxAttempts: 5,
  maxWaitMs: 3000,
  baseDelayMs: 20,
  rateLimitBackoffMs: 500,
};
/**
 * What the portal under test assumes about the local tenants: how far their search index lags
 * writes and how long a rotated secret takes to work (both known and short here; Auth0's are
 * "eventually consistent" and "up to 30 s").
 */
export const TEST_SEARCH_LAG_MS = 1500;
export const TEST_ROTATION_DELAY_MS = 1500;

export interface PortalHarness {
  env: SeededTenants;
  portal: Portal;
  audit: AuditEntry[];
  /** Management client with every scope (the tenant's bootstrap client), for test setup. */
  root: Record<Environment, ManagementClient>;
  admin: Actor;
  /** Creates a user in the home tenant and returns it as an actor. */
  newUser(name: string, appMetadata?: Record<string, unknown>): Promise<Actor>;
  /** Re-reads an actor's team and permissions (as the guard does on each request). */
  refresh(actor: Actor): Promise<Actor>;
  /** A Portal over the same tenants with other backend credentials (least-privilege test). */
  portalWith(
    credentials: Partial<Record<Environment, { clientId: string; clientSecret: string }>>,
    tenant?: TenantOptions,
  ): Portal;
  configFile: string;
  close(): Promise<void>;
}

/**
 * The shipped portal.config.js with other credential kinds in some environments (for a tenant on
 * a plan that serves them), written to a temp file for PORTAL_CONFIG.
 */
export function shippedConfigWith(
  kinds: Partial<Record<Environment, Array<"client_secret" | "key_pair">>>,
): string {
  const config = structuredClone(loadPortalConfig(path.join(__dirname, "..", "portal.config.js")));
  for (const environment of config.environments)
    environment.credentialKinds = kinds[environment.id] ?? environment.credentialKinds;
  // A shipped document's path is relative to the config file: keep it pointing into portal/.
  for (const api of config.apis ?? [])
    if (!api.openapi.startsWith("https://"))
      api.openapi = path.resolve(__dirname, "..", api.openapi);
  const file = path.join(testTempDir("portal-config-"), "portal.config.js");
  writeFileSync(file, `module.exports = ${JSON.stringify(config)};`);
  return file;
}

export function writeTestConfig(audience: string, scopes: string[]): string {
  const dir = testTempDir("portal-config-");
  const file = path.join(dir, "portal.config.js");
  const env = (id: string, label: string) => ({
    id,
    label,
    description: `${label} credentials`,
    apis: [{ audience, scopes }],
    credentialKinds: ["client_secret", "key_pair"],
  });
  writeFileSync(
    file,
    `module.exports = ${JSON.stringify({
      branding: { title: "Test portal" },
      environments: [env("sandbox", "Sandbox"), env("production", "Production")],
      // The highest limits: tests create many teams and credentials (limits have their own test;
      // the local tenants' entity plan is unlimited unless a test sets one).
      limits: { credentialsPerTeam: 100, teamsPerUserPerDay: 50, applicationsPerTenant: 1_000_000 },
    })};`,
  );
  return file;
}

/**
 * `tenants`: already started ones (the benchmark starts its own, outside vitest). `tenantOptions`:
 * for the portal under test; its read cache is off unless given (tests change the tenants through
 * their root clients and read them back at once; the cache has its own tests).
 */
export async function startPortalHarness(
  tenants?: SeededTenants,
  tenantOptions: TenantOptions = {},
): Promise<PortalHarness> {
  // Loaded here, not at the top: emulator/test-support needs vitest, which a script has not.
  const env = tenants ?? (await (await import("../../emulator/test-support")).startSeededTenants());
  const audit: AuditEntry[] = [];
  const configFile = writeTestConfig(
    env.seed.sandbox.exampleApi.identifier,
    env.seed.sandbox.exampleApi.scopes.slice(0, 1),
  );
  const build = (
    credentials: Partial<Record<Environment, { clientId: string; clientSecret: string }>>,
    tenant: TenantOptions = {},
  ) => {
    const vars: Record<string, string> = {
      [PORTAL_ENV.login.sessionSecret]: "test-session-secret-0123456789abcdef0123456789",
    };
    for (const environment of ["production", "sandbox"] as const) {
      const c = credentials[environment];
      if (!c) continue;
      const names = PORTAL_ENV.management[environment];
      vars[names.domain] = env.tenants[environment].domain;
      vars[names.clientId] = c.clientId;
      vars[names.clientSecret] = c.clientSecret;
    }
    const portal = createPortal(vars, {
      // The local tenants' `test` profile is no plan: calls are not shaped unless a test asks.
      tenant: { retry: FAST_RETRY, readCacheTtlMs: 0, rate: null, ...tenantOptions, ...tenant },
      configFile,
      searchLagMs: TEST_SEARCH_LAG_MS,
      rotationDelayMs: TEST_ROTATION_DELAY_MS,
    });
    portal.audit = (entry) => audit.push(entry);
    return portal;
  };
  const portal = build({
    production: env.seed.production.backend,
    sandbox: env.seed.sandbox.backend,
  });
  const root = Object.fromEntries(
    (["production", "sandbox"] as const).map((name) => {
      const boot = readBootstrap(env.stateDir, name);
      return [
        name,
        new ManagementClient({
          domain: env.tenants[name].domain,
          clientId: boot.clientId,
          clientSecret: boot.clientSecret,
        }),
      ];
    }),
  ) as Record<Environment, ManagementClient>;

  const toActor = async (userId: string): Promise<Actor> => {
    const tenant = portal.tenants.production;
    if (!tenant) throw new Error("no production tenant");
    const user = await getUser(tenant, userId, "test");
    return {
      userId: user.userId,
      email: user.email,
      teamId: user.teamId,
      permissions: user.permissions,
    };
  };
  let counter = 0;
  return {
    env,
    portal,
    audit,
    root,
    configFile,
    admin: await toActor(env.seed.production.admin.userId),
    newUser: async (name, appMetadata) => {
      counter++;
      const user = await root.production.users.create({
        connection: "Username-Password-Authentication",
        email: `${name}-${counter}-${Date.now()}@example.test`,
        password: "Test-Password-2026!",
        email_verified: true,
        name,
        ...(appMetadata ? { app_metadata: appMetadata } : {}),
      });
      return toActor(user.user_id as string);
    },
    refresh: (actor) => toActor(actor.userId),
    portalWith: build,
    close: () => env.close(),
  };
}

/** Unwraps an action result, failing the test with the error when it did not succeed. */
export function ok<T>(
  result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

/**
 * Every client of a tenant, read page by page from GET /clients without `q` (consistent, unlike
 * the search): what the tests check the tenant's real state with.
 */
export async function allClients(client: ManagementClient) {
  const all = [];
  for (let page = 0; ; page++) {
    const p = await client.clients.list({ page, per_page: 100 });
    all.push(...p.data);
    if (p.data.length < 100) return all;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function newKey(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Whether `actor` holds portal-admin as the home tenant has them now (the actor lookup). */
export async function isAdminNow(h: PortalHarness, actor: Actor): Promise<boolean> {
  return (await h.refresh(actor)).permissions.includes(PORTAL_ADMIN_PERMISSION);
}

/**
 * Runs `fn` with the production tenant on Free's limits (2 requests/s, bursts of 10), once its
 * bucket has had time to fill (5.5 s); the `test` profile again afterwards, however `fn` ends.
 */
export async function onFreeLimits<T>(h: PortalHarness, fn: () => Promise<T>): Promise<T> {
  h.env.control.setRateLimitProfile("production", "free");
  try {
    await sleep(5_500);
    return await fn();
  } finally {
    h.env.control.setRateLimitProfile("production", "test");
  }
}
