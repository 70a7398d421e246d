/**
 * One check per Private Key JWT row of the rules table (emulator/src/rules-private-key-jwt.ts),
 * for emulator/test/rules.integration.test.ts. Each fails if the tenant stops enforcing its rule;
 * fuller scenarios live in private-key-jwt.integration.test.ts.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { expect } from "vitest";
import type { PRIVATE_KEY_JWT_RULES } from "../src/rules-private-key-jwt";
import { call, expectAuth0Error } from "./helpers";
import { thumbprintOf } from "./recorded-checks";

type Id = (typeof PRIVATE_KEY_JWT_RULES)[number]["id"];
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export function privateKeyJwtChecks(t: {
  base: () => string;
  token: () => string;
  issuer: () => string;
  audience: () => string;
  /** The secret the tenant keeps for a client (no answer shows a Private Key JWT client's). */
  storedSecret: (clientId: string) => Promise<string>;
}): Record<Id, () => Promise<void>> {
  const rsa = (bits = 2048) => generateKeyPairSync("rsa", { modulusLength: bits });
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "pem" }).toString();
  const methods = (credentials: Record<string, unknown>[]) => ({
    private_key_jwt: { credentials },
  });
  const create = (body: Record<string, unknown>) =>
    call(t.base(), "POST", "/api/v2/clients", {
      token: t.token(),
      body: {
        name: "rules pkjwt",
        app_type: "non_interactive",
        jwt_configuration: { alg: "RS256" },
        ...body,
      },
    });
  const status400 = async (body: Record<string, unknown>) =>
    expect(expectAuth0Error(await create(body)).statusCode).toBe(400);
  /** A granted Private Key JWT client and its private key. */
  const client = async (credential: Record<string, unknown> = {}, pair = rsa()) => {
    const made = await create({
      grant_types: ["client_credentials"],
      client_authentication_methods: methods([
        { credential_type: "public_key", pem: spki(pair.publicKey), ...credential },
      ]),
    });
    expect(made.status).toBe(201);
    const body = made.body as { client_id: string };
    await call(t.base(), "POST", "/api/v2/client-grants", {
      token: t.token(),
      body: { client_id: body.client_id, audience: t.audience(), scope: [] },
    });
    return { id: body.client_id, key: pair.privateKey, made };
  };
  const assertion = (
    id: string,
    key: KeyObject,
    o: {
      alg?: string;
      aud?: string | string[];
      iat?: number;
      lifetime?: number;
      jti?: string;
    } = {},
  ) => {
    const iat = o.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: o.alg ?? "RS256" })
      .setIssuer(id)
      .setSubject(id)
      .setAudience(o.aud ?? t.issuer())
      .setIssuedAt(iat)
      .setExpirationTime(iat + (o.lifetime ?? 60))
      .setJti(o.jti ?? randomUUID())
      .sign(key);
  };
  const exchange = async (params: Record<string, string>) => {
    const res = await fetch(`${t.base()}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        audience: t.audience(),
        ...params,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const withAssertion = (a: string, extra: Record<string, string> = {}) =>
    exchange({ client_assertion_type: JWT_BEARER, client_assertion: a, ...extra });
  const refused = async (a: Promise<string>, extra: Record<string, string> = {}) =>
    expect(await withAssertion(await a, extra)).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });
  const pem = () => spki(rsa().publicKey);

  return {
    "clients.auth-methods.exclusive": async () => {
      await status400({
        token_endpoint_auth_method: "client_secret_post",
        client_authentication_methods: methods([{ credential_type: "public_key", pem: pem() }]),
      });
      const { made } = await client();
      expect(made.body).not.toHaveProperty("token_endpoint_auth_method");
    },
    "clients.auth-methods.jwt-alg": async () => {
      const key = () => methods([{ credential_type: "public_key", pem: pem() }]);
      await status400({
        jwt_configuration: { alg: "HS256" },
        client_authentication_methods: key(),
      });
      await status400({
        jwt_configuration: { alg: "PS256" },
        client_authentication_methods: key(),
      });
      const fapi = await create({
        jwt_configuration: { alg: "PS256" },
        compliance_level: "fapi1_adv_pkj_par",
        require_pushed_authorization_requests: true,
        client_authentication_methods: key(),
      });
      expect(fapi.status).toBe(201);
    },
    "clients.auth-methods.private-key-jwt-only": () =>
      status400({ client_authentication_methods: { tls_client_auth: { credentials: [] } } }),
    "clients.auth-methods.count": async () => {
      const c = { credential_type: "public_key", pem: pem() };
      await status400({ client_authentication_methods: methods([]) });
      await status400({ client_authentication_methods: methods([c, c, c]) });
    },
    "clients.auth-methods.pem": async () => {
      const pair = rsa();
      const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const res = await create({
        client_authentication_methods: methods([
          { credential_type: "public_key", pem: privatePem },
        ]),
      });
      expect(expectAuth0Error(res).statusCode).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain(privatePem.split("\n")[2]);
      await status400({
        client_authentication_methods: methods([
          { credential_type: "public_key", pem: spki(rsa(1024).publicKey) },
        ]),
      });
    },
    "clients.auth-methods.expiry": () =>
      status400({
        client_authentication_methods: methods([
          {
            credential_type: "public_key",
            pem: pem(),
            expires_at: new Date(Date.now() - 1000).toISOString(),
          },
        ]),
      }),
    "clients.auth-methods.kid": async () => {
      await status400({
        client_authentication_methods: methods([
          { credential_type: "public_key", pem: pem(), kid: "short" },
        ]),
      });
      const c = { credential_type: "public_key", pem: pem(), kid: "same-kid-0001" };
      await status400({ client_authentication_methods: methods([c, { ...c, pem: pem() }]) });
      const key = pem();
      const made = await create({
        client_authentication_methods: methods([{ credential_type: "public_key", pem: key }]),
      });
      const shown = (
        made.body as {
          client_authentication_methods: { private_key_jwt: { credentials: { kid: string }[] } };
        }
      ).client_authentication_methods.private_key_jwt.credentials[0];
      expect(shown?.kid).toBe(await thumbprintOf(key));
    },
    "clients.auth-methods.read": async () => {
      const { id } = await client();
      const read = await call(t.base(), "GET", `/api/v2/clients/${id}`, { token: t.token() });
      const creds = (
        read.body as {
          client_authentication_methods: { private_key_jwt: { credentials: object[] } };
        }
      ).client_authentication_methods.private_key_jwt.credentials;
      expect(creds.map((c) => Object.keys(c))).toEqual([["id"]]);
      const { made } = await client({ name: "shown" });
      const madeCreds = (
        made.body as {
          client_authentication_methods: { private_key_jwt: { credentials: object[] } };
        }
      ).client_authentication_methods.private_key_jwt.credentials;
      expect(madeCreds.map((c) => Object.keys(c).sort())).toEqual([
        ["alg", "created_at", "credential_type", "id", "kid", "name", "updated_at"],
      ]);
    },
    "clients.auth-methods.secret-hidden": async () => {
      const { id, made } = await client();
      expect(made.body).not.toHaveProperty("client_secret");
      // The token has every scope, read:client_keys included.
      const read = await call(t.base(), "GET", `/api/v2/clients/${id}`, { token: t.token() });
      expect(read.body).not.toHaveProperty("client_secret");
      expect(await t.storedSecret(id)).toBeTruthy(); // kept, only not shown
      const withSecret = await create({ grant_types: ["client_credentials"] });
      expect(withSecret.body).toHaveProperty("client_secret");
    },
    "clients.auth-methods.patch": async () => {
      const { id } = await client();
      const patch = (body: Record<string, unknown>) =>
        call(t.base(), "PATCH", `/api/v2/clients/${id}`, { token: t.token(), body });
      const unknown = await patch({ client_authentication_methods: methods([{ id: "cred_x" }]) });
      expect(expectAuth0Error(unknown).statusCode).toBe(400);
      const added = await call(t.base(), "POST", `/api/v2/clients/${id}/credentials`, {
        token: t.token(),
        body: { credential_type: "public_key", pem: pem() },
      });
      const credId = (added.body as { id: string }).id;
      const res = await patch({
        client_authentication_methods: methods([{ id: credId }]),
        token_endpoint_auth_method: null,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        client_authentication_methods: { private_key_jwt: { credentials: [{ id: credId }] } },
      });
    },
    "token.assertion.type": async () => {
      const { id, key } = await client();
      const res = await exchange({
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        client_assertion: await assertion(id, key),
      });
      expect(res).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    },
    "token.assertion.one-method": async () => {
      const { id, key } = await client();
      const res = await withAssertion(await assertion(id, key), { client_secret: "x".repeat(20) });
      expect(res).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    },
    "token.assertion.claims": async () => {
      const { id, key } = await client();
      const other = await client();
      await refused(assertion(id, key), { client_id: other.id });
      expect((await withAssertion(await assertion(id, key))).status).toBe(200);
    },
    "token.assertion.kid-alg": async () => {
      const { id } = await client();
      await refused(assertion(id, rsa().privateKey));
      const ps = await client({ alg: "PS256" });
      await refused(assertion(ps.id, ps.key)); // RS256 header, PS256 key
    },
    "token.assertion.aud": async () => {
      const { id, key } = await client();
      await refused(assertion(id, key, { aud: `${t.issuer()}oauth/token` }));
      await refused(assertion(id, key, { aud: [t.issuer()] }));
      expect((await withAssertion(await assertion(id, key))).status).toBe(200);
    },
    "token.assertion.lifetime": async () => {
      const { id, key } = await client();
      const now = Math.floor(Date.now() / 1000);
      await refused(assertion(id, key, { iat: now - 120, lifetime: 60 }));
      await refused(assertion(id, key, { lifetime: 301 }));
    },
    "token.assertion.jti-replay": async () => {
      const { id, key } = await client();
      const once = await assertion(id, key);
      expect((await withAssertion(once)).status).toBe(200);
      await refused(Promise.resolve(once));
    },
    "token.assertion.key-expiry": async () => {
      const expiresAt = new Date(Date.now() + 1200).toISOString();
      const { id, key } = await client({ expires_at: expiresAt });
      await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 100));
      await refused(assertion(id, key));
    },
    "token.assertion.no-secret": async () => {
      const { id } = await client();
      const res = await exchange({ client_id: id, client_secret: await t.storedSecret(id) });
      expect(res).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    },
  };
}
