/**
 * `@auth0/nextjs-auth0` v4 (what the portal uses) against a local tenant: login redirect to the
 * plain-HTTP /authorize, the login form, the callback (code + PKCE over HTTPS, ID token checks),
 * the session, and logout to the plain-HTTP OIDC logout. No browser: its middleware is called
 * with `NextRequest`s, cookies carried by hand.
 *
 * Setting it needs for a local tenant (it refuses a bare `localhost:PORT` domain):
 * `domain: "https://localhost:PORT"` and `allowInsecureRequests: true`.
 */
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../test-support";

let env: SeededTenants;
let auth0: Auth0Client;
const APP = "http://localhost:3000";

beforeAll(async () => {
  env = await startSeededTenants();
  auth0 = new Auth0Client({
    domain: env.tenants.production.baseUrl,
    allowInsecureRequests: true,
    clientId: env.seed.production.login.clientId,
    clientSecret: env.seed.production.login.clientSecret,
    appBaseUrl: APP,
    secret: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  });
});
afterAll(() => env?.close());

/** `name=value` pairs of a response's Set-Cookie headers. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => !c?.endsWith("="))
    .join("; ");
}

describe("@auth0/nextjs-auth0 v4 with a local tenant", () => {
  it("logs the seeded admin in and out", async () => {
    const login = await auth0.middleware(new NextRequest(`${APP}/auth/login`));
    expect(login.status).toBe(307);
    const authorize = new URL(login.headers.get("location") as string);
    expect(authorize.origin).toBe(`http://${env.tenants.production.domain}`);
    const txnCookies = cookiesOf(login);

    const page = await fetch(authorize, { redirect: "manual" });
    const state = /name="state" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const posted = await fetch(new URL("/u/login", authorize), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        state,
        username: env.seed.production.admin.email,
        password: env.seed.production.admin.password,
      }),
    });
    const callback = posted.headers.get("location") as string;
    expect(callback.startsWith(`${APP}/auth/callback?`)).toBe(true);

    const done = await auth0.middleware(
      new NextRequest(callback, { headers: { cookie: txnCookies } }),
    );
    expect(done.status, await done.clone().text()).toBe(307);
    const session = cookiesOf(done);
    expect(session).toContain("__session=");

    const me = await auth0.getSession(new NextRequest(`${APP}/`, { headers: { cookie: session } }));
    expect(me?.user.sub).toBe(env.seed.production.admin.userId);
    expect(me?.user.email).toBe(env.seed.production.admin.email);
    const refreshToken = me?.tokenSet.refreshToken as string;
    expect(refreshToken).toBeTruthy();

    const logout = await auth0.middleware(
      new NextRequest(`${APP}/auth/logout`, { headers: { cookie: session } }),
    );
    const end = new URL(logout.headers.get("location") as string);
    expect(end.origin + end.pathname).toBe(`http://${env.tenants.production.domain}/oidc/logout`);
    // Logout revoked the refresh token at the tenant.
    const refresh = await fetch(`${env.tenants.production.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: env.seed.production.login.clientId,
        client_secret: env.seed.production.login.clientSecret,
      }),
    });
    expect(refresh.status).toBe(403);
    const back = await fetch(end, { redirect: "manual" });
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(APP);
  });
});
