/**
 * The one-time bootstrap: the Management API scopes the Pulumi auth0 provider's own client needs
 * in each tenant, derived from the operations it calls for the resources this program declares
 * and from Auth0's OpenAPI description (each operation lists the scopes that allow it; the first
 * listed is the operation's own, least-privileged one).
 */

type Method = "GET" | "POST" | "PATCH" | "DELETE";
export type Operation = readonly [Method, string];

/**
 * What the provider calls per resource type (create, read, update, delete), as the Terraform
 * auth0 provider behind @pulumi/auth0 implements them.
 */
export const PROVIDER_OPERATIONS: Record<string, readonly Operation[]> = {
  "auth0:index/client:Client": [
    ["POST", "/clients"],
    ["GET", "/clients/{id}"],
    ["PATCH", "/clients/{id}"],
    ["DELETE", "/clients/{id}"],
  ],
  // The method and the secret live on the client: read and patched there.
  "auth0:index/clientCredentials:ClientCredentials": [
    ["GET", "/clients/{id}"],
    ["PATCH", "/clients/{id}"],
  ],
  "auth0:index/clientGrant:ClientGrant": [
    ["POST", "/client-grants"],
    ["GET", "/client-grants/{id}"],
    ["PATCH", "/client-grants/{id}"],
    ["DELETE", "/client-grants/{id}"],
  ],
  "auth0:index/resourceServer:ResourceServer": [
    ["POST", "/resource-servers"],
    ["GET", "/resource-servers/{id}"],
    ["PATCH", "/resource-servers/{id}"],
    ["DELETE", "/resource-servers/{id}"],
  ],
};

/**
 * Field-level needs the OpenAPI document cannot express: `GET /clients/{id}` returns
 * `client_secret` only to a token with `read:client_keys` (or `read:client_credentials`), and
 * `auth0.ClientCredentials.clientSecret` is that field (provider docs, ClientCredentials).
 */
export const FIELD_LEVEL_SCOPES: Record<string, readonly string[]> = {
  "auth0:index/clientCredentials:ClientCredentials": ["read:client_keys"],
};

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

/** The scopes that allow one operation, in the document's order. */
export function scopesAllowing(openapi: OpenApi, [method, path]: Operation): string[] {
  const operation = openapi.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`The Management API has no ${method} ${path}`);
  return (operation.security ?? []).flatMap((s) => s.oAuth2ClientCredentials ?? []);
}

/** The least scopes for resource types: each operation's own scope plus field-level needs. */
export function bootstrapScopes(openapi: OpenApi, resourceTypes: string[]): string[] {
  const scopes = new Set<string>();
  for (const type of resourceTypes) {
    const operations = PROVIDER_OPERATIONS[type];
    if (!operations) throw new Error(`No known provider operations for ${type}`);
    for (const op of operations) {
      const own = scopesAllowing(openapi, op)[0];
      if (!own) throw new Error(`${op.join(" ")} lists no scope`);
      scopes.add(own);
    }
    for (const scope of FIELD_LEVEL_SCOPES[type] ?? []) scopes.add(scope);
  }
  return [...scopes].sort();
}
