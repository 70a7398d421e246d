/**
 * The conformance checker (pure: recorded requests in, violations out) with requests that
 * conform and requests Auth0 would refuse or treat differently; and the rules table itself.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkConformance, formatReport } from "../src/conformance/check";
import { parseRecords, type RequestRecord } from "../src/conformance/record";
import { OpenApi } from "../src/openapi";
import { REPO_ROOT } from "../src/paths";
import { README_PATH, RULES, withRulesTable } from "../src/rules";

const api = new OpenApi();

function rec(method: string, p: string, query: Record<string, string> = {}, status = 200) {
  const [pathOnly] = p.split("?");
  const record: RequestRecord = {
    tenant: "sandbox",
    method,
    path: pathOnly as string,
    operationId: null,
    query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    bodyKeys: [],
    status,
    source: "portal/test/x.integration.test.ts",
  };
  // As the tenant records it: the operation its router matched.
  const op = [...api.operations.values()]
    .sort((a, b) => a.pathParams.length - b.pathParams.length)
    .find((o) => o.method === method && o.pattern.test(record.path));
  record.operationId = op?.operationId ?? null;
  return record;
}

const rules = (records: RequestRecord[]) =>
  checkConformance(records, api).violations.map((v) => v.rule);

describe("checkConformance", () => {
  it("passes requests Auth0 answers as the tenants do, and counts operations", () => {
    const records = [
      rec("GET", "/clients", { per_page: "100", page: "0" }),
      rec("GET", "/clients", { q: "client_grant.allow_any_organization:true", take: "50" }),
      rec("GET", "/clients/search", { q: 'metadata.teamId:"t1"', take: "50" }),
      rec("GET", "/clients/search", { q: 'metadata.teamId eq "t1"', parser: "scim" }),
      rec("GET", "/users", { q: 'app_metadata.teamId:"t1"', per_page: "50", page: "19" }),
      rec("GET", "/clients/abc", {}, 404),
      rec("POST", "/clients", {}, 201),
    ];
    const report = checkConformance(records, api);
    expect(report.violations).toEqual([]);
    expect(report.operations.get("GET get_clients")).toBe(2);
    expect(report.operations.get("GET get_clients_search")).toBe(2);
    expect(formatReport(report)).toContain("No request outside the rules.");
  });

  it("names the rule of each request outside the rules", () => {
    expect(rules([rec("GET", "/clients", { q: 'client_metadata.teamId:"t1"' })])).toEqual([
      "clients.list.q-permitted",
    ]);
    expect(
      rules([
        rec("GET", "/clients", {
          q: "client_grant.allow_any_organization:true",
          take: "5",
          app_type: "spa",
        }),
      ]),
    ).toEqual(["clients.list.q-alone"]);
    expect(
      rules([rec("GET", "/clients", { q: "client_grant.allow_any_organization:true" })]),
    ).toEqual(["clients.list.q-checkpoint"]);
    const six = Array.from({ length: 6 }, (_, i) => `metadata.k${i}:v`).join(" OR ");
    expect(rules([rec("GET", "/clients/search", { q: six })])).toEqual(["clients.search.filter"]);
    expect(rules([rec("GET", "/clients/search", { q: "description:x" })])).toEqual([
      "clients.search.filter",
    ]);
    expect(rules([rec("GET", "/users", { per_page: "50", page: "20" })])).toEqual([
      "users.search.window",
    ]);
    expect(rules([rec("GET", "/clients", { per_page: "500" })])).toEqual(["conformance.accepted"]);
    expect(rules([rec("GET", "/clients", { nope: "1" })])).toEqual(["conformance.documented"]);
    expect(rules([rec("GET", "/not-auth0")])).toEqual(["conformance.documented"]);
    expect(rules([rec("PATCH", "/clients/x", {}, 400)])).toEqual(["conformance.accepted"]);
    expect(rules([rec("GET", "/clients", {}, 403)])).toEqual(["conformance.accepted"]);
    const unimplemented = { ...rec("GET", "/roles", {}, 404), errorCode: "not_found" };
    expect(rules([unimplemented])).toEqual(["order.auth-before-404"]);
    const text = formatReport(checkConformance([rec("GET", "/not-auth0")], api));
    expect(text).toContain("[conformance.documented] GET /api/v2/not-auth0");
    expect(text).toContain("(from portal/test/x.integration.test.ts)");
  });

  it("reads records line by line, skipping a line cut short", () => {
    const line = JSON.stringify(rec("GET", "/clients"));
    expect(parseRecords(`${line}\n{"tenant":"sa\n${line}\n`)).toHaveLength(2);
  });
});

describe("the rules table", () => {
  it("has unique ids, a source and an enforcing file that names each rule", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(rule.source, rule.id).toMatch(
        /https:\/\/auth0\.com\/docs|requests\.d\.ts|NOTICE\.md|emulator\/recordings\/go-auth0\//,
      );
      expect(rule.enforcedIn.length, rule.id).toBeGreaterThan(0);
      for (const file of rule.enforcedIn) {
        expect(readFileSync(path.join(REPO_ROOT, file), "utf8"), `${rule.id} in ${file}`).toContain(
          rule.id,
        );
      }
    }
  });

  it("is rendered in emulator/README.md (npx tsx emulator/src/rules.ts --write)", () => {
    const readme = readFileSync(README_PATH, "utf8");
    expect(withRulesTable(readme)).toBe(readme);
  });
});
