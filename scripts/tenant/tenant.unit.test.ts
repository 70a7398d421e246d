import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AUTH0_PLANS } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { ENTITY_PLANS } from "../../emulator/src/management/entity-limits";
import { PLANS } from "../../emulator/src/plans";
import { testTempDir } from "../../tests/support/temp-dirs";
import { diffAssets, formatDifferences } from "./compare";
import { deployConfig, INCLUDED_TYPES, PULUMI_OWNED_TYPES } from "./deploy-config";
import {
  keywordsIn,
  loadDesired,
  loadMappings,
  parseEnvironment,
  TENANTS_DIR,
  type TenantAssets,
} from "./desired";

function copyOfTenants() {
  const dir = testTempDir("astral-tenants-");
  cpSync(TENANTS_DIR, dir, { recursive: true });
  return dir;
}

describe("tenants/ per environment", () => {
  it.each(["sandbox", "production"] as const)("resolves every keyword for %s", (env) => {
    const desired = loadDesired(loadMappings(env));
    expect(JSON.stringify(desired)).not.toMatch(/##|@@/);
    expect(desired.tenant?.friendly_name).toBe(env === "sandbox" ? "Astral Sandbox" : "Astral");
    expect(desired.databases?.[0]?.options).toMatchObject({
      disable_signup: false,
      password_complexity_options: { min_length: 12 },
    });
    expect(desired.emailTemplates?.map((t) => t.template)).toEqual(["verify_email", "reset_email"]);
    expect(desired.emailTemplates?.[0]?.body).toContain("{{ url }}");
  });

  it("finds string and array keywords", () => {
    expect(keywordsIn("a: ##B_C##\nb: @@LIST@@ ##B_C##")).toEqual(["B_C", "LIST"]);
  });

  it("names missing and unused keywords, and bad environments", () => {
    const dir = copyOfTenants();
    writeFileSync(
      path.join(dir, "environments", "sandbox.yaml"),
      "FRIENDLY_NAME: x\nNOT_USED: y\n",
    );
    expect(() => loadMappings("sandbox", dir)).toThrow(
      /has no value for BRAND_PRIMARY_COLOR, DISABLE_SIGNUP/,
    );
    expect(() => parseEnvironment("staging")).toThrow(
      'environment must be one of production, sandbox, got "staging"',
    );
  });
});

describe("auth0-deploy-cli config", () => {
  it("never includes a Pulumi-owned type and never deletes", () => {
    const config = deployConfig({ domain: "t.example.com", clientId: "id", mappings: {} });
    expect(config.AUTH0_ALLOW_DELETE).toBe(false);
    expect(config.AUTH0_INCLUDED_ONLY).toEqual([...INCLUDED_TYPES]);
    for (const owned of PULUMI_OWNED_TYPES) expect(config.AUTH0_INCLUDED_ONLY).not.toContain(owned);
    expect(JSON.stringify(config)).not.toMatch(/SECRET/);
  });

  it("never sends a connection's enabled clients (the login app's link is Pulumi's)", () => {
    const config = deployConfig({ domain: "t.example.com", clientId: "id", mappings: {} });
    expect(config.EXCLUDED_PROPS.databases).toContain("enabled_clients");
    const desired = loadDesired(loadMappings("sandbox"));
    expect(JSON.stringify(desired)).not.toContain("enabled_clients");
  });

  it("tenant.yaml declares only included types", () => {
    const desired = loadDesired(loadMappings("sandbox"));
    expect(
      Object.keys(desired).every((k) => (INCLUDED_TYPES as readonly string[]).includes(k)),
    ).toBe(true);
  });
});

describe("diffAssets", () => {
  const desired: TenantAssets = {
    tenant: {
      support_email: "a@x",
      enabled_locales: ["en"],
      flags: { enable_client_connections: false },
    },
    databases: [
      {
        name: "db",
        options: { passwordPolicy: "good", password_history: { enable: true, size: 5 } },
      },
    ],
    emailTemplates: [{ template: "verify_email", subject: "Hi" }],
  };

  it("ignores fields the tenant has but tenants/ does not declare", () => {
    const live = {
      tenant: {
        ...desired.tenant,
        friendly_name: "other",
        flags: { enable_client_connections: false, x: true },
      },
      databases: [
        {
          name: "db",
          id: "con_1",
          options: { passwordPolicy: "good", password_history: { enable: true, size: 5 }, mfa: {} },
        },
      ],
      emailTemplates: [{ template: "verify_email", subject: "Hi", body: "<p/>" }],
    };
    expect(diffAssets(desired, live)).toEqual([]);
  });

  it("names each differing field, and what is missing", () => {
    const live = {
      tenant: { support_email: "b@x", enabled_locales: ["en", "fr"], flags: {} },
      databases: [
        {
          name: "db",
          options: { passwordPolicy: "low", password_history: { enable: true, size: 3 } },
        },
      ],
      emailTemplates: [],
    };
    const differences = diffAssets(desired, live);
    expect(differences).toEqual([
      { path: "tenant.support_email", expected: "a@x", actual: "b@x" },
      { path: "tenant.enabled_locales", expected: ["en"], actual: ["en", "fr"] },
      { path: "tenant.flags.enable_client_connections", expected: false, actual: undefined },
      { path: "databases[db].options.passwordPolicy", expected: "good", actual: "low" },
      { path: "databases[db].options.password_history.size", expected: 5, actual: 3 },
      { path: "emailTemplates[verify_email]", expected: "present", actual: undefined },
    ]);
    expect(formatDifferences(differences)).toContain(
      '  tenant.support_email: expected "a@x", found "b@x"\n',
    );
    expect(formatDifferences(differences)).toContain("found (missing)");
  });
});

describe("a tenant apply on each Auth0 plan", () => {
  // tenant.integration.test.ts runs docs/operations.md's apply for real once, on a fresh Free
  // tenant (the strictest plan: fewest requests per second and entities, no plan features, no
  // email provider); an import costs about a minute of CPU, so not once per plan. That one run
  // stands for all four only while what differs between plans stays out of what apply writes.
  it("writes none of what the plans differ in (emulator/src/plans.ts)", () => {
    // A plan is its rate limits, its entity limits and its features, nothing else.
    for (const plan of AUTH0_PLANS)
      expect(Object.keys(PLANS[plan]).sort()).toEqual([
        "entitlements",
        "entityPlan",
        "name",
        "rateLimitProfile",
      ]);
    // The only feature is Private Key JWT, set on clients; the entity limits count applications
    // (clients) and APIs (resource servers). apply neither reads nor writes those types.
    expect(new Set(AUTH0_PLANS.flatMap((p) => PLANS[p].entitlements))).toEqual(
      new Set(["private_key_jwt"]),
    );
    expect(Object.keys(ENTITY_PLANS.free).sort()).toEqual([
      "applications",
      "name",
      "resourceServers",
    ]);
    const config = deployConfig({ domain: "t.auth0.com", clientId: "c", mappings: {} });
    expect(config.AUTH0_INCLUDED_ONLY).toEqual([...INCLUDED_TYPES]);
    expect(config.AUTH0_ALLOW_DELETE).toBe(false);
    for (const gated of ["clients", "resourceServers"])
      expect(INCLUDED_TYPES as readonly string[]).not.toContain(gated);
  });
});
