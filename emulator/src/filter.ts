/**
 * The filter expressions of Auth0's newer search endpoints (`GET /clients/search`): Lucene (the
 * default parser) or SCIM, both turned into one tree of comparisons that the endpoint checks
 * (rule `clients.search.filter`: fields, operators; at most 5 operations) and evaluates. Source:
 * https://auth0.com/docs/api/management/v2/clients/get-clients-search
 */
import { ApiError } from "./errors";
import { parseLucene, type Query, readQuoted } from "./lucene";

export type FilterOp = "eq" | "ne" | "sw" | "ew" | "co" | "pr" | "gt" | "ge" | "lt" | "le";

export type Filter =
  | { kind: "cmp"; field: string; op: FilterOp; value: string }
  | { kind: "and" | "or"; parts: Filter[] }
  | { kind: "not"; part: Filter };

const SCIM_OPS = new Set<FilterOp>(["eq", "ne", "sw", "ew", "co", "pr", "gt", "ge", "lt", "le"]);

export const invalidQuery = (why: string) =>
  new ApiError(400, `Invalid query string: ${why}`, "invalid_query_string");

/** A Lucene `q` as comparisons: `f:v` eq, `f:v*` sw, `f:*v` ew, `f:*v*` co, `_exists_:f` pr. */
export function fromLucene(q: string): Filter {
  return convert(parseLucene(q));
}

function convert(query: Query): Filter {
  switch (query.kind) {
    case "and":
    case "or":
      return { kind: query.kind, parts: query.parts.map(convert) };
    case "not":
      return { kind: "not", part: convert(query.part) };
    case "exists":
      return { kind: "cmp", field: query.field, op: "pr", value: "" };
    case "term": {
      if (!query.field) throw invalidQuery(`"${query.value}" names no field (use field:value)`);
      const { field, value } = query;
      if (query.exact || !/[*?]/.test(value)) return { kind: "cmp", field, op: "eq", value };
      const inner = value.replace(/^\*/, "").replace(/\*$/, "");
      if (/[*?]/.test(inner) || inner === "") {
        throw invalidQuery(`wildcards are allowed only at the start or end of a value: ${value}`);
      }
      const op = value.startsWith("*") ? (value.endsWith("*") ? "co" : "ew") : "sw";
      return { kind: "cmp", field, op, value: inner };
    }
  }
}

type Token = { type: "word" | "string" | "(" | ")"; text: string };

/** A SCIM filter (RFC 7644 §3.4.2.2): `attr op "value"`, `attr pr`, and/or/not, parentheses. */
export function fromScim(q: string): Filter {
  const tokens = scimTokens(q);
  let pos = 0;
  const peek = () => tokens[pos];
  const keyword = (word: string): boolean => {
    const t = peek();
    if (t?.type !== "word" || t.text.toLowerCase() !== word) return false;
    pos++;
    return true;
  };
  const parseOr = (): Filter => {
    const parts = [parseAnd()];
    while (keyword("or")) parts.push(parseAnd());
    return parts.length === 1 ? (parts[0] as Filter) : { kind: "or", parts };
  };
  const parseAnd = (): Filter => {
    const parts = [parseUnary()];
    while (keyword("and")) parts.push(parseUnary());
    return parts.length === 1 ? (parts[0] as Filter) : { kind: "and", parts };
  };
  const parseUnary = (): Filter => {
    if (keyword("not")) return { kind: "not", part: parseUnary() };
    const t = peek();
    if (t?.type === "(") {
      pos++;
      const inner = parseOr();
      if (peek()?.type !== ")") throw invalidQuery("missing closing parenthesis");
      pos++;
      return inner;
    }
    if (t?.type !== "word")
      throw invalidQuery(`expected an attribute, found ${t ? t.text : "end"}`);
    pos++;
    const opToken = peek();
    const op = opToken?.text.toLowerCase() as FilterOp | undefined;
    if (opToken?.type !== "word" || !op || !SCIM_OPS.has(op)) {
      throw invalidQuery(`expected an operator after ${t.text}`);
    }
    pos++;
    if (op === "pr") return { kind: "cmp", field: t.text, op, value: "" };
    const v = peek();
    if (!v || (v.type !== "word" && v.type !== "string")) {
      throw invalidQuery(`missing value for ${t.text} ${op}`);
    }
    pos++;
    return { kind: "cmp", field: t.text, op, value: v.text };
  };
  if (tokens.length === 0) throw invalidQuery("empty query");
  const filter = parseOr();
  if (pos < tokens.length) throw invalidQuery(`unexpected "${tokens[pos]?.text}"`);
  return filter;
}

function scimTokens(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === "(" || c === ")") {
      tokens.push({ type: c, text: c });
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(input, i);
      i = quoted.end;
      tokens.push({ type: "string", text: quoted.text });
    } else {
      let text = "";
      while (i < input.length && !/[\s()"]/.test(input[i] as string)) text += input[i++];
      tokens.push({ type: "word", text });
    }
  }
  return tokens;
}

/** How many comparisons a filter makes (Auth0 allows at most 5 per query). */
export function countOperations(filter: Filter): number {
  switch (filter.kind) {
    case "cmp":
      return 1;
    case "not":
      return countOperations(filter.part);
    default:
      return filter.parts.reduce((n, p) => n + countOperations(p), 0);
  }
}

/** Every comparison of a filter, for checks on fields and operators. */
export function comparisons(filter: Filter): Array<Extract<Filter, { kind: "cmp" }>> {
  if (filter.kind === "cmp") return [filter];
  if (filter.kind === "not") return comparisons(filter.part);
  return filter.parts.flatMap(comparisons);
}

/** Evaluates a filter; `test` answers one comparison for the record at hand. */
export function evaluate(
  filter: Filter,
  test: (cmp: Extract<Filter, { kind: "cmp" }>) => boolean,
): boolean {
  switch (filter.kind) {
    case "cmp":
      return test(filter);
    case "and":
      return filter.parts.every((p) => evaluate(p, test));
    case "or":
      return filter.parts.some((p) => evaluate(p, test));
    case "not":
      return !evaluate(filter.part, test);
  }
}
