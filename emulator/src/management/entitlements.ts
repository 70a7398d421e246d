/**
 * What a client's authentication methods need beyond the operation's own scope: the
 * `*:client_credentials` scope (rule `clients.auth-methods.scope`) and a plan that includes
 * Private Key JWT (rule `plans.private-key-jwt`). Kept apart from the handlers so that the gate
 * wraps every route that can switch a client to Private Key JWT.
 */
import type { Doc } from "../collection";
import { ApiError } from "../errors";
import { PLANS } from "../plans";
import type { Tenant } from "../tenant";
import type { Handler } from "./context";

/**
 * Auth0's refusal of a feature the tenant's plan lacks. The shape and `errorCode` are Auth0's
 * (403 `insufficient_entitlement`); the message follows Auth0's "Please upgrade your subscription
 * to use …" (the exact words for Private Key JWT are not published; the rules row says so).
 */
export function insufficientEntitlement(feature: string): ApiError {
  return new ApiError(
    403,
    `Please upgrade your subscription to use ${feature}`,
    "insufficient_entitlement",
  );
}

/** Rule `plans.private-key-jwt`: Private Key JWT needs a plan that includes it (Enterprise). */
export function requirePrivateKeyJwt(tenant: Tenant): void {
  if (!PLANS[tenant.plan].entitlements.includes("private_key_jwt"))
    throw insufficientEntitlement("Private Key JWT authentication");
}

/** Whether `methods` (a body's `client_authentication_methods`) sets Private Key JWT credentials. */
function setsPrivateKeyJwt(methods: unknown): boolean {
  const pkj = (methods as Doc | null | undefined)?.private_key_jwt;
  return pkj !== undefined && pkj !== null;
}

/**
 * Wraps `POST /clients` (`scope` `create:client_credentials`) or `PATCH /clients/{id}`
 * (`update:client_credentials`): a body with `client_authentication_methods` needs that scope
 * besides the operation's (auth0 SDK `Client.d.ts`: "To configure `client_authentication_methods`,
 * the `create:client_credentials` scope is required", and `update:` for PATCH), then, when it sets
 * Private Key JWT credentials, the plan's entitlement. Nothing is made on a refusal.
 */
export function withAuthenticationMethodsGate(
  scope: "create:client_credentials" | "update:client_credentials",
  handler: Handler,
): Handler {
  return (ctx) => {
    const methods = ctx.body.client_authentication_methods;
    if (methods !== undefined) {
      if (!ctx.scopes.has(scope))
        throw new ApiError(
          403,
          `Insufficient scope, expected any of: ${scope}`,
          "insufficient_scope",
        );
      if (setsPrivateKeyJwt(methods)) requirePrivateKeyJwt(ctx.tenant);
    }
    return handler(ctx);
  };
}

/** Scopes that may read a client's `client_authentication_methods` (and its secret). */
const READ_METHODS_SCOPES = ["read:client_keys", "read:client_credentials"];

/**
 * Rule `clients.auth-methods.read-scope`: `client_authentication_methods` is in a client read only
 * for a caller with `read:client_keys` or `read:client_credentials` (auth0 SDK `Client.d.ts`,
 * `list` and `get`: "The following properties can only be retrieved with the `read:client_keys`
 * or `read:client_credentials` scope: … `client_secret`, `client_authentication_methods` …").
 * Wraps `GET /clients`, `GET /clients/{id}` and the client search; lists keep their envelope.
 */
export function withAuthenticationMethodsHidden(handler: Handler): Handler {
  return async (ctx) => {
    const result = await handler(ctx);
    if (READ_METHODS_SCOPES.some((s) => ctx.scopes.has(s))) return result;
    const hide = (doc: unknown) => {
      if (!doc || typeof doc !== "object" || !("client_authentication_methods" in doc)) return doc;
      const { client_authentication_methods: _hidden, ...rest } = doc as Doc;
      return rest;
    };
    const body = result.body;
    if (Array.isArray(body)) return { ...result, body: body.map(hide) };
    const clients = (body as { clients?: unknown } | undefined)?.clients;
    if (Array.isArray(clients))
      return { ...result, body: { ...(body as Doc), clients: clients.map(hide) } };
    return { ...result, body: hide(body) };
  };
}
