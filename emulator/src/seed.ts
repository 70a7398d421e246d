/**
 * Seeds the local tenants through their Management API with the official `auth0` SDK, starting
 * from each tenant's documented bootstrap client (`<state dir>/bootstrap.json`, the equivalent of
 * the one-time "API Explorer Application" a platform engineer makes in a real tenant).
 * Idempotent: a second run finds what the first made and brings it back to the wanted shape.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  backendScopes,
  CREDENTIAL_KINDS,
  type CredentialKind,
  type Environment,
  managementApiAudience,
  PORTAL_ADMIN_PERMISSION,
  PORTAL_LOGIN_CLIENT_NAME,
} from "@astral/contract";
import { ManagementClient } from "auth0";
import { BOOTSTRAP_FILE, type BootstrapCredentials, type TenantHandle } from "./tenant";

export interface SeedOptions {
  /** Folder holding `<tenant>/bootstrap.json` (default: each tenant's own `stateDir`). */
  stateDir?: string;
  /** Login app callback (default `http://localhost:3000/auth/callback`). */
  callbackUrl?: string;
  /** Login app logout URL (default `http://localhost:3000`). */
  logoutUrl?: string;
  /** The example customer API (default `https://api.example.local/`). */
  exampleApi?: { identifier?: string; name?: string; scopes?: string[] };
  /** The first portal admin (a local development account). */
  admin?: { email?: string; password?: string };
  /**
   * The credential kinds each tenant's environment offers: the Astral Backend is granted
   * `backendScopes(kinds)` (`create:client_credentials` only with key pairs). Default: both
   * kinds in both tenants (the test portal's config); `npm run dev` passes portal.config.js's.
   */
  credentialKinds?: Partial<Record<Environment, readonly CredentialKind[]>>;
}

const BOTH_KINDS = [CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair];

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface SeededTenant {
  domain: string;
  backend: ClientCredentials;
  exampleApi: { identifier: string; scopes: string[] };
}

export interface SeedResult {
  production: SeededTenant & {
    login: ClientCredentials;
    admin: { email: string; password: string; userId: string };
  };
  sandbox: SeededTenant;
}

export const SEED_DEFAULTS = {
  callbackUrl: "http://localhost:3000/auth/callback",
  logoutUrl: "http://localhost:3000",
  exampleApi: {
    identifier: "https://api.example.local/",
    name: "Example API",
    scopes: ["read:examples", "write:examples"],
  },
  admin: { email: "admin@astral.local", password: "Astral-Admin-2026" },
} as const;

/** The bootstrap credentials a tenant wrote at first start. */
export function readBootstrap(stateDir: string, tenant: string): BootstrapCredentials {
  return readBootstrapFile(path.join(stateDir, tenant, BOOTSTRAP_FILE));
}

function readBootstrapFile(file: string): BootstrapCredentials {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BootstrapCredentials;
  } catch {
    throw new Error(`no bootstrap credentials at ${file}: start the tenants first`);
  }
}

export function managementClient(domain: string, creds: ClientCredentials): ManagementClient {
  return new ManagementClient({
    domain,
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
  });
}

export async function seedTenants(
  tenants: { production: TenantHandle; sandbox: TenantHandle },
  opts: SeedOptions = {},
): Promise<SeedResult> {
  const exampleApi = {
    identifier: opts.exampleApi?.identifier ?? SEED_DEFAULTS.exampleApi.identifier,
    name: opts.exampleApi?.name ?? SEED_DEFAULTS.exampleApi.name,
    scopes: opts.exampleApi?.scopes ?? [...SEED_DEFAULTS.exampleApi.scopes],
  };
  const seedOne = async (tenant: TenantHandle) => {
    const boot = opts.stateDir
      ? readBootstrap(opts.stateDir, tenant.name)
      : readBootstrapFile(path.join(tenant.stateDir, BOOTSTRAP_FILE));
    const mgmt = managementClient(tenant.domain, boot);
    const backend = await ensureClient(mgmt, ASTRAL_BACKEND_CLIENT_NAME, {
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
      description: "Calls the Management API for the Astral portal.",
    });
    const kinds = opts.credentialKinds?.[tenant.name as Environment] ?? BOTH_KINDS;
    await ensureGrant(
      mgmt,
      backend.clientId,
      managementApiAudience(tenant.domain),
      backendScopes(kinds),
    );
    await ensureResourceServer(mgmt, exampleApi);
    return {
      mgmt,
      seeded: {
        domain: tenant.domain,
        backend,
        exampleApi: { identifier: exampleApi.identifier, scopes: exampleApi.scopes },
      },
    };
  };
  const [production, sandbox] = await Promise.all([
    seedOne(tenants.production),
    seedOne(tenants.sandbox),
  ]);
  const login = await ensureClient(production.mgmt, PORTAL_LOGIN_CLIENT_NAME, {
    app_type: "regular_web",
    grant_types: ["authorization_code", "refresh_token"],
    callbacks: [opts.callbackUrl ?? SEED_DEFAULTS.callbackUrl],
    allowed_logout_urls: [opts.logoutUrl ?? SEED_DEFAULTS.logoutUrl],
    web_origins: [new URL(opts.logoutUrl ?? SEED_DEFAULTS.logoutUrl).origin],
    refresh_token: {
      rotation_type: "rotating",
      expiration_type: "expiring",
      leeway: 0,
      token_lifetime: 2592000,
      idle_token_lifetime: 1296000,
      infinite_token_lifetime: false,
      infinite_idle_token_lifetime: false,
    },
    token_endpoint_auth_method: "client_secret_post",
    oidc_conformant: true,
  });
  const admin = await ensureAdmin(production.mgmt, {
    email: (opts.admin?.email ?? SEED_DEFAULTS.admin.email).toLowerCase(),
    password: opts.admin?.password ?? SEED_DEFAULTS.admin.password,
  });
  return { production: { ...production.seeded, login, admin }, sandbox: sandbox.seeded };
}

type ClientFields = Parameters<ManagementClient["clients"]["update"]>[1];

/** Finds a client by name or creates it; either way leaves it with `fields`. */
async function ensureClient(
  mgmt: ManagementClient,
  name: string,
  fields: NonNullable<ClientFields>,
): Promise<ClientCredentials> {
  const found = await findClientByName(mgmt, name);
  const client = found?.client_id
    ? await mgmt.clients.update(found.client_id, fields)
    : await mgmt.clients.create({ name, ...(fields as object) });
  if (!client.client_id || !client.client_secret) {
    throw new Error(`client ${name} came back without credentials`);
  }
  return { clientId: client.client_id, clientSecret: client.client_secret };
}

/**
 * The client named `name`, from the full list (offset pages of 100). Not `q`: Auth0's
 * `GET /clients` permits no name query (rule `clients.list.q-permitted`), and search lags writes
 * (rule `consistency.search-lag`), so a seed run right after another would make duplicates.
 */
async function findClientByName(mgmt: ManagementClient, name: string) {
  for (let page = 0; ; page++) {
    const batch = (await mgmt.clients.list({ page, per_page: 100 })).data;
    const found = batch.find((c) => c.name === name);
    if (found || batch.length < 100) return found;
  }
}

/** Exactly `scope` on `audience` for the client: created, or corrected if it differs. */
async function ensureGrant(
  mgmt: ManagementClient,
  clientId: string,
  audience: string,
  scope: string[],
) {
  const page = await mgmt.clientGrants.list({ client_id: clientId, audience });
  const grant = page.data.find((g) => g.audience === audience);
  if (!grant?.id) {
    await mgmt.clientGrants.create({ client_id: clientId, audience, scope });
  } else if ([...(grant.scope ?? [])].sort().join(" ") !== [...scope].sort().join(" ")) {
    await mgmt.clientGrants.update(grant.id, { scope });
  }
}

async function ensureResourceServer(
  mgmt: ManagementClient,
  api: { identifier: string; name: string; scopes: string[] },
) {
  const scopes = api.scopes.map((value) => ({ value, description: value }));
  const page = await mgmt.resourceServers.list({ identifiers: [api.identifier] });
  const found = page.data.find((r) => r.identifier === api.identifier);
  if (found?.id) await mgmt.resourceServers.update(found.id, { name: api.name, scopes });
  else await mgmt.resourceServers.create({ identifier: api.identifier, name: api.name, scopes });
}

/** Finds or creates the admin, merges `portal-admin` into its permissions, sets its password. */
async function ensureAdmin(mgmt: ManagementClient, admin: { email: string; password: string }) {
  const existing = (await mgmt.users.listUsersByEmail({ email: admin.email })).find(
    (u) => u.email === admin.email,
  );
  const user =
    existing ??
    (await mgmt.users.create({
      connection: "Username-Password-Authentication",
      email: admin.email,
      password: admin.password,
      email_verified: true,
      name: "Portal Admin",
    }));
  const userId = user.user_id as string;
  const permissions = new Set((user.app_metadata?.permissions as string[] | undefined) ?? []);
  permissions.add(PORTAL_ADMIN_PERMISSION);
  await mgmt.users.update(userId, {
    app_metadata: { permissions: [...permissions] },
    ...(existing ? { password: admin.password } : {}),
  });
  return { email: admin.email, password: admin.password, userId };
}
