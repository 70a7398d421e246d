import { utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { loadPortalConfig, PortalConfigError, parsePortalConfig } from "../lib/config/load";

const repoConfig = path.join(__dirname, "..", "portal.config.js");

function tempConfig(source: string): string {
  const file = path.join(testTempDir("portal-config-"), "portal.config.js");
  writeFileSync(file, source);
  return file;
}

describe("portal.config.js", () => {
  it("the shipped file is valid and offers both environments", () => {
    const config = loadPortalConfig(repoConfig);
    expect(config.environments.map((e) => e.id).sort()).toEqual(["production", "sandbox"]);
    expect(config.branding.title).toBeTruthy();
  });

  it("names every wrong key in one message", () => {
    const bad = {
      branding: { title: "", colors: { primary: "blue", secondary: "#fff" }, logoo: "/x.svg" },
      environments: [{ id: "staging", label: "S", apis: [] }],
      links: [{ url: "not a url", label: "Docs", icon: "rocket" }],
    };
    let error: PortalConfigError | undefined;
    try {
      parsePortalConfig(bad);
    } catch (e) {
      error = e as PortalConfigError;
    }
    expect(error).toBeInstanceOf(PortalConfigError);
    const text = error?.message ?? "";
    expect(text).toContain("branding.title");
    expect(text).toContain("branding.colors.primary: Colour must be a hex colour");
    expect(text).toContain("unknown key(s) logoo");
    expect(text).toContain("environments.0.id");
    expect(text).toContain("environments.0.apis: List at least one API audience");
    expect(text).toContain("links.0.url: Link url must be an absolute URL");
    expect(text).toContain("links.0.icon");
  });

  it("reports a file that does not evaluate, or is missing, by path", () => {
    const file = tempConfig("module.exports = {");
    expect(() => loadPortalConfig(file)).toThrow(/cannot be evaluated/);
    expect(() => loadPortalConfig(path.join(path.dirname(file), "nope.js"))).toThrow(
      /file not found/,
    );
  });

  it("re-reads the file when it changes (a change shows on refresh)", () => {
    const source = (title: string) =>
      `module.exports = { branding: { title: ${JSON.stringify(title)} }, environments: [{ id: "sandbox", label: "Sandbox", apis: [{ audience: "https://api.example.com" }] }] };`;
    const file = tempConfig(source("One"));
    expect(loadPortalConfig(file).branding.title).toBe("One");
    writeFileSync(file, source("Two"));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(loadPortalConfig(file).branding.title).toBe("Two");
  });
});

describe("limits", () => {
  const minimal = {
    branding: { title: "T" },
    environments: [{ id: "sandbox", label: "S", apis: [{ audience: "https://api.example.com" }] }],
  };
  const problems = (limits: unknown) => {
    try {
      parsePortalConfig({ ...minimal, limits });
    } catch (e) {
      return (e as PortalConfigError).message;
    }
    return "";
  };

  it("default to 20 credentials per team and environment, 5 teams per user per day, 100 applications per tenant with 5 kept", () => {
    const tenantCap = { applicationsPerTenant: 100, reservedApplications: 5 };
    expect(parsePortalConfig(minimal).limits).toEqual({
      credentialsPerTeam: 20,
      teamsPerUserPerDay: 5,
      ...tenantCap,
    });
    expect(parsePortalConfig({ ...minimal, limits: { credentialsPerTeam: 3 } }).limits).toEqual({
      credentialsPerTeam: 3,
      teamsPerUserPerDay: 5,
      ...tenantCap,
    });
    expect(problems({ applicationsPerTenant: 1 })).toContain(
      "limits.applicationsPerTenant: Must be at least 2",
    );
    expect(loadPortalConfig(repoConfig).limits.credentialsPerTeam).toBeGreaterThan(0);
  });

  it("name the key and the allowed range when wrong", () => {
    expect(problems({ credentialsPerTeam: 0 })).toContain(
      "limits.credentialsPerTeam: Must be at least 1",
    );
    expect(problems({ credentialsPerTeam: 101 })).toContain(
      "limits.credentialsPerTeam: May be at most 100 (one search page of 100 counts them)",
    );
    expect(problems({ credentialsPerTeam: 2.5 })).toContain(
      "limits.credentialsPerTeam: Must be a whole number from 1 to 100",
    );
    expect(problems({ teamsPerUserPerDay: "3" })).toContain(
      "limits.teamsPerUserPerDay: Must be a whole number from 1 to 50",
    );
    expect(problems({ teamsPerUserPerDay: 51 })).toContain(
      "limits.teamsPerUserPerDay: May be at most 50",
    );
    expect(problems({ credentialsPerTeams: 3 })).toContain(
      "limits: unknown key(s) credentialsPerTeams",
    );
  });
});

describe("portal environment", () => {
  it("names each missing or malformed variable; an environment may be absent as a whole", async () => {
    const { readManagementAccess, checkLoginEnv, homeEnvironment } = await import(
      "../lib/config/env"
    );
    const sandboxOnly = {
      SANDBOX_AUTH0_MANAGEMENT_CLIENT_DOMAIN: "sandbox.example.auth0.com",
      SANDBOX_AUTH0_MANAGEMENT_CLIENT_ID: "id",
      SANDBOX_AUTH0_MANAGEMENT_CLIENT_SECRET: "secret",
    };
    const access = readManagementAccess(sandboxOnly);
    expect(Object.keys(access)).toEqual(["sandbox"]);
    expect(homeEnvironment(access)).toBe("sandbox");
    expect(() =>
      readManagementAccess({
        ...sandboxOnly,
        PRODUCTION_AUTH0_MANAGEMENT_CLIENT_DOMAIN: "https://x.auth0.com/",
      }),
    ).toThrow(
      /PRODUCTION_AUTH0_MANAGEMENT_CLIENT_ID is missing[\s\S]*PRODUCTION_AUTH0_MANAGEMENT_CLIENT_SECRET is missing[\s\S]*must be a host only/,
    );
    expect(() => readManagementAccess({})).toThrow(/set PRODUCTION_AUTH0_MANAGEMENT_CLIENT_DOMAIN/);
    expect(() => checkLoginEnv({ AUTH0_DOMAIN: "d", AUTH0_SECRET: "short" })).toThrow(
      /AUTH0_CLIENT_ID is missing[\s\S]*APP_BASE_URL is missing[\s\S]*AUTH0_SECRET must be at least 32/,
    );
    const login = {
      AUTH0_DOMAIN: "d",
      AUTH0_CLIENT_ID: "c",
      AUTH0_CLIENT_SECRET: "s",
      AUTH0_SECRET: "x".repeat(32),
    };
    // Production over plain http would send the session cookie without Secure.
    expect(() =>
      checkLoginEnv({
        ...login,
        APP_BASE_URL: "http://portal.example.com",
        NODE_ENV: "production",
      }),
    ).toThrow(/APP_BASE_URL must be an https:\/\/ URL in production/);
    for (const APP_BASE_URL of ["https://portal.example.com", "http://localhost:3000"])
      expect(() => checkLoginEnv({ ...login, APP_BASE_URL, NODE_ENV: "production" })).not.toThrow();
    expect(() =>
      checkLoginEnv({ ...login, APP_BASE_URL: "http://portal.test", NODE_ENV: "development" }),
    ).not.toThrow();
  });

  it("starts a preview without a domain on its ALB's http name only with the explicit allowance", async () => {
    const { checkLoginEnv } = await import("../lib/config/env");
    const preview = {
      AUTH0_DOMAIN: "d",
      AUTH0_CLIENT_ID: "c",
      AUTH0_CLIENT_SECRET: "s",
      AUTH0_SECRET: "x".repeat(32),
      NODE_ENV: "production",
      APP_BASE_URL: "http://astral-pr-42-1234567890.eu-west-1.elb.amazonaws.com",
    };
    // What the preview stack without a domain sets (stacks/roles.ts): the task starts.
    expect(() =>
      checkLoginEnv({ ...preview, ASTRAL_PLAIN_HTTP_PREVIEW: "no-domain" }),
    ).not.toThrow();
    // Without it, as every sandbox and production task runs, http is still refused.
    expect(() => checkLoginEnv(preview)).toThrow(
      /APP_BASE_URL must be an https:\/\/ URL in production \(a preview stack without a domain sets ASTRAL_PLAIN_HTTP_PREVIEW=no-domain\)/,
    );
    expect(() => checkLoginEnv({ ...preview, ASTRAL_PLAIN_HTTP_PREVIEW: "yes" })).toThrow(
      /ASTRAL_PLAIN_HTTP_PREVIEW must be "no-domain" when set/,
    );
  });
});

describe("local-tenants mode (the production build against the local tenants)", () => {
  const login = {
    AUTH0_CLIENT_ID: "c",
    AUTH0_CLIENT_SECRET: "s",
    AUTH0_SECRET: "x".repeat(32),
    APP_BASE_URL: "http://127.0.0.1:3999",
  };
  const local = { ...login, AUTH0_DOMAIN: "localhost:4001", NODE_ENV: "production" };

  it("relaxes the login client's checks under next dev, or in production only when asked by name", async () => {
    const { signsInToLocalTenants } = await import("../lib/config/local-tenants");
    expect(signsInToLocalTenants({ ...local, NODE_ENV: "development" })).toBe(true);
    expect(signsInToLocalTenants(local)).toBe(false);
    expect(signsInToLocalTenants({ ...local, ASTRAL_LOCAL_TENANTS: "1" })).toBe(true);
    // A real tenant's domain never takes the relaxed path, in any mode.
    for (const AUTH0_DOMAIN of ["acme.eu.auth0.com", "localhost.evil.example", "127.0.0.1.nip.io"])
      expect(signsInToLocalTenants({ ...local, AUTH0_DOMAIN, ASTRAL_LOCAL_TENANTS: "1" })).toBe(
        false,
      );
  });

  it("names each wrong setting at start: no mode, a wrong value, a real domain, the image", async () => {
    const { checkLoginEnv } = await import("../lib/config/env");
    expect(() => checkLoginEnv(local)).toThrow(
      /AUTH0_DOMAIN localhost:4001 is a local tenant: the production build signs in against one only with ASTRAL_LOCAL_TENANTS=1/,
    );
    expect(() => checkLoginEnv({ ...local, ASTRAL_LOCAL_TENANTS: "1" })).not.toThrow();
    expect(() => checkLoginEnv({ ...local, ASTRAL_LOCAL_TENANTS: "yes" })).toThrow(
      /ASTRAL_LOCAL_TENANTS must be "1" when set/,
    );
    expect(() =>
      checkLoginEnv({ ...local, AUTH0_DOMAIN: "acme.eu.auth0.com", ASTRAL_LOCAL_TENANTS: "1" }),
    ).toThrow(/AUTH0_DOMAIN must be localhost or 127.0.0.1 \(with a port\), not acme.eu.auth0.com/);
    expect(() => checkLoginEnv({ ...local, ASTRAL_LOCAL_TENANTS: "1", ASTRAL_IMAGE: "1" })).toThrow(
      /ASTRAL_LOCAL_TENANTS is refused in the portal image/,
    );
    // next dev (npm run dev) needs no mode.
    expect(() => checkLoginEnv({ ...local, NODE_ENV: "development" })).not.toThrow();
  });
});
