/**
 * Searching clients as Auth0 allows it: `GET /clients/search` (Lucene or SCIM filters on a few
 * fields and `metadata.{key}`) and the two queries `GET /clients?q=` still permits. Both answer
 * from the tenant's lagged search view (rule `consistency.search-lag`), never from the live
 * collection. Rule ids refer to emulator/src/rules.ts.
 */
import type { Collection, Doc } from "../collection";
import { badRequest } from "../errors";
import {
  comparisons,
  countOperations,
  evaluate,
  type Filter,
  fromLucene,
  fromScim,
} from "../filter";
import type { RuleId } from "../rules";
import type { Tenant } from "../tenant";
import { type Handler, paginate, project } from "./context";

type Cmp = Extract<Filter, { kind: "cmp" }>;
type FieldKind = "exact" | "text" | "boolean" | "date" | "metadata" | "org" | "any-org";

/** Rule `clients.search.filter`: the fields Auth0 lists, and the operators each allows. */
const SEARCH_FIELDS: Record<string, FieldKind> = {
  client_id: "exact",
  external_client_id: "exact",
  name: "text",
  app_type: "exact",
  is_first_party: "boolean",
  updated_at: "date",
  "client_grant.organization_id": "org",
  "client_grant.allow_any_organization": "any-org",
};
const OPERATORS: Record<FieldKind, readonly string[]> = {
  exact: ["eq", "ne", "pr"],
  text: ["eq", "ne", "sw", "ew", "co", "pr"],
  boolean: ["eq", "ne", "pr"],
  date: ["eq", "ne", "gt", "ge", "lt", "le", "pr"],
  metadata: ["eq", "ne", "pr"],
  org: ["eq", "ne", "pr"],
  "any-org": ["eq", "ne", "pr"],
};
/** Rule `clients.search.max-operations`. */
export const MAX_FILTER_OPERATIONS = 5;
/** Rule `clients.search.metadata-64`: metadata values are indexed up to 64 characters. */
export const METADATA_INDEXED_LENGTH = 64;
/** Rule `clients.search.hidden-fields`: never returned by `GET /clients/search`. */
export const NEVER_RETURNED = [
  "client_secret",
  "encryption_key",
  "signing_keys",
  "owners",
  "addons",
];
const MAX_FIELDS = 50;

function fieldKind(field: string): FieldKind {
  const known = SEARCH_FIELDS[field];
  if (known) return known;
  // `metadata.{key}`: at most 2 levels, i.e. one key below `metadata`.
  if (/^metadata\.[^.]+$/.test(field)) return "metadata";
  throw badRequest(
    `Invalid query string: field ${field} cannot be searched; supported fields: ${Object.keys(SEARCH_FIELDS).join(", ")}, metadata.{key}`,
    "invalid_query_string",
  );
}

/** Parses and checks `q` (rules `clients.search.filter`, `clients.search.max-operations`, `clients.search.metadata-64`). */
export function parseClientFilter(q: string, parser: string): Filter {
  const filter = parser === "scim" ? fromScim(q) : fromLucene(q);
  const operations = countOperations(filter);
  if (operations > MAX_FILTER_OPERATIONS) {
    throw badRequest(
      `Invalid query string: ${operations} filter operations, at most ${MAX_FILTER_OPERATIONS} are allowed per query`,
      "invalid_query_string",
    );
  }
  for (const cmp of comparisons(filter)) {
    const kind = fieldKind(cmp.field);
    if (!OPERATORS[kind].includes(cmp.op)) {
      throw badRequest(
        `Invalid query string: operator ${cmp.op} is not supported on ${cmp.field}`,
        "invalid_query_string",
      );
    }
    if (kind === "boolean" || kind === "any-org") {
      if (cmp.op !== "pr" && cmp.value !== "true" && cmp.value !== "false") {
        throw badRequest(
          `Invalid query string: ${cmp.field} takes true or false, not ${cmp.value}`,
          "invalid_query_string",
        );
      }
    }
    if (kind === "date" && cmp.op !== "pr" && Number.isNaN(Date.parse(cmp.value))) {
      throw badRequest(
        `Invalid query string: ${cmp.field} takes an ISO 8601 date, not ${cmp.value}`,
        "invalid_query_string",
      );
    }
    if (kind === "metadata" && cmp.value.length > METADATA_INDEXED_LENGTH) {
      throw badRequest(
        `Invalid query string: metadata values are indexed up to ${METADATA_INDEXED_LENGTH} characters; ${cmp.field} is compared with ${cmp.value.length}`,
        "invalid_query_string",
      );
    }
  }
  return filter;
}

/** Grant facts a client filter can ask about. */
function grantsOf(tenant: Tenant, clientId: string): Doc[] {
  return tenant.store.grants.pick(tenant.store.grants.lookup("client_id", clientId) ?? new Set());
}

/** The value(s) a comparison looks at; case-sensitive throughout (the stricter reading). */
function valuesFor(tenant: Tenant, client: Doc, cmp: Cmp, updatedAt: number): string[] {
  const kind = fieldKind(cmp.field);
  switch (kind) {
    case "metadata": {
      const value = (client.client_metadata as Doc | undefined)?.[cmp.field.slice(9)];
      // A value longer than the index holds is not findable (rule `clients.search.metadata-64`).
      return typeof value === "string" && value.length <= METADATA_INDEXED_LENGTH ? [value] : [];
    }
    case "date":
      return [new Date(updatedAt).toISOString()];
    case "org":
      // The local tenants have no organizations: no grant is tied to one.
      return grantsOf(tenant, client.client_id as string).flatMap((g) =>
        typeof g.organization_id === "string" ? [g.organization_id] : [],
      );
    case "any-org":
      return grantsOf(tenant, client.client_id as string).map((g) =>
        String(g.allow_any_organization === true),
      );
    default: {
      const value = client[cmp.field];
      return value === undefined || value === null ? [] : [String(value)];
    }
  }
}

function compare(values: string[], cmp: Cmp): boolean {
  if (cmp.op === "pr") return values.length > 0;
  if (cmp.op === "ne") return !values.includes(cmp.value);
  return values.some((v) => {
    switch (cmp.op) {
      case "eq":
        return v === cmp.value;
      case "sw":
        return v.startsWith(cmp.value);
      case "ew":
        return v.endsWith(cmp.value);
      case "co":
        return v.includes(cmp.value);
      case "gt":
        return Date.parse(v) > Date.parse(cmp.value);
      case "ge":
        return Date.parse(v) >= Date.parse(cmp.value);
      case "lt":
        return Date.parse(v) < Date.parse(cmp.value);
      case "le":
        return Date.parse(v) <= Date.parse(cmp.value);
      default:
        return false;
    }
  });
}

/**
 * Ids that can match, from the view's (case-insensitive) indexes, when the filter is an equality
 * on an indexed metadata key or an AND holding one; the exact test runs on them afterwards.
 */
function indexedCandidates(filter: Filter, view: Collection<Doc>): ReadonlySet<string> | undefined {
  if (filter.kind === "cmp") {
    if (filter.op !== "eq" || !filter.field.startsWith("metadata.")) return undefined;
    return view.lookup(`client_${filter.field}`, filter.value);
  }
  if (filter.kind !== "and") return undefined;
  for (const part of filter.parts) {
    const ids = indexedCandidates(part, view);
    if (ids) return ids;
  }
  return undefined;
}

/** Cursors are opaque to callers: an offset into the ordered result, base64url-encoded. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeCursor(from: string): number {
  try {
    const offset = (JSON.parse(Buffer.from(from, "base64url").toString("utf8")) as { o?: unknown })
      .o;
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw badRequest(`Query validation error: 'Invalid cursor: ${from}'.`, "invalid_query_string");
}

/** `GET /clients/search` (rules `clients.search.*`, `consistency.search-lag`). */
/** Checks a `GET /clients/search` query; the filter it holds, if any (400 otherwise). */
export function checkClientSearchQuery(query: Record<string, unknown>): Filter | undefined {
  const fields = typeof query.fields === "string" ? query.fields.split(",").filter(Boolean) : [];
  if (fields.length > MAX_FIELDS) {
    throw badRequest(
      `Query validation error: 'fields' lists ${fields.length} fields, at most ${MAX_FIELDS}.`,
      "invalid_query_string",
    );
  }
  const q = typeof query.q === "string" ? query.q.trim() : "";
  return q ? parseClientFilter(q, String(query.parser ?? "lucene")) : undefined;
}

export const searchClients: Handler = (ctx) => {
  const { tenant, query } = ctx;
  const filter = checkClientSearchQuery(query);
  const view = tenant.store.clientSearch;
  const visible = view.current();
  const ids = filter ? indexedCandidates(filter, visible) : undefined;
  let items = (ids ? visible.pick(ids) : visible.all()).filter((client) => {
    if (!filter) return true;
    const at = view.writtenAtOf(client.client_id as string);
    return evaluate(filter, (cmp) => compare(valuesFor(tenant, client, cmp, at), cmp));
  });
  if (query.sort === "name") {
    items = [...items].sort((a, b) => String(a.name ?? "").localeCompare(String(b.name ?? "")));
  } else if (query.sort === "updated_at") {
    items = [...items].sort(
      (a, b) => view.writtenAtOf(a.client_id as string) - view.writtenAtOf(b.client_id as string),
    );
  }
  // Rule `clients.search.cursor`: `from`/`take`, answered with `next`; never totals.
  const from = typeof query.from === "string" ? decodeCursor(query.from) : 0;
  const take = (query.take as number | undefined) ?? 50;
  const page = items.slice(from, from + take).map((client) => {
    const out = { ...client };
    for (const key of NEVER_RETURNED) delete out[key];
    return project(out, query);
  });
  const body: Record<string, unknown> = { clients: page };
  if (from + take < items.length) body.next = encodeCursor(from + take);
  return { status: 200, body };
};

/**
 * Rule `clients.list.q-permitted`: the only queries `GET /clients` takes. Rule
 * `clients.list.q-alone`: no other filter (nor offset paging) beside them. Rule
 * `clients.list.q-checkpoint`: `take` (and `from` for later pages) is required.
 */
const PERMITTED_LIST_QUERIES: Array<{ pattern: RegExp; field: "org" | "any-org" }> = [
  { pattern: /^client_grant\.organization_id:("?)([^\s"]+)\1$/, field: "org" },
  { pattern: /^client_grant\.allow_any_organization:true$/, field: "any-org" },
];
const NOT_WITH_Q = [
  "is_global",
  "is_first_party",
  "app_type",
  "external_client_id",
  "page",
  "per_page",
  "include_totals",
];

/**
 * Why Auth0 would refuse this `GET /clients` query with `q` (rules `clients.list.q-permitted`,
 * `clients.list.q-alone`, `clients.list.q-checkpoint`); undefined when it is allowed.
 */
export function listClientsQueryProblem(
  query: Record<string, unknown>,
): { rule: RuleId; message: string } | undefined {
  if (typeof query.q !== "string") return undefined;
  const text = query.q.trim();
  if (!PERMITTED_LIST_QUERIES.some((p) => p.pattern.test(text))) {
    return {
      rule: "clients.list.q-permitted",
      message: `q on GET /clients permits only client_grant.organization_id:{organization_id} or client_grant.allow_any_organization:true, not ${JSON.stringify(text)} (filter clients on metadata with GET /clients/search)`,
    };
  }
  const other = NOT_WITH_Q.find((name) => query[name] !== undefined);
  if (other) {
    return {
      rule: "clients.list.q-alone",
      message: `q cannot be combined with ${other} on GET /clients`,
    };
  }
  if (query.take === undefined) {
    return {
      rule: "clients.list.q-checkpoint",
      message: "q on GET /clients requires checkpoint paging (from and take)",
    };
  }
  return undefined;
}

/** `GET /clients?q=...`: the permitted queries only, answered from the lagged search view. */
export function listClientsByQuery(
  tenant: Tenant,
  q: string,
  query: Record<string, unknown>,
): unknown {
  const problem = listClientsQueryProblem({ ...query, q });
  if (problem) {
    throw badRequest(`Invalid query string: ${problem.message}`, "invalid_query_string");
  }
  const text = q.trim();
  const permitted = PERMITTED_LIST_QUERIES.map((p) => ({ ...p, m: p.pattern.exec(text) })).find(
    (p) => p.m,
  );
  if (!permitted?.m) throw new Error("unreachable: the query was checked above");
  const organizationId = permitted.m[2];
  const items = tenant.store.clientSearch
    .current()
    .all()
    .filter((client) => {
      const grants = grantsOf(tenant, client.client_id as string);
      return permitted.field === "org"
        ? grants.some((g) => g.organization_id === organizationId)
        : grants.some((g) => g.allow_any_organization === true);
    });
  return paginate(items, query, "clients", { checkpoint: true });
}
