/** The pure parts of PortalAdmin: permission merging, user choice, and the provider's diff. */
import { describe, expect, it } from "vitest";
import { portalAdminProvider } from "../portalAdmin";
import { isTokenRejected, pickUser, withoutPermission, withPermission } from "../portalAdminOps";

describe("permission merging", () => {
  it("adds portal-admin once and keeps the others in order", () => {
    expect(withPermission({ permissions: ["billing"], teamId: "t" }, "portal-admin")).toEqual([
      "billing",
      "portal-admin",
    ]);
    expect(withPermission({ permissions: ["portal-admin", "x"] }, "portal-admin")).toEqual([
      "portal-admin",
      "x",
    ]);
    expect(withPermission(undefined, "portal-admin")).toEqual(["portal-admin"]);
    expect(withPermission({ permissions: "not-a-list" }, "portal-admin")).toEqual(["portal-admin"]);
  });

  it("removes only portal-admin", () => {
    expect(withoutPermission({ permissions: ["a", "portal-admin", "b"] }, "portal-admin")).toEqual([
      "a",
      "b",
    ]);
    expect(withoutPermission({}, "portal-admin")).toEqual([]);
  });
});

describe("pickUser", () => {
  const user = (id: string, connection: string, created: string) => ({
    user_id: id,
    identities: [{ connection }],
    created_at: created,
  });
  it("prefers the user in the connection, then the oldest", () => {
    const users = [
      user("google|1", "google-oauth2", "2020-01-01"),
      user("auth0|new", "Username-Password-Authentication", "2024-01-01"),
      user("auth0|old", "Username-Password-Authentication", "2022-01-01"),
    ];
    expect(pickUser(users, "Username-Password-Authentication")?.user_id).toBe("auth0|old");
    expect(pickUser(users, "other")?.user_id).toBe("google|1");
    expect(pickUser([], "x")).toBeUndefined();
  });
});

describe("portalAdminProvider.diff", () => {
  const backend = { domain: "t.auth0.com", clientId: "c", clientSecret: "s" };
  const olds = {
    email: "admin@acme.example",
    connection: "Username-Password-Authentication",
    permission: "portal-admin",
    backend,
    userId: "auth0|1",
    createdUser: false,
  };
  const diff = portalAdminProvider.diff as NonNullable<typeof portalAdminProvider.diff>;

  it("sees no change for the same inputs (email case aside)", async () => {
    expect(await diff("auth0|1", olds, { ...olds, email: "Admin@Acme.example" })).toMatchObject({
      changes: false,
      replaces: [],
    });
  });

  it("replaces the resource when the email changes", async () => {
    expect(await diff("auth0|1", olds, { ...olds, email: "other@acme.example" })).toMatchObject({
      changes: true,
      replaces: ["email"],
    });
  });

  it("updates in place when the backend credentials rotate", async () => {
    expect(
      await diff("auth0|1", olds, { ...olds, backend: { ...backend, clientSecret: "rotated" } }),
    ).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("isTokenRejected", () => {
  const tokenError = (statusCode: number) =>
    Object.assign(new Error("ManagementClient: token request failed"), { statusCode });

  it("is true only for a refused token request (401 or 403)", () => {
    expect(isTokenRejected(tokenError(401))).toBe(true);
    expect(isTokenRejected(tokenError(403))).toBe(true);
  });

  it("is false for a token timeout, Management API errors and anything else", () => {
    expect(isTokenRejected(tokenError(408))).toBe(false);
    expect(isTokenRejected(tokenError(500))).toBe(false);
    // A Management API 403 (e.g. a missing scope) is a real failure, not a stale secret.
    expect(isTokenRejected(Object.assign(new Error("Forbidden"), { statusCode: 403 }))).toBe(false);
    expect(isTokenRejected(new Error("fetch failed"))).toBe(false);
    expect(isTokenRejected(null)).toBe(false);
  });
});
