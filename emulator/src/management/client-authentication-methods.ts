/**
 * `client_authentication_methods` on clients: Private Key JWT credentials (public keys) created
 * with the client in one `POST /clients`, as Auth0 documents it. Each rule below names its id in
 * the rules table (`emulator/src/rules-private-key-jwt.ts`).
 *
 * The credentials are kept apart from the client record (`store.sections.clientCredentials`):
 * a client shows only their ids (`client_authentication_methods.private_key_jwt.credentials:
 * [{ id }]`, Auth0's `ClientAuthenticationMethodPrivateKeyJwtCredentials`), never the keys
 * (rule `clients.auth-methods.read`).
 */
import { createHash, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import type { Doc } from "../collection";
import { ApiError, badRequest } from "../errors";
import type { Tenant } from "../tenant";
import { clone, type Handler, now, randomId } from "./context";

/** A stored Private Key JWT credential (Auth0's `ClientCredential`, plus the key). */
export interface StoredCredential {
  id: string;
  client_id: string;
  name: string;
  kid: string;
  alg: "RS256" | "RS384" | "PS256";
  credential_type: "public_key";
  pem: string;
  expires_at?: string;
  created_at: string;
  updated_at?: string;
}

/** Auth0: "Auth0 enforces a minimum RSA key size of 2048 bits and a maximum key size of 4096 bits." */
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 4096;
/** Auth0: at most 2 credentials per application (Dashboard, "Available Credentials"). */
export const MAX_CREDENTIALS = 2;

type Sections = { clientCredentials?: Record<string, StoredCredential> };

export function credentialsSection(tenant: Tenant): Record<string, StoredCredential> {
  const sections = tenant.store.sections as unknown as Sections;
  sections.clientCredentials ??= {};
  return sections.clientCredentials;
}

/** The Private Key JWT credentials of a client, in the order they were created. */
export function privateKeyJwtCredentials(tenant: Tenant, client: Doc): StoredCredential[] {
  const ids = privateKeyJwtIds(client);
  const all = credentialsSection(tenant);
  return ids.map((id) => all[id]).filter((c): c is StoredCredential => Boolean(c));
}

function privateKeyJwtIds(client: Doc): string[] {
  const methods = client.client_authentication_methods as Doc | null | undefined;
  const pkj = methods?.private_key_jwt as { credentials?: { id?: unknown }[] } | undefined;
  return (pkj?.credentials ?? []).map((c) => String(c.id));
}

/** Whether the client authenticates with Private Key JWT (and so never with its secret). */
export function usesPrivateKeyJwt(client: Doc): boolean {
  return privateKeyJwtIds(client).length > 0;
}

/**
 * Reads a PEM as Auth0 takes it: "PEM-formatted public key (SPKI and PKCS1) or X509 certificate"
 * (SDK `PublicKeyCredential.pem`). A private key is refused, never echoed.
 * Rule `clients.auth-methods.pem`.
 */
export function readPublicKeyPem(pem: string, at: string): { key: KeyObject; certExpiry?: string } {
  const text = pem.trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw badRequest(`${at}.pem is a private key; send only the public key.`);
  let key: KeyObject;
  let certExpiry: string | undefined;
  try {
    if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
      const cert = new X509Certificate(text);
      key = cert.publicKey;
      certExpiry = new Date(cert.validTo).toISOString();
    } else if (
      text.startsWith("-----BEGIN PUBLIC KEY-----") ||
      text.startsWith("-----BEGIN RSA PUBLIC KEY-----")
    ) {
      key = createPublicKey({ key: text, format: "pem" });
    } else {
      throw new Error("not a PEM public key");
    }
  } catch {
    throw badRequest(
      `${at}.pem is not a PEM public key (SPKI or PKCS1) or X.509 certificate.`,
      "invalid_pem",
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== "rsa" || bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)
    throw badRequest(
      `${at}.pem must be an RSA key of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (got ${key.asymmetricKeyType === "rsa" ? `${bits} bits` : key.asymmetricKeyType}).`,
      "invalid_pem",
    );
  return certExpiry ? { key, certExpiry } : { key };
}

/**
 * Rule `clients.auth-methods.kid`: without a `kid`, Auth0 names the credential by its key's
 * RFC 7638 JWK thumbprint (SHA-256, base64url): go-auth0's recordings answer the same `kid` for
 * the same PEM on every client.
 */
export function keyThumbprint(key: KeyObject): string {
  const { e, n } = key.export({ format: "jwk" });
  const canonical = JSON.stringify({ e, kty: "RSA", n });
  return createHash("sha256").update(canonical).digest("base64url");
}

/** Checks one public-key credential as sent (create or `POST /clients/{id}/credentials`). */
export function buildCredential(c: Doc, at: string, clientId: string): StoredCredential {
  const { key, certExpiry } = readPublicKeyPem(String(c.pem ?? ""), at);
  let expiresAt = typeof c.expires_at === "string" ? c.expires_at : undefined;
  if (c.parse_expiry_from_cert === true) {
    // Rule `clients.auth-methods.expiry` (stricter reading: only a certificate has one).
    if (!certExpiry) throw badRequest(`${at}.parse_expiry_from_cert needs an X.509 certificate.`);
    if (expiresAt) throw badRequest(`${at}: give expires_at or parse_expiry_from_cert, not both.`);
    expiresAt = certExpiry;
  }
  if (expiresAt !== undefined) expiresAt = futureDate(expiresAt, `${at}.expires_at`);
  const created = now();
  const stored: StoredCredential = {
    id: `cred_${randomId(22)}`,
    client_id: clientId,
    name: typeof c.name === "string" ? c.name : "",
    kid: typeof c.kid === "string" ? c.kid : keyThumbprint(key),
    alg: (c.alg as StoredCredential["alg"] | undefined) ?? "RS256",
    credential_type: "public_key",
    pem: String(c.pem).trim(),
    created_at: created,
    updated_at: created,
  };
  if (expiresAt) stored.expires_at = expiresAt;
  return stored;
}

/**
 * Rule `clients.auth-methods.expiry`: "set a future date" (stricter reading: a past date is
 * refused rather than creating a credential that can never work).
 */
export function futureDate(value: string, at: string): string {
  const when = Date.parse(value);
  if (Number.isNaN(when)) throw badRequest(`${at} is not an ISO 8601 date.`);
  if (when <= Date.now()) throw badRequest(`${at} must be in the future.`);
  return new Date(when).toISOString();
}

/**
 * Rule `clients.auth-methods.jwt-alg`: RS256, or PS256 on a client of a FAPI compliance level
 * (go-auth0's recorded `TestClientAuthenticationMethods/GetPrivateKeyJWT` #0).
 */
function checkJwtAlg(body: Doc): void {
  const jwtAlg = (body.jwt_configuration as Doc | undefined)?.alg;
  const fapi = String(body.compliance_level ?? "").startsWith("fapi");
  // Without `alg` Auth0 sets none (recorded: TestClient_Create #0), and the SDK's notes say it
  // "must be set to RS256": a missing one is refused too.
  if (jwtAlg !== "RS256" && !(jwtAlg === "PS256" && fapi))
    throw badRequest(
      "client_authentication_methods needs jwt_configuration.alg RS256 (PS256 only with a FAPI compliance_level).",
    );
}

/** Checks the body's `client_authentication_methods` and builds the credentials to store. */
function credentialsFromBody(body: Doc, clientId: string): StoredCredential[] {
  const methods = body.client_authentication_methods as Doc;
  // Rule `clients.auth-methods.exclusive`: Auth0 documents the two as mutually exclusive.
  if (body.token_endpoint_auth_method !== undefined)
    throw badRequest(
      "client_authentication_methods and token_endpoint_auth_method are mutually exclusive: leave token_endpoint_auth_method out.",
    );
  checkJwtAlg(body);
  // Rule `clients.auth-methods.private-key-jwt-only`.
  if (!methods.private_key_jwt)
    throw badRequest(
      "The local tenants support only private_key_jwt in client_authentication_methods (mTLS is not emulated).",
    );
  const list = (methods.private_key_jwt as { credentials: Doc[] }).credentials;
  // Rule `clients.auth-methods.count`.
  if (list.length < 1 || list.length > MAX_CREDENTIALS)
    throw badRequest(
      `client_authentication_methods.private_key_jwt.credentials must hold 1 to ${MAX_CREDENTIALS} credentials.`,
    );
  const made = list.map((c, i) =>
    buildCredential(c, `client_authentication_methods.private_key_jwt.credentials[${i}]`, clientId),
  );
  checkDistinct(made);
  return made;
}

/** Rule `clients.credentials.same-key`: one key (and one `kid`) once per client. */
export function checkDistinct(credentials: readonly StoredCredential[]): void {
  const kids = new Set<string>();
  const pems = new Set<string>();
  for (const c of credentials) {
    if (kids.has(c.kid) || pems.has(c.pem))
      throw badRequest(
        `A credential with this public key (kid ${c.kid}) already exists for this client: upload each key once.`,
        "credential_exists",
      );
    kids.add(c.kid);
    pems.add(c.pem);
  }
}

/** A credential as the client's create answer shows it (go-auth0's recordings). */
function shownOnCreate(c: StoredCredential): Doc {
  const { client_id: _client, pem: _pem, expires_at, ...shown } = c;
  return expires_at ? { ...shown, expires_at } : shown;
}

/**
 * `POST /clients` with `client_authentication_methods`: the credentials are checked before the
 * client is made (nothing half-made on a 400), stored apart, and the client shows their ids, no
 * `token_endpoint_auth_method` and no `client_secret`. Needs only `create:clients` (the operation's scope).
 */
export function withClientAuthenticationMethods(create: Handler): Handler {
  return async (ctx) => {
    if (ctx.body.client_authentication_methods === undefined) return create(ctx);
    const credentials = credentialsFromBody(ctx.body, "");
    const { client_authentication_methods: _methods, ...rest } = ctx.body;
    const result = await create({ ...ctx, body: rest });
    const made = result.body as Doc;
    const clientId = String(made.client_id);
    const { store } = ctx.tenant;
    const current = store.clients.get(clientId);
    if (!current) return result;
    const section = credentialsSection(ctx.tenant);
    for (const c of credentials) section[c.id] = { ...c, client_id: clientId };
    const { token_endpoint_auth_method: _method, ...client } = clone(current);
    client.client_authentication_methods = {
      private_key_jwt: { credentials: credentials.map((c) => ({ id: c.id })) },
    };
    store.clients.put(client);
    store.changed();
    // Rule `clients.auth-methods.secret-hidden`: the answer carries no client_secret either.
    // Rule `clients.auth-methods.read`: the create's answer shows the credentials made, reads ids.
    const { token_endpoint_auth_method: _shown, client_secret: _hidden, ...body } = made;
    return {
      status: result.status,
      body: {
        ...body,
        client_authentication_methods: {
          private_key_jwt: { credentials: credentials.map(shownOnCreate) },
        },
      },
    };
  };
}

/**
 * `PATCH /clients/{id}` with `client_authentication_methods` (rule `clients.auth-methods.patch`):
 * needs `update:client_credentials`; `private_key_jwt.credentials` names by id 1 or 2 credentials
 * made for this client (with the client or `POST /clients/{id}/credentials`); `null` turns the
 * method off. The client then has no `token_endpoint_auth_method` (rule
 * `clients.auth-methods.exclusive`).
 */
export function withPatchedAuthenticationMethods(patch: Handler): Handler {
  return async (ctx) => {
    const methods = ctx.body.client_authentication_methods as Doc | null | undefined;
    if (methods === undefined) return patch(ctx);
    if (!ctx.scopes.has("update:client_credentials"))
      throw new ApiError(
        403,
        "Insufficient scope, expected any of: update:client_credentials",
        "insufficient_scope",
      );
    const { store } = ctx.tenant;
    const current = store.clients.get(ctx.params.id ?? "");
    if (!current) return patch(ctx); // its 404
    const ids = methods === null ? [] : credentialIdsFromPatch(ctx.tenant, current, ctx.body);
    const { client_authentication_methods: _methods, ...rest } = ctx.body;
    const result = await patch({ ...ctx, body: rest });
    const patched = store.clients.get(current.client_id as string) as Doc;
    const { token_endpoint_auth_method: _method, ...client } = clone(patched);
    if (ids.length > 0)
      client.client_authentication_methods = {
        private_key_jwt: { credentials: ids.map((id) => ({ id })) },
      };
    else delete client.client_authentication_methods;
    store.clients.put(client);
    store.changed();
    const { token_endpoint_auth_method: _shown, ...body } = result.body as Doc;
    if (ids.length === 0) return { status: result.status, body };
    // Rule `clients.auth-methods.secret-hidden`.
    const { client_secret: _hidden, ...shown } = body;
    return {
      status: result.status,
      body: { ...shown, client_authentication_methods: client.client_authentication_methods },
    };
  };
}

function credentialIdsFromPatch(tenant: Tenant, current: Doc, body: Doc): string[] {
  const methods = body.client_authentication_methods as Doc;
  if (body.token_endpoint_auth_method !== undefined && body.token_endpoint_auth_method !== null)
    throw badRequest(
      "client_authentication_methods and token_endpoint_auth_method are mutually exclusive: leave token_endpoint_auth_method out.",
    );
  const jwt = { ...(current.jwt_configuration as Doc), ...(body.jwt_configuration as Doc) };
  checkJwtAlg({
    jwt_configuration: jwt,
    compliance_level: body.compliance_level ?? current.compliance_level ?? null,
  });
  const pkj = methods.private_key_jwt as { credentials?: Doc[] } | null | undefined;
  if (Object.keys(methods).some((k) => k !== "private_key_jwt"))
    throw badRequest(
      "The local tenants support only private_key_jwt in client_authentication_methods (mTLS is not emulated).",
    );
  const list = pkj?.credentials ?? [];
  if (pkj && (list.length < 1 || list.length > MAX_CREDENTIALS))
    throw badRequest(
      `client_authentication_methods.private_key_jwt.credentials must hold 1 to ${MAX_CREDENTIALS} credentials.`,
    );
  const section = credentialsSection(tenant);
  return list.map((c, i) => {
    const id = String(c.id ?? "");
    if (section[id]?.client_id !== current.client_id)
      throw badRequest(
        `client_authentication_methods.private_key_jwt.credentials[${i}].id ${id} is not a credential of this client.`,
      );
    return id;
  });
}

/** `DELETE /clients/{id}` also removes the client's credentials. */
export function withCredentialsDeleted(remove: Handler): Handler {
  return async (ctx) => {
    const result = await remove(ctx);
    const section = credentialsSection(ctx.tenant);
    for (const [id, c] of Object.entries(section))
      if (c.client_id === ctx.params.id) delete section[id];
    ctx.tenant.store.changed();
    return result;
  };
}
