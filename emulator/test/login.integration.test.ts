/**
 * The authorization-code flow with PKCE logs a seeded user in: the browser part over plain HTTP
 * (no certificate), the server part (token, userinfo, JWKS) over HTTPS with `oauth4webapi`, the
 * library `@auth0/nextjs-auth0` v4 uses. Then refresh with rotation and logout.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../test-support";

let env: SeededTenants;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
let clientAuth: oauth.ClientAuth;
const CALLBACK = "http://localhost:3000/auth/callback";

beforeAll(async () => {
  env = await startSeededTenants();
  const issuer = new URL(env.tenants.production.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
  client = { client_id: env.seed.production.login.clientId };
  clientAuth = oauth.ClientSecretPost(env.seed.production.login.clientSecret);
});
afterAll(() => env?.close());

/** What a browser does: GET /authorize, post the login form, follow to the callback. */
async function browserLogin(
  params: Record<string, string>,
  credentials = {
    email: env.seed.production.admin.email,
    password: env.seed.production.admin.password,
  },
  cookie = "",
): Promise<{ callback: URL; cookie: string; loginStatus?: number }> {
  const authorize = new URL(as.authorization_endpoint as string);
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
  const page = await fetch(authorize, { redirect: "manual", headers: { cookie } });
  if (page.status === 302)
    return { callback: new URL(page.headers.get("location") as string), cookie };
  expect(page.status).toBe(200);
  const html = await page.text();
  const state = /name="state" value="([^"]+)"/.exec(html)?.[1] as string;
  const action = new URL(/action="([^"]+)"/.exec(html)?.[1] as string, authorize);
  expect(action.protocol).toBe("http:");
  const posted = await fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      state,
      username: credentials.email,
      password: credentials.password,
    }),
  });
  if (posted.status !== 302)
    return { callback: new URL("about:blank"), cookie, loginStatus: posted.status };
  const setCookie = posted.headers.get("set-cookie") ?? "";
  return {
    callback: new URL(posted.headers.get("location") as string),
    cookie: setCookie.split(";")[0] ?? "",
  };
}

describe("authorization code with PKCE", () => {
  it("advertises browser endpoints over HTTP and server endpoints over HTTPS", () => {
    expect(as.issuer).toBe(env.tenants.production.issuer);
    expect(as.authorization_endpoint).toBe(`http://${env.tenants.production.domain}/authorize`);
    expect(as.end_session_endpoint).toBe(`http://${env.tenants.production.domain}/oidc/logout`);
    expect(as.token_endpoint).toBe(`${env.tenants.production.baseUrl}/oauth/token`);
  });

  it("logs the seeded admin in, with ID token, userinfo and rotating refresh tokens", async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const { callback, cookie } = await browserLogin({
      client_id: client.client_id,
      redirect_uri: CALLBACK,
      response_type: "code",
      scope: "openid profile email offline_access",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, CALLBACK, verifier),
      { expectedNonce: nonce, requireIdToken: true },
    );
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims?.sub).toBe(env.seed.production.admin.userId);
    expect(claims?.email).toBe(env.seed.production.admin.email);
    expect(claims?.aud).toBe(client.client_id);

    const info = await oauth.processUserInfoResponse(
      as,
      client,
      env.seed.production.admin.userId,
      await oauth.userInfoRequest(as, client, tokens.access_token),
    );
    expect(info.email).toBe(env.seed.production.admin.email);

    // The code is single use.
    const again = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      CALLBACK,
      verifier,
    );
    expect(again.status).toBe(403);

    // Refresh: the login app rotates, and a rotated token replayed revokes the family.
    const first = tokens.refresh_token as string;
    expect(first).toBeTruthy();
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, first),
    );
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    const replay = await oauth.refreshTokenGrantRequest(as, client, clientAuth, first);
    expect(replay.status).toBe(403);
    const revoked = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth,
      refreshed.refresh_token as string,
    );
    expect(revoked.status).toBe(403);

    // The tenant remembers the browser: a second /authorize skips the form...
    const sso = await browserLogin(
      {
        client_id: client.client_id,
        redirect_uri: CALLBACK,
        response_type: "code",
        scope: "openid",
      },
      undefined,
      cookie,
    );
    expect(sso.callback.searchParams.get("code")).toBeTruthy();
    // ...until logout, which only returns to an allowed URL.
    const logout = new URL(as.end_session_endpoint as string);
    logout.searchParams.set("client_id", client.client_id);
    logout.searchParams.set("post_logout_redirect_uri", "http://localhost:3000");
    const out = await fetch(logout, { redirect: "manual", headers: { cookie } });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("http://localhost:3000");
    const after = await fetch(
      `http://${env.tenants.production.domain}/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri: CALLBACK, response_type: "code", prompt: "none", state: "s" })}`,
      { redirect: "manual", headers: { cookie } },
    );
    expect(new URL(after.headers.get("location") as string).searchParams.get("error")).toBe(
      "login_required",
    );
  });

  it("refuses a wrong PKCE verifier, a wrong password, an unknown callback and a foreign returnTo", async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const { callback } = await browserLogin({
      client_id: client.client_id,
      redirect_uri: CALLBACK,
      response_type: "code",
      scope: "openid",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    const params = oauth.validateAuthResponse(as, client, callback, oauth.expectNoState);
    const wrong = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      CALLBACK,
      oauth.generateRandomCodeVerifier(),
    );
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({
      error: "invalid_grant",
      error_description: "Failed to verify code verifier",
    });

    const bad = await browserLogin(
      {
        client_id: client.client_id,
        redirect_uri: CALLBACK,
        response_type: "code",
        scope: "openid",
      },
      { email: env.seed.production.admin.email, password: "not-it" },
    );
    expect(bad.loginStatus).toBe(401);

    const mismatch = await fetch(
      `http://${env.tenants.production.domain}/authorize?client_id=${client.client_id}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}&response_type=code`,
      { redirect: "manual" },
    );
    expect(mismatch.status).toBe(400);

    const foreign = await fetch(
      `http://${env.tenants.production.domain}/v2/logout?client_id=${client.client_id}&returnTo=${encodeURIComponent("https://evil.example/")}`,
      { redirect: "manual" },
    );
    expect(foreign.status).toBe(400);
    const allowed = await fetch(
      `http://${env.tenants.production.domain}/v2/logout?client_id=${client.client_id}&returnTo=${encodeURIComponent("http://localhost:3000")}`,
      { redirect: "manual" },
    );
    expect(allowed.status).toBe(302);
  });
});
