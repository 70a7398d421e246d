/**
 * A tenant reached by a host name on port 443 (the image test's `production.tenants.test`): its
 * domain is the host alone, as an Auth0 tenant's, since `@auth0/nextjs-auth0` refuses a domain
 * with a port in production; the browser endpoints keep the port (plain HTTP on the same port).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OpenApi } from "../src/openapi";
import { Tenant } from "../src/tenant";

const dir = mkdtempSync(path.join(os.tmpdir(), "astral-tenant-host-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tenant host and port", () => {
  it("on 443 under a host name: domain and issuer without a port, as Auth0's", async () => {
    const tenant = new Tenant("production", path.join(dir, "a"), new OpenApi());
    await tenant.bind(443, "production.tenants.test");
    expect(tenant.domain).toBe("production.tenants.test");
    expect(tenant.issuer).toBe("https://production.tenants.test/");
    expect(tenant.managementAudience).toBe("https://production.tenants.test/api/v2/");
    const discovery = tenant.oauth.discovery();
    expect(discovery.issuer).toBe("https://production.tenants.test/");
    expect(discovery.authorization_endpoint).toBe("http://production.tenants.test:443/authorize");
    expect(discovery.token_endpoint).toBe("https://production.tenants.test/oauth/token");
  });

  it("on any other port: localhost:PORT, as before", async () => {
    const tenant = new Tenant("sandbox", path.join(dir, "b"), new OpenApi());
    await tenant.bind(4711);
    expect(tenant.domain).toBe("localhost:4711");
    expect(tenant.issuer).toBe("https://localhost:4711/");
    expect(tenant.oauth.discovery().authorization_endpoint).toBe("http://localhost:4711/authorize");
  });
});
