/**
 * Session lifetimes are bounded (lib/auth0.ts): the login SDK, configured as the portal
 * configures it, rolls a session's cookie no further than the absolute bound after sign-in and
 * the inactivity bound after the last request.
 */
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auth0, SESSION_LIFETIME } from "../lib/auth0";

const SECRET = "unit-session-secret-0123456789abcdef0123456789";
const env = {
  AUTH0_DOMAIN: "example.eu.auth0.com",
  AUTH0_CLIENT_ID: "client-id",
  AUTH0_CLIENT_SECRET: "client-secret",
  AUTH0_SECRET: SECRET,
  APP_BASE_URL: "https://portal.example.com",
};

beforeAll(() => {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

/** The Max-Age of the session cookie the SDK sets on a page request made with `createdAt`. */
async function rolledMaxAge(signedInSecondsAgo: number): Promise<number | undefined> {
  const now = Math.floor(Date.now() / 1000);
  const cookie = await generateSessionCookie(
    {
      user: { sub: "auth0|someone" },
      tokenSet: { accessToken: "at", expiresAt: now + 3600 },
      internal: { sid: "sid", createdAt: now - signedInSecondsAgo },
    },
    { secret: SECRET },
  );
  const response = await auth0().middleware(
    new NextRequest("https://portal.example.com/", { headers: { cookie: `__session=${cookie}` } }),
  );
  const set = response.headers.getSetCookie().find((c) => c.startsWith("__session="));
  const maxAge = set?.match(/Max-Age=(-?\d+)/i)?.[1];
  return maxAge === undefined ? undefined : Number(maxAge);
}

describe("session lifetimes", () => {
  it("are bounded: 2 h of inactivity, 12 h in all, rolling", () => {
    expect(SESSION_LIFETIME).toEqual({
      rolling: true,
      inactivityDuration: 2 * 3600,
      absoluteDuration: 12 * 3600,
    });
  });

  it("a fresh session rolls to the inactivity bound", async () => {
    const maxAge = await rolledMaxAge(60);
    expect(maxAge).toBeGreaterThan(SESSION_LIFETIME.inactivityDuration - 30);
    expect(maxAge).toBeLessThanOrEqual(SESSION_LIFETIME.inactivityDuration);
  });

  it("an old session rolls no further than the absolute bound after sign-in", async () => {
    const maxAge = await rolledMaxAge(SESSION_LIFETIME.absoluteDuration - 600);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(maxAge).toBeGreaterThan(500);
  });
});
