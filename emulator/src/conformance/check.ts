/**
 * The conformance check: is every Management API request the product made during `npm test`
 * one that Auth0 would answer the same way? A pure function of the recorded requests and Auth0's
 * document (with supplements); each violation names its rule (emulator/src/rules.ts) and the
 * test file that made the request. The request rules are the very functions the local tenants
 * enforce them with, so the check and the tenants cannot drift apart.
 */
import { ApiError } from "../errors";
import { checkClientSearchQuery, listClientsQueryProblem } from "../management/client-search";
import { checkUserSearchQuery } from "../management/users";
import type { OpenApi } from "../openapi";
import type { RuleId } from "../rules";
import type { RequestRecord } from "./record";

export interface Violation {
  rule: RuleId;
  message: string;
  request: string;
  source: string;
}

export interface ConformanceReport {
  /** `METHOD operationId` → how many requests. */
  operations: Map<string, number>;
  violations: Violation[];
}

/**
 * Per-operation request rules: each throws Auth0's 400 or returns a problem. `get_clients`:
 * `clients.list.q-permitted`, `clients.list.q-alone`, `clients.list.q-checkpoint`;
 * `get_clients_search`: `clients.search.filter` (with `.max-operations`, `.metadata-64`);
 * `get_users`: `users.search.window`, `users.search.metadata-no-wildcard`, `users.search.wildcards`.
 */
const REQUEST_RULES: Record<
  string,
  (query: Record<string, unknown>) => [RuleId, string] | undefined
> = {
  get_clients: (query) => {
    const problem = listClientsQueryProblem(query);
    return problem ? [problem.rule, problem.message] : undefined;
  },
  get_clients_search: (query) => {
    checkClientSearchQuery(query);
    return undefined;
  },
  get_users: (query) => {
    checkUserSearchQuery(query);
    return undefined;
  },
};

/** Statuses that mean the local tenant (standing in for Auth0) refused the request itself. */
const REFUSED: Record<number, RuleId> = {
  400: "conformance.accepted",
  403: "conformance.accepted",
};

function describe(record: RequestRecord): string {
  const query = new URLSearchParams();
  for (const [k, values] of Object.entries(record.query))
    for (const v of values) query.append(k, v);
  const text = query.toString();
  return `${record.method} /api/v2${record.path}${text ? `?${text}` : ""}`;
}

export function checkConformance(
  records: readonly RequestRecord[],
  api: OpenApi,
): ConformanceReport {
  const operations = new Map<string, number>();
  const violations: Violation[] = [];
  for (const record of records) {
    const request = describe(record);
    const fail = (rule: RuleId, message: string) =>
      violations.push({ rule, message, request, source: record.source });
    if (!record.operationId) {
      fail(
        "conformance.documented",
        "no operation of Auth0's Management API has this method and path",
      );
      continue;
    }
    const key = `${record.method} ${record.operationId}`;
    operations.set(key, (operations.get(key) ?? 0) + 1);
    const refusedBy = REFUSED[record.status];
    if (refusedBy) {
      fail(
        refusedBy,
        `the local tenant answered ${record.status} ${record.errorCode ?? ""}`.trim(),
      );
    }
    if (record.status === 404 && record.errorCode === "not_found") {
      fail("order.auth-before-404", "the local tenants do not implement this operation");
    }
    const op = api.operations.get(record.operationId);
    if (!op) continue;
    const search = new URLSearchParams();
    for (const [k, values] of Object.entries(record.query))
      for (const v of values) search.append(k, v);
    let query: Record<string, unknown>;
    try {
      query = api.parseQuery(op, search);
      const unknown = [...new Set(search.keys())].filter(
        (name) => !op.queryParams.some((p) => p.name === name),
      );
      if (unknown.length) {
        fail(
          "conformance.documented",
          `query parameters Auth0 does not document: ${unknown.join(", ")}`,
        );
      }
    } catch (err) {
      fail("conformance.accepted", err instanceof Error ? err.message : String(err));
      continue;
    }
    try {
      const problem = REQUEST_RULES[record.operationId]?.(query);
      if (problem) fail(problem[0], problem[1]);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      fail(ruleOfError(record.operationId, err.message), err.message);
    }
  }
  return { operations, violations };
}

function ruleOfError(operationId: string, message: string): RuleId {
  if (operationId !== "get_users") return "clients.search.filter";
  if (message.includes("metadata fields")) return "users.search.metadata-no-wildcard";
  if (message.includes("leading wildcard")) return "users.search.wildcards";
  return "users.search.window";
}

/** The report as text: operations with counts, then violations (or none). */
export function formatReport(report: ConformanceReport): string {
  const lines = ["Management API operations the product used during the tests (requests):"];
  const sorted = [...report.operations].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [op, count] of sorted) lines.push(`  ${String(count).padStart(6)}  ${op}`);
  if (report.violations.length === 0) {
    lines.push("No request outside the rules.");
  } else {
    lines.push(`${report.violations.length} request(s) outside the rules:`);
    for (const v of report.violations) {
      lines.push(`  [${v.rule}] ${v.request}\n      ${v.message}\n      (from ${v.source})`);
    }
  }
  return lines.join("\n");
}
