/**
 * auth0-deploy-cli's configuration for `tenants/`: which resource types it may read and write,
 * and that it may never delete. Clients, client grants and resource servers (APIs) are Pulumi's:
 * they are not in AUTH0_INCLUDED_ONLY, so the CLI neither reads nor writes them.
 */
import type { KeywordMappings } from "./desired";

/** The only resource types auth0-deploy-cli handles here. */
export const INCLUDED_TYPES = ["tenant", "branding", "databases", "emailTemplates"] as const;

/** Types Pulumi owns; listed so a test can prove none of them is ever included. */
export const PULUMI_OWNED_TYPES = ["clients", "clientGrants", "resourceServers"] as const;

export interface DeployConfig {
  AUTH0_DOMAIN: string;
  AUTH0_CLIENT_ID: string;
  AUTH0_ALLOW_DELETE: false;
  AUTH0_INCLUDED_ONLY: string[];
  AUTH0_KEYWORD_REPLACE_MAPPINGS: KeywordMappings;
  /** Export without ids, so the export compares with `tenants/` by name. */
  AUTH0_EXPORT_IDENTIFIERS: false;
  /** Fields the CLI strips from what it imports and exports, per type. */
  EXCLUDED_PROPS: Record<string, string[]>;
}

/**
 * Which clients may use a connection is Pulumi's (`auth0.ConnectionClient` in
 * infra/auth0/portalLogin.ts): a database's `enabled_clients` in `tenants/` would make the CLI
 * enable exactly those and disable every other client on it (its
 * `updateConnectionEnabledClients`), the login app included. Stripped, the CLI never sends it.
 */
export const EXCLUDED_PROPS = { databases: ["enabled_clients"] };

/** The config file given to `a0deploy -c`: no secret in it (the client secret goes by env). */
export function deployConfig(input: {
  domain: string;
  clientId: string;
  mappings: KeywordMappings;
}): DeployConfig {
  return {
    AUTH0_DOMAIN: input.domain,
    AUTH0_CLIENT_ID: input.clientId,
    AUTH0_ALLOW_DELETE: false,
    AUTH0_INCLUDED_ONLY: [...INCLUDED_TYPES],
    AUTH0_KEYWORD_REPLACE_MAPPINGS: input.mappings,
    AUTH0_EXPORT_IDENTIFIERS: false,
    EXCLUDED_PROPS: EXCLUDED_PROPS,
  };
}
