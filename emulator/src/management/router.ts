/**
 * The Management API, mounted from Auth0's OpenAPI document: one loop over the implemented
 * operations gives each its path pattern and scopes; one generic path authenticates, checks
 * scopes, parses the query and validates the body, then calls the hand-written handler.
 */
import type { IncomingMessage } from "node:http";
import type { Doc } from "../collection";
import { ApiError } from "../errors";
import { readPayload } from "../http";
import type { Operation } from "../openapi";
import type { Tenant } from "../tenant";
import {
  withClientAuthenticationMethods,
  withCredentialsDeleted,
  withPatchedAuthenticationMethods,
} from "./client-authentication-methods";
import * as credentials from "./client-credentials";
import * as grants from "./client-grants";
import { searchClients } from "./client-search";
import * as clients from "./clients";
import type { Handler, HandlerResult } from "./context";
import { EMAIL_PROVIDER_HANDLERS, withFromNeedsProvider } from "./email-provider";
import { withAuthenticationMethodsGate, withAuthenticationMethodsHidden } from "./entitlements";
import * as resourceServers from "./resource-servers";
import { TENANT_CONFIG_HANDLERS } from "./tenant-config";
import * as settings from "./tenant-settings";
import * as users from "./users";

/** operationId (as in the OpenAPI document) → handler. Everything else answers 404. */
export const HANDLERS: Record<string, Handler> = {
  get_clients: withAuthenticationMethodsHidden(clients.listClients),
  get_clients_search: withAuthenticationMethodsHidden(searchClients),
  post_clients: withAuthenticationMethodsGate(
    "create:client_credentials",
    withClientAuthenticationMethods(clients.createClient),
  ),
  get_clients_by_id: withAuthenticationMethodsHidden(clients.getClient),
  patch_clients_by_id: withAuthenticationMethodsGate(
    "update:client_credentials",
    withPatchedAuthenticationMethods(clients.patchClient),
  ),
  delete_clients_by_id: withCredentialsDeleted(clients.deleteClient),
  "post_rotate-secret": clients.rotateSecret,
  get_credentials: credentials.listCredentials,
  post_credentials: credentials.createCredential,
  get_credentials_by_credential_id: credentials.getCredential,
  patch_credentials_by_credential_id: credentials.patchCredential,
  delete_credentials_by_credential_id: credentials.deleteCredential,
  "get_client-grants": grants.listGrants,
  "post_client-grants": grants.createGrant,
  "get_client-grant": grants.getGrant,
  "patch_client-grants_by_id": grants.patchGrant,
  "delete_client-grants_by_id": grants.deleteGrant,
  get_users: users.listUsers,
  post_users: users.createUser,
  get_users_by_id: users.getUser,
  patch_users_by_id: users.patchUser,
  delete_users_by_id: users.deleteUser,
  "get_users-by-email": users.usersByEmail,
  "get_resource-servers": resourceServers.listResourceServers,
  "post_resource-servers": resourceServers.createResourceServer,
  "get_resource-servers_by_id": resourceServers.getResourceServer,
  "patch_resource-servers_by_id": resourceServers.patchResourceServer,
  "delete_resource-servers_by_id": resourceServers.deleteResourceServer,
  tenant_settings_route: settings.getSettings,
  get_prompts: settings.getPrompts,
  patch_prompts: settings.patchPrompts,
  patch_settings: settings.patchSettings,
  ...TENANT_CONFIG_HANDLERS,
  ...EMAIL_PROVIDER_HANDLERS,
  // Rule `email-templates.from-needs-provider` (emulator/src/management/email-provider.ts).
  ...Object.fromEntries(
    [
      "post_email-templates",
      "patch_email-templates_by_templateName",
      "put_email-templates_by_templateName",
    ].map((id) => [id, withFromNeedsProvider(TENANT_CONFIG_HANDLERS[id] as Handler)]),
  ),
};

export const API_PREFIX = "/api/v2";

/** Top-level keys of each request's JSON body, for the conformance record. */
export const BODY_KEYS = new WeakMap<IncomingMessage, string[]>();

interface Route {
  op: Operation;
  handler: Handler;
}

export class ManagementRouter {
  private readonly routes: Route[];
  /** Every operation of Auth0's document, implemented or not (rule `order.auth-before-404`). */
  private readonly documented: Operation[];

  constructor(operations: ReadonlyMap<string, Operation>) {
    const byId = (id: string) => {
      const op = operations.get(id);
      if (!op) throw new Error(`operation ${id} is not in the OpenAPI document`);
      return op;
    };
    this.routes = Object.entries(HANDLERS)
      .map(([id, handler]) => ({ op: byId(id), handler }))
      // Literal paths before templated ones, so `/users-by-email` never reads as `/users/{id}`.
      .sort((a, b) => a.op.pathParams.length - b.op.pathParams.length);
    this.documented = [...operations.values()].sort(
      (a, b) => a.pathParams.length - b.pathParams.length,
    );
  }

  async handle(tenant: Tenant, req: IncomingMessage, url: URL): Promise<HandlerResult> {
    const method = req.method ?? "GET";
    const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, "") || "/";
    for (const { op, handler } of this.routes) {
      const m = op.pattern.exec(path);
      if (!m) continue;
      if (op.method !== method) continue;
      const params: Record<string, string> = {};
      op.pathParams.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? "");
      });
      const { scopes, clientId } = await this.authenticate(tenant, req);
      this.checkScopes(op, scopes);
      const query = tenant.openApi.parseQuery(op, url.searchParams);
      let body: Doc = {};
      if (op.bodySchema) {
        const payload = await readPayload(req);
        const value = payload === undefined ? {} : payload;
        if (value && typeof value === "object" && !Array.isArray(value)) {
          BODY_KEYS.set(req, Object.keys(value));
        }
        tenant.openApi.checkBody(op, value);
        body = value as Doc;
      }
      return handler({ tenant, params, query, body, scopes, clientId });
    }
    // Rule `order.auth-before-404`: an operation in Auth0's document that the local tenants do
    // not implement still answers 401 without a valid token and 403 without its scope, as Auth0
    // does, before the 404. Paths (and methods) outside the document are a plain 404.
    const documented = this.documented.find((op) => op.method === method && op.pattern.test(path));
    if (documented) {
      this.checkScopes(documented, (await this.authenticate(tenant, req)).scopes);
      throw new ApiError(
        404,
        `Not Found: the local tenants do not implement ${documented.operationId}`,
        "not_found",
      );
    }
    throw new ApiError(404, "Not Found", "not_found");
  }

  /** The operation of Auth0's document (or a supplement) that a method and path name. */
  operationFor(method: string, apiPath: string): Operation | undefined {
    const path = apiPath.replace(/\/+$/, "") || "/";
    return (
      this.routes.find((r) => r.op.method === method && r.op.pattern.test(path))?.op ??
      this.documented.find((op) => op.method === method && op.pattern.test(path))
    );
  }

  private checkScopes(op: Operation, scopes: ReadonlySet<string>): void {
    if (!op.scopes.some((s) => scopes.has(s))) {
      throw new ApiError(
        403,
        `Insufficient scope, expected any of: ${op.scopes.join(",")}`,
        "insufficient_scope",
      );
    }
  }

  /** The caller's scopes and client from a valid Management API access token; 401 otherwise. */
  private async authenticate(
    tenant: Tenant,
    req: IncomingMessage,
  ): Promise<{ scopes: Set<string>; clientId: string }> {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, "Missing authentication", "missing_authentication");
    let payload: Record<string, unknown>;
    try {
      payload = await tenant.keys().verify(match[1], tenant.issuer, tenant.managementAudience);
    } catch (err) {
      const expired = (err as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new ApiError(
        401,
        expired ? "Expired token received for JSON Web Token validation" : "Invalid token",
        "invalid_token",
      );
    }
    // A token of a client deleted since stays valid until it expires, as in Auth0.
    const scopes = new Set(
      String(payload.scope ?? "")
        .split(" ")
        .filter(Boolean),
    );
    return { scopes, clientId: String(payload.azp ?? "") };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "Bad path: invalid percent-encoding", "invalid_uri");
  }
}
