/**
 * Private Key JWT client authentication at `/oauth/token` (RFC 7523 client assertions), as
 * Auth0 documents it in "Authenticate with Private Key JWT"
 * (https://auth0.com/docs/get-started/authentication-and-authorization-flow/authenticate-with-private-key-jwt):
 * header `alg` = the credential's alg, optional `kid`; `iss` = `sub` = client id; `aud` = the
 * tenant URL with its trailing slash, one string; `exp` at most 5 minutes ahead; `iat`/`nbf` optional with
 * up to 10 s clock skew; a unique `jti`, used once; `iss`, `sub`, `jti` at most 64 characters,
 * `alg` at most 16. Each check names its rule id (rules-private-key-jwt.ts).
 *
 * Refusals are 401 `invalid_client` (RFC 6749 §5.2: client authentication failed); a malformed
 * request is 400 `invalid_request`. Auth0 does not document its exact `error_description`s, so
 * the local tenants' say plainly what was wrong.
 */
import { createPublicKey } from "node:crypto";
import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import type { Doc } from "../collection";
import { OAuthError } from "../errors";
import { privateKeyJwtCredentials } from "../management/client-authentication-methods";
import type { Tenant } from "../tenant";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Auth0: "Auth0 supports a maximum of 5 minutes for the lifetime of a token." */
export const MAX_ASSERTION_LIFETIME_S = 300;
/** Auth0: "A clock skew of up to 10 seconds is allowed for iat and nbf." */
export const CLOCK_SKEW_S = 10;
const ALGORITHMS = new Set(["RS256", "RS384", "PS256"]);

/** jtis seen per tenant, with the time (epoch s) after which the assertion is dead anyway. */
const seenJtis = new WeakMap<Tenant, Map<string, number>>();

const refuse = (message: string) => new OAuthError(401, "invalid_client", message);

/** Whether a token request carries a client assertion (then no secret may be used). */
export function hasClientAssertion(params: Record<string, string>): boolean {
  return params.client_assertion !== undefined || params.client_assertion_type !== undefined;
}

/** Authenticates the client of a token request by its assertion; returns the client. */
export async function authenticateByAssertion(
  tenant: Tenant,
  params: Record<string, string>,
  basicAuthorization: boolean,
): Promise<Doc> {
  // Rule `token.assertion.type`.
  if (params.client_assertion_type !== JWT_BEARER)
    throw new OAuthError(
      400,
      "invalid_request",
      `client_assertion_type must be ${JWT_BEARER} with a client_assertion.`,
    );
  const assertion = params.client_assertion ?? "";
  // Rule `token.assertion.one-method`: one client authentication method per request.
  if (params.client_secret !== undefined || basicAuthorization)
    throw new OAuthError(
      400,
      "invalid_request",
      "Use one client authentication method: a client_assertion or a client secret, not both.",
    );
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw new OAuthError(400, "invalid_request", "client_assertion is not a signed JWT.");
  }
  const alg = String(header.alg ?? "");
  // Rule `token.assertion.claims`: iss = sub = client id; lengths as Auth0 lists them.
  if (!ALGORITHMS.has(alg) || alg.length > 16)
    throw refuse(`Assertion alg ${alg || "(none)"} is not one of RS256, RS384, PS256.`);
  const clientId = claims.iss;
  if (typeof clientId !== "string" || !clientId || clientId.length > 64)
    throw refuse("Assertion iss must be the client id (at most 64 characters).");
  if (claims.sub !== clientId) throw refuse("Assertion sub must equal iss (the client id).");
  if (params.client_id !== undefined && params.client_id !== clientId)
    throw refuse("client_id does not match the assertion's iss.");
  const jti = claims.jti;
  if (typeof jti !== "string" || !jti || jti.length > 64)
    throw refuse("Assertion jti is required (a unique id of at most 64 characters).");

  const client = tenant.store.clients.get(clientId);
  if (!client) throw refuse("Unknown client.");
  const credentials = privateKeyJwtCredentials(tenant, client);
  if (credentials.length === 0)
    throw refuse("The client is not configured for Private Key JWT authentication.");
  // Rule `token.assertion.kid-alg`: the credential named by kid (else each one), whose alg matches.
  const candidates = credentials.filter(
    (c) => (header.kid === undefined || c.kid === header.kid) && c.alg === alg,
  );
  if (candidates.length === 0)
    throw refuse("No credential of the client matches the assertion's kid and alg.");
  const nowS = Math.floor(Date.now() / 1000);
  // Rule `token.assertion.key-expiry`: "Once the expiration date passes, the credential is no
  // longer valid."
  const live = candidates.filter((c) => !c.expires_at || Date.parse(c.expires_at) > Date.now());
  if (live.length === 0) throw refuse("The credential has expired.");

  // Signature first (with each live candidate key), then the claims, so that nothing unsigned
  // is judged on its claims.
  let verified = false;
  for (const credential of live) {
    try {
      await compactVerify(assertion, createPublicKey(credential.pem), { algorithms: [alg] });
      verified = true;
      break;
    } catch {
      // the next credential may be the one that signed it
    }
  }
  if (!verified) throw refuse("The assertion's signature does not verify with the client's key.");

  // Rule `token.assertion.aud`: the tenant's issuer identifier (its URL with the trailing slash),
  // as one string: Auth0 deprecates the endpoint URL and arrays.
  if (claims.aud !== tenant.issuer)
    throw refuse(
      `Assertion aud must be ${tenant.issuer} (the tenant URL with its trailing slash), as a single string.`,
    );
  // Rule `token.assertion.lifetime`: exp required and not passed (no skew), at most 5 minutes
  // ahead; iat and nbf within 10 s of skew.
  const { exp, iat, nbf } = claims;
  if (typeof exp !== "number") throw refuse("Assertion exp is required.");
  if (exp <= nowS) throw refuse("The assertion has expired (exp).");
  if (iat !== undefined && (typeof iat !== "number" || iat > nowS + CLOCK_SKEW_S))
    throw refuse("Assertion iat is in the future.");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > nowS + CLOCK_SKEW_S))
    throw refuse("Assertion is not valid yet (nbf).");
  const from = typeof iat === "number" ? Math.min(iat, nowS) : nowS;
  if (exp - from > MAX_ASSERTION_LIFETIME_S)
    throw refuse(`Assertion lifetime exceeds ${MAX_ASSERTION_LIFETIME_S} seconds.`);

  // Rule `token.assertion.jti-replay`: an assertion is used once.
  const seen = seenJtis.get(tenant) ?? new Map<string, number>();
  seenJtis.set(tenant, seen);
  for (const [key, until] of seen) if (until < nowS) seen.delete(key);
  const replayKey = `${clientId}:${jti}`;
  if (seen.has(replayKey)) throw refuse("The assertion was already used (jti replay).");
  seen.set(replayKey, exp);
  return client;
}
