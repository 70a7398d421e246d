/** Bootstrap scopes derived from Auth0's OpenAPI description, and the docs that list them. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { MANAGEMENT_API_SCOPES } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { openApiPath } from "../../../emulator/src/paths";
import {
  bootstrapScopes,
  PORTAL_ADMIN_OPERATIONS,
  PROVIDER_OPERATIONS,
  scopesAllowing,
} from "../bootstrap";

const root = path.resolve(__dirname, "../../..");
const openapi = JSON.parse(readFileSync(openApiPath(), "utf8"));

/** The resource types the program declares in a tenant (see stacks/roles.ts). */
const DECLARED = Object.keys(PROVIDER_OPERATIONS);

describe("bootstrap scopes", () => {
  const scopes = bootstrapScopes(openapi, DECLARED);

  it("are the least set for the declared resources", () => {
    expect(scopes).toEqual([
      "create:client_grants",
      "create:clients",
      "create:resource_servers",
      "delete:client_grants",
      "delete:clients",
      "delete:resource_servers",
      "read:client_grants",
      "read:client_keys",
      "read:clients",
      "read:resource_servers",
      "update:client_grants",
      "update:clients",
      "update:resource_servers",
    ]);
  });

  it("allow every operation the provider calls", () => {
    for (const ops of Object.values(PROVIDER_OPERATIONS)) {
      for (const op of ops) {
        expect(
          scopesAllowing(openapi, op).some((s) => scopes.includes(s)),
          op.join(" "),
        ).toBe(true);
      }
    }
  });

  it("reject an operation Auth0 does not have", () => {
    expect(() => scopesAllowing(openapi, ["GET", "/no-such-thing"])).toThrow(
      "The Management API has no GET /no-such-thing",
    );
  });

  it("are listed, exactly, in docs/deploy.md", () => {
    const doc = readFileSync(path.join(root, "docs/deploy.md"), "utf8");
    const block = doc.match(/<!-- bootstrap-scopes -->\n```\n([\s\S]*?)\n```/)?.[1];
    expect(block?.split(/\s+/).filter(Boolean)).toEqual(scopes);
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
