import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HANDLERS } from "../../emulator/src/management/router";
import { OPENAPI_PATH } from "../../emulator/src/paths";
import { checkSpec, supplementOperations } from "./refresh";

const vendored = readFileSync(OPENAPI_PATH, "utf8");

describe("the vendored Auth0 Management API skeleton", () => {
  it("is usable by the local tenants", () => {
    expect(checkSpec(vendored)).toEqual([]);
  });

  it("matches the sha256 its NOTICE records", () => {
    const notice = readFileSync(path.join(path.dirname(OPENAPI_PATH), "NOTICE.md"), "utf8");
    const sha = createHash("sha256").update(vendored).digest("hex");
    expect(notice).toContain(`| sha256 | \`${sha}\` |`);
  });
});

describe("spec:refresh refuses a copy the local tenants cannot mount", () => {
  it("names what is wrong", () => {
    expect(checkSpec("{")).toEqual([expect.stringMatching(/^not JSON/)]);
    expect(checkSpec(JSON.stringify({ swagger: "2.0" }))).toEqual([
      "not an OpenAPI 3 document (no `openapi: 3.x`)",
    ]);
    const doc = JSON.parse(vendored);
    delete doc.paths["/clients/{id}/rotate-secret"];
    doc.paths["/clients"].get.security = undefined;
    expect(checkSpec(JSON.stringify(doc))).toEqual([
      "operation get_clients lists no scopes",
      "operation post_rotate-secret (mounted by the local tenants) is missing",
    ]);
  });

  it("checks every operation the local tenants mount, counting the local supplements", () => {
    const none = JSON.stringify({ openapi: "3.1.0", paths: {} });
    const supplemented = [...supplementOperations().keys()];
    expect(supplemented).toContain("get_clients_search");
    expect(checkSpec(none)).toHaveLength(Object.keys(HANDLERS).length - supplemented.length);
    expect(checkSpec(none, ["get_clients_search"])).toEqual([]);
    expect(checkSpec(none, ["get_clients_search"], new Map())).toEqual([
      "operation get_clients_search (mounted by the local tenants) is missing",
    ]);
  });

  it("has every local supplement name its source on auth0.com", () => {
    for (const [id, { source }] of supplementOperations())
      expect(source, id).toMatch(/^https:\/\/auth0\.com\/docs\//);
  });
});
