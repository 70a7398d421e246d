/**
 * The rules table's rows for Private Key JWT (spread into RULES in emulator/src/rules.ts):
 * `client_authentication_methods` on `POST /clients` and client assertions at `/oauth/token`.
 * Each row has a check in emulator/test/rules.integration.test.ts (from
 * emulator/test/private-key-jwt-checks.ts) and fuller scenarios in
 * emulator/test/private-key-jwt.integration.test.ts. Where Auth0's text is ambiguous the stricter
 * reading is taken and the row says so.
 */
import type { Rule } from "./rules";

const TYPES_D_TS = "auth0 SDK `dist/cjs/management/api/types/types.d.ts`";
const PATCH_CLIENT = "https://auth0.com/docs/api/management/v2/clients/patch-clients-by-id";
const AUTHENTICATE =
  "https://auth0.com/docs/get-started/authentication-and-authorization-flow/authenticate-with-private-key-jwt";
const CONFIGURE = "https://auth0.com/docs/get-started/applications/configure-private-key-jwt";
const CHANGELOG_AUD =
  'Auth0 Changelog 2025-10-10 "Audience Validation for Private Key JWT Client Authentication" (https://releases.sh/release/rel_kAPXTX1VrwcdMqAjP7cjh: "accept only a tenant\'s issuer identifier as a single JSON string value in the aud claim"; the endpoint URL and arrays "deprecated, and at a future date will cause the service to consider such JWT assertions invalid")';
/** Auth0's own SDKs sign `aud` = `https://{domain}/`. */
const SDK_AUD =
  'auth0 SDK `dist/cjs/management/wrapper/token-provider.js` (`setAudience`: the domain with `https://` and `/`); auth0/go-auth0 `internal/client/jwt_token_source.go` (`baseURL.JoinPath("/")`)';
const RECORDED =
  "auth0/terraform-provider-auth0 `test/data/recordings/TestAccClientAuthenticationMethodsPrivateKeyJWT.yaml` (answers of a real tenant: the client's `client_secret` is in every answer until `private_key_jwt` is set, in none after, and back when `client_secret_basic` is set again)";
const METHODS_TS = "emulator/src/management/client-authentication-methods.ts";
const ASSERTION_TS = "emulator/src/oauth/client-assertion.ts";

export const PRIVATE_KEY_JWT_RULES = [
  {
    id: "clients.auth-methods.exclusive",
    rule: "`client_authentication_methods` and `token_endpoint_auth_method` are mutually exclusive: a create with both is a 400, and a Private Key JWT client shows no `token_endpoint_auth_method`.",
    source: `${PATCH_CLIENT} (notes; applied to create too, the stricter reading)`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.jwt-alg",
    rule: "A client with `client_authentication_methods` needs `jwt_configuration.alg` RS256, or PS256 with a FAPI `compliance_level`; without `alg` it is a 400 (Auth0 sets no `alg` on a client made without one).",
    source: `${PATCH_CLIENT} (notes; applied to create too, the stricter reading); go-auth0 v1.45.0 recording TestClientAuthenticationMethods/GetPrivateKeyJWT.yaml #0 (PS256 with \`compliance_level\` \`fapi1_adv_pkj_par\` answered 201)`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.private-key-jwt-only",
    rule: "Only `private_key_jwt` is accepted in `client_authentication_methods` locally; the mTLS methods are a 400 (not emulated).",
    source: `${TYPES_D_TS} \`ClientCreateAuthenticationMethod\`; ${CONFIGURE}`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.count",
    rule: "`private_key_jwt.credentials` holds 1 or 2 credentials (Auth0's maximum per application).",
    source:
      'https://auth0.com/docs/get-started/applications/credentials ("the max number of credentials (2)")',
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.pem",
    rule: "`pem` is a PEM public key (SPKI or PKCS1) or X.509 certificate of an RSA key of 2048 to 4096 bits; a private key or anything else is a 400 that does not echo it.",
    source: `${TYPES_D_TS} \`PublicKeyCredential.pem\`; https://auth0.com/docs/secure/application-credentials/generate-rsa-key-pair`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.expiry",
    rule: '`expires_at` (ISO 8601) must be in the future (stricter reading of "set a future date"); without it the credential never expires; `parse_expiry_from_cert` takes a certificate\'s `notAfter`.',
    source: `${TYPES_D_TS} \`PublicKeyCredential.expires_at\`, \`parse_expiry_from_cert\`; ${CONFIGURE}`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.kid",
    rule: "`kid` matches `[0-9a-zA-Z-_]{10,64}`; when absent it is the key's RFC 7638 JWK thumbprint (SHA-256, base64url); unique within the client; `alg` is RS256 (default), RS384 or PS256.",
    source: `${TYPES_D_TS} \`PublicKeyCredential.kid\`, \`PublicKeyCredentialAlgorithmEnum\`; https://auth0.com/docs/api/management/v2/clients/post-clients; go-auth0 v1.45.0 recordings (TestClient_CreateCredential.yaml #0 and #1: the same PEM gets the same \`kid\` on every client, its thumbprint)`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.read",
    rule: "A client read (and a patch's answer) shows `client_authentication_methods.private_key_jwt.credentials` as ids only; the create's answer shows each credential made (`id`, `name`, `kid`, `credential_type`, `alg`, `created_at`, `updated_at`); never the keys.",
    source: `${TYPES_D_TS} \`ClientAuthenticationMethodPrivateKeyJwtCredentials\`; https://auth0.com/docs/api/management/v2/clients/get-clients-by-id; go-auth0 v1.45.0 recordings TestClient_Read.yaml #0 and #1, TestClientAuthenticationMethods/GetPrivateKeyJWT.yaml #1`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "clients.auth-methods.secret-hidden",
    rule: "A Private Key JWT client's `client_secret` is in no Management API answer (create, read, list, update, rotate), whatever the scopes; the tenant keeps one (the client has it again if switched back to a secret method), but nobody can read it.",
    source: `${CONFIGURE} ("The client_secret parameter will be hidden once the Private Key JWT configuration is complete"); ${RECORDED}; applied to the create's answer too (not recorded; the stricter reading)`,
    enforcedIn: ["emulator/src/management/clients.ts", METHODS_TS],
  },
  {
    id: "clients.auth-methods.patch",
    rule: "`PATCH /clients/{id}` with `client_authentication_methods` needs `update:client_credentials` (403 without); `private_key_jwt.credentials` names 1 or 2 credentials of this client by id (any other id is a 400); `null` turns the method off; `token_endpoint_auth_method: null` beside it is taken.",
    source: `${PATCH_CLIENT}; go-auth0 v1.45.0 recording TestClientAuthenticationMethods/GetPrivateKeyJWT.yaml #1 (answered 200)`,
    enforcedIn: [METHODS_TS],
  },
  {
    id: "token.assertion.type",
    rule: "A client assertion comes with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`; anything else is a 400 `invalid_request`.",
    source: `${AUTHENTICATE}; RFC 7523 §2.2`,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.one-method",
    rule: "A request with a client assertion and a client secret (post or Basic) is a 400 `invalid_request` (stricter reading: one method per request, RFC 6749 §2.3).",
    source: `${AUTHENTICATE} (the token request sends client_assertion in place of client_secret); RFC 6749 §2.3 ("MUST NOT use more than one authentication method in each request")`,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.claims",
    rule: "`iss` = `sub` = the client id (at most 64 characters), `jti` required (at most 64), header `alg` RS256, RS384 or PS256; a `client_id` parameter must equal `iss`; else 401 `invalid_client`.",
    source: AUTHENTICATE,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.kid-alg",
    rule: "The assertion verifies with the client's credential named by header `kid` (each credential when absent) whose `alg` equals the header's; a forged signature is a 401 `invalid_client`.",
    source: AUTHENTICATE,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.aud",
    rule: "`aud` is the tenant's issuer identifier, its URL with the trailing slash (`https://{domain}/`), as a single string; the token endpoint URL and arrays (even holding the issuer) are refused (Auth0 still takes them, deprecated, until it enforces the change: the stricter reading).",
    source: `${AUTHENTICATE} ("The URL of the Auth0 tenant or custom domain that receives the assertion. For example: https://{yourTenant}.auth0.com/. Include the trailing slash."); ${CHANGELOG_AUD}; ${SDK_AUD}`,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.lifetime",
    rule: "`exp` is required and not passed, at most 5 minutes after `iat` (or now); `iat` and `nbf` may be up to 10 s in the future.",
    source: AUTHENTICATE,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.jti-replay",
    rule: "An assertion is used once: a second request with the same client and `jti` before its `exp` is a 401 `invalid_client`.",
    source: `${AUTHENTICATE} ("The client assertion is a one-time use token")`,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.key-expiry",
    rule: "A credential past its `expires_at` no longer authenticates (401 `invalid_client`).",
    source: `${TYPES_D_TS} \`PublicKeyCredential.expires_at\`; ${CONFIGURE} ("Once the expiration date passes, the credential is no longer valid")`,
    enforcedIn: [ASSERTION_TS],
  },
  {
    id: "token.assertion.no-secret",
    rule: "A Private Key JWT client cannot authenticate with its client secret (401 `invalid_client`), which no answer shows anyway (`clients.auth-methods.secret-hidden`).",
    source: `${PATCH_CLIENT} (the two methods are mutually exclusive); ${CONFIGURE} ("The client_secret parameter will be hidden"); Auth0 does not say whether the hidden secret still works: the stricter reading`,
    enforcedIn: ["emulator/src/oauth/client-secret.ts"],
  },
] as const satisfies readonly Rule[];
