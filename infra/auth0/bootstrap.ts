/**
 * The one-time bootstrap: the Management API scopes the Pulumi auth0 provider's own client needs
 * in each tenant. Derived from every Management API call made with that client's credentials:
 * what the provider calls for the resources and data sources this program declares (read in
 * terraform-provider-auth0, which @pulumi/auth0 v3 wraps; files under `internal/auth0/`), and what
 * the day-2 runbook calls with the same token. Each call maps to the scopes Auth0's OpenAPI
 * description lists for it (`security[].oAuth2ClientCredentials`; any one of them allows it).
 *
 * PortalAdmin is not here: it acts with the Astral Backend's credentials (see
 * PORTAL_ADMIN_OPERATIONS), whose scopes are the contract's.
 */

type Method = "GET" | "POST" | "PATCH" | "DELETE";
/** A Management API operation, with the path as Auth0's OpenAPI document spells it. */
export type Operation = readonly [Method, string];

/** One call and who makes it: `<resource> <create|read|update|delete> (<source file>)`. */
export interface Call {
  readonly op: Operation;
  readonly by: string;
}

const TF = "terraform-provider-auth0 internal/auth0";

/**
 * What the provider calls per resource or data source type, for the way this program uses them
 * (client_secret_post credentials, a grant per client, a connection looked up by name).
 */
export const PROVIDER_CALLS: Record<string, readonly Call[]> = {
  "auth0:index/client:Client": [
    { op: ["POST", "/clients"], by: `createClient (${TF}/client/resource.go)` },
    { op: ["GET", "/clients/{id}"], by: `readClient (${TF}/client/resource.go)` },
    { op: ["PATCH", "/clients/{id}"], by: `updateClient (${TF}/client/resource.go)` },
    { op: ["DELETE", "/clients/{id}"], by: `deleteClient (${TF}/client/resource.go)` },
  ],
  "auth0:index/clientCredentials:ClientCredentials": [
    {
      op: ["GET", "/clients/{id}"],
      by: `create/read/update/deleteClientCredentials (${TF}/client/resource_credentials.go)`,
    },
    {
      op: ["PATCH", "/clients/{id}"],
      by: `updateTokenEndpointAuthMethod, deleteClientCredentials (${TF}/client/resource_credentials.go)`,
    },
    // Delete (so also every replacement) lists the client's credentials first.
    {
      op: ["GET", "/clients/{client_id}/credentials"],
      by: `deleteClientCredentials: api.Client.ListCredentials (${TF}/client/resource_credentials.go)`,
    },
  ],
  "auth0:index/clientGrant:ClientGrant": [
    // Create first looks for an existing grant of the same client and audience to adopt.
    { op: ["GET", "/client-grants"], by: `createClientGrant (${TF}/client/resource_grant.go)` },
    { op: ["POST", "/client-grants"], by: `createClientGrant (${TF}/client/resource_grant.go)` },
    { op: ["GET", "/client-grants/{id}"], by: `readClientGrant (${TF}/client/resource_grant.go)` },
    {
      op: ["PATCH", "/client-grants/{id}"],
      by: `updateClientGrant (${TF}/client/resource_grant.go)`,
    },
    {
      op: ["DELETE", "/client-grants/{id}"],
      by: `deleteClientGrant (${TF}/client/resource_grant.go)`,
    },
  ],
  "auth0:index/resourceServer:ResourceServer": [
    {
      op: ["POST", "/resource-servers"],
      by: `createResourceServer (${TF}/resourceserver/resource.go)`,
    },
    {
      op: ["GET", "/resource-servers/{id}"],
      by: `readResourceServer (${TF}/resourceserver/resource.go)`,
    },
    {
      op: ["PATCH", "/resource-servers/{id}"],
      by: `updateResourceServer (${TF}/resourceserver/resource.go)`,
    },
    {
      op: ["DELETE", "/resource-servers/{id}"],
      by: `deleteResourceServer (${TF}/resourceserver/resource.go)`,
    },
  ],
  "auth0:index/connectionClient:ConnectionClient": [
    {
      op: ["PATCH", "/connections/{id}/clients"],
      by: `create/deleteConnectionClient (${TF}/connection/resource_client.go)`,
    },
    {
      op: ["GET", "/connections/{id}/clients"],
      by: `readConnectionClient: GetAllEnabledClients (${TF}/connection/resource_client.go)`,
    },
    {
      op: ["GET", "/connections/{id}"],
      by: `readConnectionClient (${TF}/connection/resource_client.go)`,
    },
  ],
  // Data source (an invoke): by name it lists connections; skipEnabledClients avoids the rest.
  "auth0:index/getConnection:getConnection": [
    {
      op: ["GET", "/connections"],
      by: `readConnectionForDataSource (${TF}/connection/data_source.go)`,
    },
  ],
};

/**
 * What `docs/runbooks/rotate-astral-backend-secret.md` calls with the bootstrap client's token
 * (the only Management API token an operator has; a test keeps the runbook's calls equal to this).
 */
export const RUNBOOK_CALLS: readonly Call[] = [
  { op: ["GET", "/resource-servers"], by: "runbook step 2: the Management API's token lifetime" },
  { op: ["POST", "/clients/{id}/rotate-secret"], by: "runbook step 4: rotate the secret" },
];

/**
 * Field-level needs the OpenAPI document cannot express: `GET /clients/{id}` returns
 * `client_secret` only to a token with `read:client_keys` (Auth0, "Get client by ID":
 * https://auth0.com/docs/api/management/v2/clients/get-clients-by-id), and
 * `auth0.ClientCredentials.clientSecret` is that field, which the program exports.
 */
export const FIELD_LEVEL_SCOPES: ReadonlyArray<Call & { scope: string }> = [
  {
    scope: "read:client_keys",
    op: ["GET", "/clients/{id}"],
    by: "ClientCredentials.clientSecret (flattenClientCredentials, client/flatten.go)",
  },
];

/**
 * The result, written out so a reviewer sees each scope and why (a test derives it again from
 * the calls above and Auth0's OpenAPI document and keeps docs/deploy.md equal to it).
 */
export const BOOTSTRAP_SCOPES: readonly string[] = [
  // POST /client-grants: createClientGrant (client/resource_grant.go)
  "create:client_grants",
  // POST /clients: createClient (client/resource.go)
  "create:clients",
  // POST /resource-servers: createResourceServer (resourceserver/resource.go)
  "create:resource_servers",
  // DELETE /client-grants/{id}: deleteClientGrant (client/resource_grant.go)
  "delete:client_grants",
  // DELETE /clients/{id}: deleteClient (client/resource.go)
  "delete:clients",
  // DELETE /resource-servers/{id}: deleteResourceServer (resourceserver/resource.go)
  "delete:resource_servers",
  // GET /clients/{client_id}/credentials: deleteClientCredentials (client/resource_credentials.go);
  // without it `pulumi destroy` and every replacement of a ClientCredentials get a 403
  "read:client_credentials",
  // GET /client-grants, GET /client-grants/{id}: create/readClientGrant (client/resource_grant.go)
  "read:client_grants",
  // GET /clients/{id} with client_secret: read of Client and ClientCredentials (client/resource.go,
  // client/resource_credentials.go); it also allows the plain read, so read:clients is not needed
  "read:client_keys",
  // GET /connections, GET /connections/{id}(/clients): getConnection, readConnectionClient
  // (connection/data_source.go, connection/resource_client.go)
  "read:connections",
  // GET /resource-servers(/{id}): readResourceServer (resourceserver/resource.go), runbook step 2
  "read:resource_servers",
  // PATCH /client-grants/{id}: updateClientGrant (client/resource_grant.go)
  "update:client_grants",
  // POST /clients/{id}/rotate-secret: runbook step 4; it also allows PATCH /clients/{id}
  // (updateClient, updateTokenEndpointAuthMethod), so update:clients is not needed
  "update:client_keys",
  // PATCH /connections/{id}/clients: create/deleteConnectionClient (connection/resource_client.go)
  "update:connections",
  // PATCH /resource-servers/{id}: updateResourceServer (resourceserver/resource.go)
  "update:resource_servers",
];

/** What PortalAdmin calls with the Astral Backend's credentials (portalAdminOps.ts). */
export const PORTAL_ADMIN_OPERATIONS: readonly Operation[] = [
  ["GET", "/users-by-email"],
  ["POST", "/users"],
  ["GET", "/users/{id}"],
  ["PATCH", "/users/{id}"],
];

interface OpenApi {
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
}

/** The scopes that allow one operation, in the document's order (its own scope first). */
export function scopesAllowing(openapi: OpenApi, [method, path]: Operation): string[] {
  const operation = openapi.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`The Management API has no ${method} ${path}`);
  return (operation.security ?? []).flatMap((s) => s.oAuth2ClientCredentials ?? []);
}

/** Every call made with the bootstrap client's token. */
export function bootstrapCalls(): Call[] {
  return [...Object.values(PROVIDER_CALLS).flat(), ...RUNBOOK_CALLS];
}

/**
 * The fewest scopes that allow every call: first the scopes that are forced (field-level needs,
 * and operations only one scope allows), then, for each call none of those allows, its own
 * (first-listed, least-privileged) scope. Sorted.
 */
export function bootstrapScopes(openapi: OpenApi, calls: readonly Call[]): string[] {
  const scopes = new Set<string>();
  for (const { scope, op } of FIELD_LEVEL_SCOPES) {
    if (!scopesAllowing(openapi, op).includes(scope))
      throw new Error(`${scope} does not allow ${op.join(" ")}`);
    scopes.add(scope);
  }
  const allowing = calls.map((call) => {
    const allowed = scopesAllowing(openapi, call.op);
    if (allowed.length === 0) throw new Error(`${call.op.join(" ")} lists no scope`);
    return allowed;
  });
  for (const allowed of allowing) if (allowed.length === 1) scopes.add(allowed[0] as string);
  for (const allowed of allowing) {
    if (!allowed.some((s) => scopes.has(s))) scopes.add(allowed[0] as string);
  }
  return [...scopes].sort();
}
