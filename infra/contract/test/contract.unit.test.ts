import { describe, expect, it } from "vitest";
import {
  AppMetadata,
  AUTH0_PLANS,
  backendScopes,
  kindsRefusedOnPlan,
  MANAGEMENT_API_SCOPES,
  managementApiAudience,
  managementEnv,
  PORTAL_SECRET_ENV,
} from "../src/index";

describe("contract", () => {
  it("grants exactly read, create, update, delete on the five resources", () => {
    expect([...MANAGEMENT_API_SCOPES].sort()).toEqual(
      [
        "create:client_grants",
        "create:client_keys",
        "create:clients",
        "create:users",
        "create:users_app_metadata",
        "delete:client_grants",
        "delete:client_keys",
        "delete:clients",
        "delete:users",
        "delete:users_app_metadata",
        "read:client_grants",
        "read:client_keys",
        "read:clients",
        "read:users",
        "read:users_app_metadata",
        "update:client_grants",
        "update:client_keys",
        "update:clients",
        "update:users",
        "update:users_app_metadata",
      ].sort(),
    );
    expect(Object.isFrozen(MANAGEMENT_API_SCOPES)).toBe(true);
  });

  it("adds create:client_credentials to the grant only where key pairs are offered", () => {
    expect(backendScopes(["client_secret"])).toEqual([...MANAGEMENT_API_SCOPES]);
    expect(backendScopes(["key_pair"])).toEqual([
      ...MANAGEMENT_API_SCOPES,
      "create:client_credentials",
    ]);
    expect(backendScopes(["client_secret", "key_pair"])).toHaveLength(21);
  });

  it("serves key pairs on Enterprise only, client secrets on every plan", () => {
    for (const plan of AUTH0_PLANS)
      expect(kindsRefusedOnPlan(plan, ["client_secret"]), plan).toEqual([]);
    expect(kindsRefusedOnPlan("free", ["client_secret", "key_pair"])).toEqual(["key_pair"]);
    expect(kindsRefusedOnPlan("essentials", ["key_pair"])).toEqual(["key_pair"]);
    expect(kindsRefusedOnPlan("professional", ["key_pair"])).toEqual(["key_pair"]);
    expect(kindsRefusedOnPlan("enterprise", ["client_secret", "key_pair"])).toEqual([]);
  });

  it("names the Management API audience of a tenant", () => {
    expect(managementApiAudience("acme.eu.auth0.com")).toBe("https://acme.eu.auth0.com/api/v2/");
  });

  it("keeps the environment variable names users of the original portal know", () => {
    expect(managementEnv("sandbox")).toEqual({
      domain: "SANDBOX_AUTH0_MANAGEMENT_CLIENT_DOMAIN",
      clientId: "SANDBOX_AUTH0_MANAGEMENT_CLIENT_ID",
      clientSecret: "SANDBOX_AUTH0_MANAGEMENT_CLIENT_SECRET",
    });
    expect(PORTAL_SECRET_ENV).toContain("PRODUCTION_AUTH0_MANAGEMENT_CLIENT_SECRET");
    expect(PORTAL_SECRET_ENV).toContain("AUTH0_SECRET");
  });

  it("keeps unknown app_metadata keys when parsing", () => {
    const parsed = AppMetadata.parse({ teamId: "t1", permissions: ["portal-admin"], plan: "gold" });
    expect(parsed).toEqual({ teamId: "t1", permissions: ["portal-admin"], plan: "gold" });
    expect(() => AppMetadata.parse({ permissions: "portal-admin" })).toThrow();
  });
});
