/** Bootstrap scopes derived from Auth0's OpenAPI description, and the docs that list them. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { MANAGEMENT_API_SCOPES } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { openApiPath } from "../../../emulator/src/paths";
import {
  BOOTSTRAP_SCOPES,
  bootstrapCalls,
  bootstrapScopes,
  PORTAL_ADMIN_OPERATIONS,
  PROVIDER_CALLS,
  RUNBOOK_CALLS,
  scopesAllowing,
} from "../bootstrap";

const root = path.resolve(__dirname, "../../..");
const openapi = JSON.parse(readFileSync(openApiPath(), "utf8"));
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("bootstrap scopes", () => {
  const scopes = bootstrapScopes(openapi, bootstrapCalls());

  it("are derived from every call, equal to the list written out in bootstrap.ts", () => {
    expect(scopes).toEqual([...BOOTSTRAP_SCOPES]);
  });

  it("let the provider list a client's credentials (delete and replace of ClientCredentials)", () => {
    expect(scopes).toContain("read:client_credentials");
  });

  it("let the runbook rotate a secret and read the Management API's token lifetime", () => {
    expect(scopes).toEqual(expect.arrayContaining(["update:client_keys", "read:resource_servers"]));
  });

  it("let the provider link the login app to the database connection", () => {
    expect(scopes).toEqual(expect.arrayContaining(["read:connections", "update:connections"]));
  });

  it("allow every call, and no scope is redundant", () => {
    for (const call of bootstrapCalls()) {
      expect(
        scopesAllowing(openapi, call.op).some((s) => scopes.includes(s)),
        call.op.join(" "),
      ).toBe(true);
    }
    // Each scope is needed: without it some call (or the secret read) is no longer allowed.
    for (const scope of scopes) {
      const rest = scopes.filter((s) => s !== scope);
      const uncovered = bootstrapCalls().some(
        (call) => !scopesAllowing(openapi, call.op).some((s) => rest.includes(s)),
      );
      expect(uncovered || scope === "read:client_keys", scope).toBe(true);
    }
  });

  it("reject an operation Auth0 does not have", () => {
    expect(() => scopesAllowing(openapi, ["GET", "/no-such-thing"])).toThrow(
      "The Management API has no GET /no-such-thing",
    );
  });

  it("are listed, exactly, in docs/deploy.md", () => {
    const block = read("docs/deploy.md").match(
      /<!-- bootstrap-scopes -->\n```\n([\s\S]*?)\n```/,
    )?.[1];
    expect(block?.split(/\s+/).filter(Boolean)).toEqual(scopes);
  });

  it("cover exactly the Management API calls the runbook makes", () => {
    const runbook = read("docs/runbooks/rotate-astral-backend-secret.md");
    const called = [
      ...runbook.matchAll(/(?:-X (POST|PATCH|DELETE) )?"https:\/\/\$DOMAIN\/api\/v2(\/[^"?]+)"/g),
    ]
      .map(([, method, p]) => `${method ?? "GET"} ${(p as string).replace(/\$CLIENT_ID/, "{id}")}`)
      .sort();
    expect(called).toEqual(RUNBOOK_CALLS.map((c) => c.op.join(" ")).sort());
  });

  it("name, for each call, the provider function and source file (or the runbook step)", () => {
    for (const call of Object.values(PROVIDER_CALLS).flat()) {
      expect(call.by).toMatch(/^\S.* \(terraform-provider-auth0 internal\/auth0\/[\w/]+\.go\)$/);
    }
  });
});

describe("PortalAdmin with the Astral Backend's grant", () => {
  it("needs nothing beyond the contract's scopes", () => {
    for (const op of PORTAL_ADMIN_OPERATIONS) {
      expect(
        scopesAllowing(openapi, op).some((s) => MANAGEMENT_API_SCOPES.includes(s)),
        op.join(" "),
      ).toBe(true);
    }
  });
});
