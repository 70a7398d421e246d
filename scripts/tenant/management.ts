/**
 * Reads a tenant through the official `auth0` SDK (v7): the managed parts (to check an import
 * took effect) and the Pulumi-owned clients and grant (the contract, and proof that an import
 * left them alone).
 */
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  backendScopes,
  type CredentialKind,
  managementApiAudience,
  PORTAL_LOGIN_CLIENT_NAME,
} from "@astral/contract";
import { ManagementClient, ManagementError } from "auth0";
import type { Difference } from "./compare";
import type { TenantAssets } from "./desired";

export interface TenantCredentials {
  /** Host (and port) only, e.g. `acme.eu.auth0.com` or `localhost:4101`. */
  domain: string;
  clientId: string;
  clientSecret: string;
}

export function managementClient(c: TenantCredentials): ManagementClient {
  return new ManagementClient({
    domain: c.domain,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
  });
}

/** The tenant's current state of what `desired` declares (same shape, for `diffAssets`). */
export async function readManaged(
  mgmt: ManagementClient,
  desired: TenantAssets,
): Promise<TenantAssets> {
  const live: TenantAssets = {};
  if (desired.tenant) live.tenant = (await mgmt.tenants.settings.get()) as Record<string, unknown>;
  if (desired.branding) live.branding = (await mgmt.branding.get()) as Record<string, unknown>;
  if (desired.databases) {
    live.databases = [];
    for await (const c of await mgmt.connections.list({ strategy: ["auth0"] })) {
      live.databases.push(c as Record<string, unknown> & { name: string });
    }
  }
  if (desired.emailTemplates) {
    live.emailTemplates = [];
    for (const { template } of desired.emailTemplates) {
      try {
        const found = await mgmt.emailTemplates.get(
          template as Parameters<typeof mgmt.emailTemplates.get>[0],
        );
        live.emailTemplates.push(found as Record<string, unknown> & { template: string });
      } catch (error) {
        if (!(error instanceof ManagementError && error.statusCode === 404)) throw error;
      }
    }
  }
  return live;
}

interface OwnedClient {
  client_id: string;
  name: string;
  app_type?: string;
  grant_types?: string[];
  callbacks?: string[];
  grants: Array<{ id?: string; audience?: string; scope?: string[] }>;
}

/** The Pulumi-owned clients (Astral Backend, Astral Portal) and their grants, for before/after. */
export async function snapshotPulumiOwned(mgmt: ManagementClient): Promise<OwnedClient[]> {
  const owned: OwnedClient[] = [];
  // Only the fields compared: production holds many credential clients, and this pages them all.
  const fields = "client_id,name,app_type,grant_types,callbacks";
  for await (const c of await mgmt.clients.list({ per_page: 100, fields, include_fields: true })) {
    if (c.name !== ASTRAL_BACKEND_CLIENT_NAME && c.name !== PORTAL_LOGIN_CLIENT_NAME) continue;
    const grants: OwnedClient["grants"] = [];
    for await (const g of await mgmt.clientGrants.list({ client_id: c.client_id })) {
      grants.push({ id: g.id, audience: g.audience, scope: [...(g.scope ?? [])].sort() });
    }
    owned.push({
      client_id: c.client_id as string,
      name: c.name,
      app_type: c.app_type,
      grant_types: c.grant_types,
      callbacks: c.callbacks,
      grants,
    });
  }
  return owned.sort((a, b) => a.client_id.localeCompare(b.client_id));
}

/**
 * The contract's side of a tenant: exactly one Astral Backend, a `non_interactive` client with a
 * grant on the tenant's Management API of exactly `backendScopes(credentialKinds)`: the 20
 * contract scopes, plus `create:client_credentials` where portal.config.js offers key pairs.
 */
export async function checkContract(
  mgmt: ManagementClient,
  domain: string,
  credentialKinds: readonly CredentialKind[],
): Promise<Difference[]> {
  const where = `clients[${ASTRAL_BACKEND_CLIENT_NAME}]`;
  const backends = (await snapshotPulumiOwned(mgmt)).filter(
    (c) => c.name === ASTRAL_BACKEND_CLIENT_NAME,
  );
  if (backends.length !== 1) {
    return [{ path: where, expected: "exactly one client", actual: `${backends.length} clients` }];
  }
  const backend = backends[0] as OwnedClient;
  const out: Difference[] = [];
  if (backend.app_type !== "non_interactive") {
    out.push({ path: `${where}.app_type`, expected: "non_interactive", actual: backend.app_type });
  }
  const audience = managementApiAudience(domain);
  const grant = backend.grants.find((g) => g.audience === audience);
  const grantPath = `clientGrants[${ASTRAL_BACKEND_CLIENT_NAME} → ${audience}].scope`;
  if (!grant) return [...out, { path: grantPath, expected: "a grant", actual: undefined }];
  const expected = backendScopes(credentialKinds).sort();
  const actual = grant.scope ?? [];
  const missing = expected.filter((s) => !actual.includes(s));
  const extra = actual.filter((s) => !expected.includes(s));
  if (missing.length > 0)
    out.push({ path: `${grantPath} (missing)`, expected: missing, actual: undefined });
  if (extra.length > 0)
    out.push({ path: `${grantPath} (not in the contract)`, expected: undefined, actual: extra });
  return out;
}
