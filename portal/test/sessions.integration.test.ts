/**
 * Issue 15: a saved session cookie worked after logout, up to its lifetime. Logout now ends the
 * user's sessions on the server (lib/domain/sessions.ts), checked by the actor lookup that runs
 * on every request; the proxy does it on GET /auth/logout, before the SDK clears the cookie.
 */
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../lib/domain/actor";
import { proxy } from "../proxy";
import { type PortalHarness, startPortalHarness } from "./support";

const SECRET = "sessions-test-secret-0123456789abcdef0123456789";
const BASE = "https://portal.example.com";
const env: Record<string, string> = {
  // Unreachable on purpose: the SDK's own logout redirect is not what this test is about.
  AUTH0_DOMAIN: "localhost:9",
  AUTH0_CLIENT_ID: "client-id",
  AUTH0_CLIENT_SECRET: "client-secret",
  AUTH0_SECRET: SECRET,
  APP_BASE_URL: BASE,
};
const saved: Record<string, string | undefined> = {};
const holder = globalThis as Record<symbol, unknown>;
const PORTAL_KEY = Symbol.for("astral.portal");
let h: PortalHarness;

beforeAll(async () => {
  h = await startPortalHarness();
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  // The proxy's process-wide portal is the harness's (same tenants, same config).
  holder[PORTAL_KEY] = h.portal;
}, 120_000);
afterAll(async () => {
  delete holder[PORTAL_KEY];
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await h?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const cookieFor = (sub: string, createdAt: number) =>
  generateSessionCookie(
    {
      user: { sub },
      tokenSet: { accessToken: "at", expiresAt: now() + 3600 },
      internal: { sid: crypto.randomUUID(), createdAt },
    },
    { secret: SECRET },
  );

describe("logout ends the session on the server", () => {
  it("a cookie saved before logout no longer finds an actor; a later sign-in does", async () => {
    const user = await h.newUser("leaver");
    const signedIn = now() - 60;
    const cookie = await cookieFor(user.userId, signedIn);
    // Works before the logout.
    await actorFor(h.portal, user.userId, undefined, "before", signedIn);
    await proxy(
      new NextRequest(`${BASE}/auth/logout`, { headers: { cookie: `__session=${cookie}` } }),
    );
    await expect(
      actorFor(h.portal, user.userId, undefined, "replay", signedIn),
    ).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/session has ended/),
    });
    // Every session of the user begun before the logout ends (another browser too)…
    await expect(
      actorFor(h.portal, user.userId, undefined, "other-device", signedIn + 30),
    ).rejects.toMatchObject({ code: "unauthenticated" });
    // …and a sign-in after it works.
    await new Promise((r) => setTimeout(r, 1100));
    const again = await actorFor(h.portal, user.userId, undefined, "after", now());
    expect(again.userId).toBe(user.userId);
  });
});

describe("the SDK's profile and access-token routes are not served", () => {
  it("answer 404 even with a valid session cookie", async () => {
    const user = await h.newUser("profiled");
    const cookie = await cookieFor(user.userId, now());
    for (const path of ["/auth/profile", "/auth/access-token", "/auth/profile/"]) {
      const response = await proxy(
        new NextRequest(`${BASE}${path}`, { headers: { cookie: `__session=${cookie}` } }),
      );
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain(user.userId);
    }
  });
});
