/**
 * One check per row of emulator/src/rules-recorded.ts (behaviour taken from a real tenant's
 * recorded answers), for emulator/test/rules.integration.test.ts. Each fails if the tenant stops
 * answering as recorded; the replay (replay.integration.test.ts) covers the full recordings.
 */
import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, exportJWK } from "jose";
import { expect } from "vitest";
import type { RECORDED_RULES } from "../src/rules-recorded";
import { call, expectAuth0Error } from "./helpers";

type Id = (typeof RECORDED_RULES)[number]["id"];
type Body = Record<string, unknown>;

export function recordedChecks(t: {
  base: () => string;
  token: () => string;
}): Record<Id, () => Promise<void>> {
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await call(t.base(), method, `/api/v2${path}`, { token: t.token(), body });
    return { ...r, body: r.body as Body };
  };
  const created = async (path: string, body: Body) => {
    const r = await api("POST", path, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const pem = () =>
    generateKeyPairSync("rsa", { modulusLength: 2048 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
  const keyClient = async () => {
    const made = await created("/clients", {
      name: "recorded keys",
      jwt_configuration: { alg: "RS256" },
      client_authentication_methods: {
        private_key_jwt: { credentials: [{ credential_type: "public_key", pem: pem() }] },
      },
    });
    return String(made.client_id);
  };

  return {
    "clients.defaults": async () => {
      const made = await created("/clients", { name: "recorded defaults" });
      for (const absent of [
        "callbacks",
        "allowed_origins",
        "web_origins",
        "allowed_logout_urls",
        "client_metadata",
        "token_endpoint_auth_method",
        "tenant",
        "global",
      ])
        expect(made, absent).not.toHaveProperty(absent);
      expect(made).toMatchObject({
        oidc_conformant: false,
        cross_origin_authentication: false,
        jwt_configuration: { secret_encoded: false, lifetime_in_seconds: 36000 },
        refresh_token: { infinite_token_lifetime: true, infinite_idle_token_lifetime: true },
      });
      expect(made.jwt_configuration).not.toHaveProperty("alg");
      const expiring = await created("/clients", {
        name: "recorded expiring",
        jwt_configuration: { alg: "RS256" },
        refresh_token: { rotation_type: "non-rotating", expiration_type: "expiring" },
      });
      expect(expiring.jwt_configuration).toEqual({ secret_encoded: false, alg: "RS256" });
      expect(expiring.refresh_token).toMatchObject({
        infinite_token_lifetime: false,
        infinite_idle_token_lifetime: false,
        token_lifetime: 2592000,
      });
    },
    "clients.patch.merge": async () => {
      const made = await created("/clients", { name: "recorded merge" });
      const patched = await api("PATCH", `/clients/${made.client_id}`, {
        jwt_configuration: { alg: "RS256" },
      });
      expect(patched.body.jwt_configuration).toEqual({
        secret_encoded: false,
        lifetime_in_seconds: 36000,
        alg: "RS256",
      });
    },
    "clients.fields.tenant": async () => {
      const listed = await api("GET", "/clients?fields=client_id&include_fields=true&per_page=1");
      expect(Object.keys((listed.body as unknown as Body[])[0] ?? {}).sort()).toEqual([
        "client_id",
        "tenant",
      ]);
    },
    "clients.credentials.endpoints": async () => {
      const id = await keyClient();
      const path = `/clients/${id}/credentials`;
      const made = await created(path, { credential_type: "public_key", name: "k2", pem: pem() });
      expect(made).not.toHaveProperty("expires_at");
      expect(Object.keys(made).sort()).toEqual(
        ["alg", "created_at", "credential_type", "id", "kid", "name", "updated_at"].sort(),
      );
      const listed = await api("GET", path);
      expect(listed.body).toHaveLength(2);
      expect((listed.body as unknown as Body[])[1]).toMatchObject({ name: "k2", expires_at: null });
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      const patched = await api("PATCH", `${path}/${made.id}`, { expires_at: expires });
      expect(patched).toMatchObject({ status: 200, body: { expires_at: expires } });
      expect((await api("DELETE", `${path}/${made.id}`)).status).toBe(204);
      expect((await api("DELETE", `${path}/${made.id}`)).status).toBe(204);
      expect((await api("GET", `${path}/${made.id}`)).status).toBe(404);
      // The one the client authenticates with cannot go.
      const inUse = String((listed.body as unknown as Body[])[0]?.id);
      expect(expectAuth0Error(await api("DELETE", `${path}/${inUse}`)).statusCode).toBe(400);
    },
    "clients.credentials.same-key": async () => {
      const key = pem();
      const made = await created("/clients", {
        name: "recorded same key",
        jwt_configuration: { alg: "RS256" },
        client_authentication_methods: {
          private_key_jwt: { credentials: [{ credential_type: "public_key", pem: key }] },
        },
      });
      const again = await api("POST", `/clients/${made.client_id}/credentials`, {
        credential_type: "public_key",
        pem: key,
      });
      expect(expectAuth0Error(again)).toMatchObject({
        statusCode: 400,
        errorCode: "credential_exists",
      });
      const twice = { credential_type: "public_key", pem: key };
      const both = await api("POST", "/clients", {
        name: "recorded twice",
        jwt_configuration: { alg: "RS256" },
        client_authentication_methods: { private_key_jwt: { credentials: [twice, twice] } },
      });
      expect(expectAuth0Error(both).statusCode).toBe(400);
    },
    "deletes.gone-204": async () => {
      for (const path of [
        "/clients/nosuchclient0000000000000000000",
        "/client-grants/cgr_nosuchgrant00000",
        "/resource-servers/000000000000000000000000",
        `/users/${encodeURIComponent("auth0|000000000000000000000000")}`,
      ])
        expect((await api("DELETE", path)).status, path).toBe(204);
    },
    "resource-servers.defaults": async () => {
      const made = await created("/resource-servers", {
        identifier: `https://recorded-${Date.now()}.example/`,
        token_encryption: {
          format: "compact-nested-jwe",
          encryption_key: { name: "k", alg: "RSA-OAEP-256", pem: pem() },
        },
      });
      expect(made).toMatchObject({
        signing_alg: "RS256",
        token_lifetime: 86400,
        token_lifetime_for_web: 7200,
        allow_offline_access: false,
        skip_consent_for_verifiable_first_party_clients: false,
      });
      for (const absent of ["token_dialect", "enforce_policies", "is_system"])
        expect(made, absent).not.toHaveProperty(absent);
      expect((made.token_encryption as Body).encryption_key).not.toHaveProperty("pem");
    },
    "resource-servers.patch-200": async () => {
      const made = await created("/resource-servers", {
        identifier: `https://recorded-patch-${Date.now()}.example/`,
      });
      const patched = await api("PATCH", `/resource-servers/${made.id}`, {
        token_lifetime_for_web: 5400,
      });
      expect(patched).toMatchObject({ status: 200, body: { token_lifetime_for_web: 5400 } });
    },
    "users.password-policy": async () => {
      const user = (password: string) =>
        api("POST", "/users", {
          connection: "Username-Password-Authentication",
          email: `recorded-${Math.random().toString(36).slice(2)}@example.com`,
          password,
        });
      expect((await user("I have a password and its a secret")).status).toBe(201);
      expect(expectAuth0Error(await user("password1")).statusCode).toBe(400);
    },
    "users.defaults": async () => {
      const made = await created("/users", {
        connection: "Username-Password-Authentication",
        email: `recorded-defaults-${Date.now()}@example.com`,
        password: "Passwords hide their chuck",
      });
      expect(made).not.toHaveProperty("logins_count");
      expect(made).not.toHaveProperty("last_password_reset");
      const patched = await api("PATCH", `/users/${encodeURIComponent(String(made.user_id))}`, {
        password: "I don't need one",
        connection: "Username-Password-Authentication",
      });
      expect(typeof patched.body.last_password_reset).toBe("string");
    },
    "connections.database-defaults": async () => {
      const made = await created("/connections", {
        name: `recorded-db-${Date.now()}`,
        strategy: "auth0",
      });
      expect(made.enabled_clients).toEqual([]);
      expect(made.options).toMatchObject({
        passwordPolicy: "good",
        strategy_version: 2,
        authentication_methods: { password: { enabled: true }, passkey: { enabled: false } },
        brute_force_protection: true,
      });
      const client = await created("/clients", { name: "recorded connections" });
      await api("PATCH", `/connections/${made.id}/clients`, [
        { client_id: client.client_id, status: true },
      ]);
      const listed = await api("GET", `/clients/${client.client_id}/connections?take=50`);
      expect((listed.body.connections as Body[]).map((c) => c.id)).toContain(made.id);
      const deleted = await api("DELETE", `/connections/${made.id}`);
      expect(deleted.status).toBe(202);
      expect(typeof deleted.body.deleted_at).toBe("string");
    },
    "writes.answer-record": async () => {
      const bare = ({ tenant: _t, global: _g, ...rest }: Body) => rest;
      const asRead = async (path: string) => bare((await api("GET", path)).body);
      const made = await created("/clients", { name: "recorded answer", client_metadata: {} });
      const path = `/clients/${made.client_id}`;
      expect(made).toEqual(await asRead(path));
      const patched = await api("PATCH", path, { client_metadata: { teamId: "t1" } });
      expect(bare(patched.body)).toEqual(await asRead(path));
      const rotated = await api("POST", `${path}/rotate-secret`);
      expect(rotated.body.client_secret).not.toBe(made.client_secret);
      expect(bare(rotated.body)).toEqual(await asRead(path));
      const user = await created("/users", {
        connection: "Username-Password-Authentication",
        email: `recorded-answer-${Date.now()}@example.com`,
        password: "Passwords hide their chuck",
        app_metadata: { a: 1 },
      });
      const userPath = `/users/${encodeURIComponent(String(user.user_id))}`;
      const patchedUser = await api("PATCH", userPath, { app_metadata: { b: 2 } });
      expect(patchedUser.body.app_metadata).toEqual({ a: 1, b: 2 });
      expect(patchedUser.body).toEqual((await api("GET", userPath)).body);
    },
  };
}

/** The `kid` Auth0 gives a key sent without one (rule clients.auth-methods.kid). */
export async function thumbprintOf(spkiPem: string): Promise<string> {
  const { createPublicKey } = await import("node:crypto");
  return calculateJwkThumbprint(await exportJWK(createPublicKey(spkiPem)), "sha256");
}
