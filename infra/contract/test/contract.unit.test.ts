import { describe, expect, it } from "vitest";
import {
  AppMetadata,
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
