/**
 * 401 for missing, expired and forged tokens, rate limiting (429 + x-ratelimit-*) and injected
 * faults (split from robustness.integration.test.ts, which sends the malformed requests).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { generateKeyPair, importJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { SeededTenants } from "../test-support";
import { call, expectAuth0Error, type Reply, sandboxApiForFile } from "./helpers";

let env: SeededTenants;
let base: string;
let token: string;

sandboxApiForFile((api) => {
  ({ env, base, token } = api);
});

describe("authentication", () => {
  it("401 for missing, expired, forged and wrong-audience tokens", async () => {
    const missing = await call(base, "GET", "/api/v2/clients");
    expect(expectAuth0Error(missing)).toMatchObject({ statusCode: 401, error: "Unauthorized" });

    const { privateKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ scope: "read:clients" })
      .setProtectedHeader({ alg: "RS256", kid: "x" })
      .setIssuer(env.tenants.sandbox.issuer)
      .setAudience(`${env.tenants.sandbox.issuer}api/v2/`)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect((await call(base, "GET", "/api/v2/clients", { token: forged })).status).toBe(401);

    const other = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: env.seed.sandbox.backend.clientId,
        client_secret: env.seed.sandbox.backend.clientSecret,
        audience: `${env.tenants.sandbox.issuer}api/v2/`,
      }),
    });
    const sandboxToken = ((await other.json()) as { access_token: string }).access_token;
    // A sandbox token is worthless in production (other issuer, audience and key).
    expect(
      (
        await call(env.tenants.production.baseUrl, "GET", "/api/v2/clients", {
          token: sandboxToken,
        })
      ).status,
    ).toBe(401);
  });

  it("401 for an expired token signed with the tenant's own key", async () => {
    // The tenant's key is in its state file; sign what it would, but already expired.
    const state = JSON.parse(
      readFileSync(path.join(env.stateDir, "sandbox", "state.json"), "utf8"),
    );
    const key = await importJWK(state.signingKey, "RS256");
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number) =>
      new SignJWT({ scope: "read:clients" })
        .setProtectedHeader({ alg: "RS256", kid: state.signingKey.kid })
        .setIssuer(env.tenants.sandbox.issuer)
        .setAudience(`${env.tenants.sandbox.issuer}api/v2/`)
        .setIssuedAt(now - 120)
        .setExpirationTime(exp)
        .sign(key);
    expect(
      (await call(base, "GET", "/api/v2/clients", { token: await sign(now + 60) })).status,
    ).toBe(200);
    const expired = await call(base, "GET", "/api/v2/clients", { token: await sign(now - 60) });
    expect(expectAuth0Error(expired)).toEqual({
      statusCode: 401,
      error: "Unauthorized",
      message: "Expired token received for JSON Web Token validation",
      errorCode: "invalid_token",
    });
  });
});

describe("rate limits and faults", () => {
  it("429 with Auth0's headers when over the limit", async () => {
    env.control.setRateLimit("sandbox", { limit: 3, windowSeconds: 60 });
    try {
      const statuses: number[] = [];
      let last: Reply | undefined;
      for (let i = 0; i < 5; i++) {
        last = await call(base, "GET", "/api/v2/clients", { token });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(expectAuth0Error(last as Reply)).toMatchObject({
        statusCode: 429,
        errorCode: "too_many_requests",
      });
      expect(last?.headers.get("x-ratelimit-limit")).toBe("3");
      expect(last?.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(Number(last?.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    } finally {
      env.control.clear();
    }
    expect((await call(base, "GET", "/api/v2/clients", { token })).status).toBe(200);
  });

  it("limits the token endpoint too when asked, in OAuth's shape", async () => {
    env.control.setRateLimit("sandbox", {
      limit: 1,
      windowSeconds: 60,
      includeAuthentication: true,
    });
    try {
      const body = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "x",
        client_secret: "y",
      });
      const first = await fetch(`${base}/oauth/token`, { method: "POST", body });
      expect(first.status).toBe(401);
      const second = await fetch(`${base}/oauth/token`, { method: "POST", body });
      expect(second.status).toBe(429);
      expect(second.headers.get("x-ratelimit-limit")).toBe("1");
      expect(await second.json()).toEqual({
        error: "too_many_requests",
        error_description: "Global limit has been reached",
      });
    } finally {
      env.control.clear();
    }
  });

  it("injects errors and latency per route", async () => {
    env.control.setFaults("sandbox", [
      { route: "GET /api/v2/users", status: 503 },
      { route: "/api/v2/clients", latencyMs: 150 },
    ]);
    try {
      const failed = await call(base, "GET", "/api/v2/users", { token });
      expect(expectAuth0Error(failed)).toMatchObject({ statusCode: 503 });
      const started = Date.now();
      expect((await call(base, "GET", "/api/v2/clients", { token })).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect((await call(base, "GET", "/api/v2/client-grants", { token })).status).toBe(200);
    } finally {
      env.control.clear();
    }
    expect((await call(base, "GET", "/api/v2/users", { token })).status).toBe(200);
  });
});
