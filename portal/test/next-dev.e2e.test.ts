/**
 * `npm run dev`'s portal: `next dev` with the environment scripts/dev-portal.ts writes serves the
 * landing page and signs a user in against the local tenants (under `next dev` the SDK's relaxed
 * checks for a local domain need no mode: portal/lib/config/local-tenants.ts). The browser tests
 * drive the production build, as it ships; this is the one check of the development server. It
 * uses no browser: Turbopack watches the whole repository and may reload a page under one while
 * other tests write files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { cookieHeader, signInOverHttp } from "../../tests/support/http-sign-in";
import { localPortalEnv } from "../lib/config/local-env";
import { freePort, type RunningPortal, startNextDev } from "./next-server";

let tenants: SeededTenants;
let portal: RunningPortal;

beforeAll(async () => {
  const port = await freePort();
  tenants = await startSeededTenants({ callbackUrl: `http://localhost:${port}/auth/callback` });
  portal = await startNextDev(
    port,
    localPortalEnv(tenants.seed, {
      baseUrl: `http://localhost:${port}`,
      sessionSecret: "dev-session-secret-0123456789abcdef0123456789abcdef",
      caCertPath: process.env.NODE_EXTRA_CA_CERTS ?? "",
    }),
  );
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await tenants?.close();
});

describe("next dev (npm run dev's portal)", () => {
  it("serves the landing page and signs the seeded admin in against the local tenants", async () => {
    const landing = await fetch(`${portal.url}/`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("Sign in to get started");
    const { jar, steps } = await signInOverHttp(portal.url, tenants.seed.production.admin);
    expect(steps.done.status, portal.output()).toBe(307);
    const home = await fetch(`${portal.url}/`, { headers: { cookie: cookieHeader(jar) } });
    expect(await home.text()).toContain("You are a portal admin");
  }, 120_000);
});
