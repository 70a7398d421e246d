/**
 * Client authentication at /oauth/token and /oauth/revoke without an assertion: with the client
 * secret (HTTP Basic or the request body) or, for a public client, with none. The method a
 * request uses must be the client's `token_endpoint_auth_method` (rules `token.auth-method.*`).
 *
 * Auth0 answers a failed client authentication (unknown client, wrong secret) with 401
 * `{"error":"access_denied","error_description":"Unauthorized"}` and publishes no other body for
 * a method the client is not registered for, so a wrong method gets that same answer.
 */
import type { IncomingMessage } from "node:http";
import type { Doc } from "../collection";
import { OAuthError } from "../errors";
import { usesPrivateKeyJwt } from "../management/client-authentication-methods";
import type { Tenant } from "../tenant";
import { sameText } from "./shared";

/** How a token request authenticated its client. */
export type SecretMethod = "client_secret_basic" | "client_secret_post" | "none";

const unauthorized = () => new OAuthError(401, "access_denied", "Unauthorized");

/** The client id, secret and method a request carries (no assertion). */
export function secretCredentials(
  req: IncomingMessage,
  params: Record<string, string>,
): { clientId: string | undefined; secret: string | undefined; method: SecretMethod } {
  const header = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!header?.[1]) {
    const secret = params.client_secret;
    return {
      clientId: params.client_id,
      secret,
      method: secret === undefined ? "none" : "client_secret_post",
    };
  }
  const decoded = Buffer.from(header[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError(401, "invalid_client", "Malformed Basic credentials");
  let clientId: string;
  let secret: string;
  try {
    clientId = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  } catch {
    throw new OAuthError(401, "invalid_client", "Malformed Basic credentials");
  }
  // Rule `token.auth-method.one`: one method per request (RFC 6749 §2.3), and one client.
  if (params.client_secret !== undefined)
    throw new OAuthError(
      400,
      "invalid_request",
      "Send the client secret either in the Authorization header or in the body, not both.",
    );
  if (params.client_id !== undefined && params.client_id !== clientId) throw unauthorized();
  return { clientId, secret, method: "client_secret_basic" };
}

/**
 * The client a request authenticates as. `currentSecret` gives the secret that works now, or
 * undefined while a rotation is pending (rule `clients.rotate.delay`: none works then).
 */
export function authenticateBySecret(
  tenant: Tenant,
  req: IncomingMessage,
  params: Record<string, string>,
  currentSecret: (client: Doc) => string | undefined,
): Doc {
  const { clientId, secret, method } = secretCredentials(req, params);
  const client = clientId ? tenant.store.clients.get(clientId) : undefined;
  if (!client) throw unauthorized();
  if (usesPrivateKeyJwt(client)) {
    if (method === "none") throw unauthorized();
    // Rule `token.assertion.no-secret`: a Private Key JWT client never authenticates by secret.
    throw new OAuthError(
      401,
      "invalid_client",
      "This client authenticates with Private Key JWT: send a client_assertion.",
    );
  }
  // A client made without `token_endpoint_auth_method` has none in Auth0's answers (go-auth0's
  // recordings); it authenticates as `client_secret_post` here (stricter reading: one method).
  const registered =
    (client.token_endpoint_auth_method as SecretMethod | null | undefined) ?? "client_secret_post";
  // Rule `token.auth-method.none`: a public client sends no secret at all.
  if (registered === "none") {
    if (method !== "none") throw unauthorized();
    return client;
  }
  // Rules `token.auth-method.post` and `token.auth-method.basic`: a confidential client
  // authenticates with its secret, the way it is registered for.
  if (method === "none") throw unauthorized();
  if (registered !== method) throw unauthorized();
  const current = currentSecret(client);
  if (!secret || current === undefined || !sameText(current, secret)) throw unauthorized();
  return client;
}

/** A public client: `token_endpoint_auth_method` `none` (Auth0's single-page and native apps). */
export function isPublicClient(client: Doc): boolean {
  return client.token_endpoint_auth_method === "none";
}
