/**
 * The subset of Lucene query syntax Auth0's `q` parameters accept, for users and clients:
 * `field:value`, `field:"quoted value"`, wildcards (`*`, `?`), `_exists_:field`, `AND`, `OR`,
 * `NOT` / `-`, parentheses and `field:(a OR b)` (rule `users.search.user-ids`: the portal reads
 * many users at once as `user_id:("a" OR "b")`). Adjacent terms without an operator are OR-ed,
 * Elasticsearch's default. Matching is case-insensitive; an array field matches when any element
 * does. Terms on indexed fields are answered from the collection's indexes.
 */

import type { Collection, Doc, Json } from "./collection";
import { valuesAt } from "./collection";
import { ApiError } from "./errors";

export type Query =
  | { kind: "term"; field: string | undefined; value: string; exact: boolean }
  | { kind: "exists"; field: string }
  | { kind: "and" | "or"; parts: Query[] }
  | { kind: "not"; part: Query };

type Token = { type: "word" | "quoted" | "op" | "(" | ")" | ":"; text: string };

export function parseLucene(input: string): Query {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (why: string): never => {
    throw new ApiError(400, `Invalid query string: ${why}`, "invalid_query_string");
  };

  const parseOr = (field?: string): Query => {
    const parts = [parseAnd(field)];
    for (;;) {
      const t = peek();
      if (!t || t.type === ")") break;
      if (t.type === "op" && t.text === "OR") pos++;
      else if (t.type === "op" && t.text === "AND") fail("dangling AND");
      parts.push(parseAnd(field));
    }
    return parts.length === 1 ? (parts[0] as Query) : { kind: "or", parts };
  };
  const parseAnd = (field?: string): Query => {
    const parts = [parseNot(field)];
    while (peek()?.type === "op" && peek()?.text === "AND") {
      pos++;
      parts.push(parseNot(field));
    }
    return parts.length === 1 ? (parts[0] as Query) : { kind: "and", parts };
  };
  const parseNot = (field?: string): Query => {
    const t = peek();
    if (t?.type === "op" && t.text === "NOT") {
      pos++;
      return { kind: "not", part: parseNot(field) };
    }
    return parsePrimary(field);
  };
  const parsePrimary = (field?: string): Query => {
    const t = peek();
    if (!t) return fail("unexpected end of query");
    if (t.type === "(") {
      pos++;
      const inner = parseOr(field);
      if (peek()?.type !== ")") fail("missing closing parenthesis");
      pos++;
      return inner;
    }
    if (t.type === "word" && tokens[pos + 1]?.type === ":" && field === undefined) {
      pos += 2;
      const target = t.text;
      const v = peek();
      if (!v) return fail(`missing value for field ${target}`);
      if (target === "_exists_") {
        if (v.type !== "word" && v.type !== "quoted") fail("_exists_ needs a field name");
        pos++;
        return { kind: "exists", field: v.text };
      }
      if (v.type === "(") return parsePrimary(target);
      return parseValue(target);
    }
    return parseValue(field);
  };
  const parseValue = (field: string | undefined): Query => {
    const v = peek();
    if (!v || (v.type !== "word" && v.type !== "quoted")) {
      return fail(`unexpected ${v ? `"${v.text}"` : "end of query"}`);
    }
    pos++;
    return { kind: "term", field, value: v.text, exact: v.type === "quoted" };
  };

  if (tokens.length === 0) fail("empty query");
  const query = parseOr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]?.text}"`);
  return query;
}

/**
 * The quoted string that starts at `input[start]` (a `"`), backslash escapes resolved, and the
 * index after its closing quote. Shared by the Lucene and SCIM tokenizers.
 */
export function readQuoted(input: string, start: number): { text: string; end: number } {
  let text = "";
  let i = start + 1;
  while (i < input.length && input[i] !== '"') {
    if (input[i] === "\\" && i + 1 < input.length) i++;
    text += input[i];
    i++;
  }
  if (i >= input.length) {
    throw new ApiError(400, "Invalid query string: unterminated quote", "invalid_query_string");
  }
  return { text, end: i + 1 };
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ":") {
      tokens.push({ type: c, text: c });
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(input, i);
      i = quoted.end;
      tokens.push({ type: "quoted", text: quoted.text });
    } else if ((c === "-" || c === "!") && tokens.at(-1)?.type !== ":") {
      tokens.push({ type: "op", text: "NOT" });
      i++;
    } else if (input.startsWith("&&", i) || input.startsWith("||", i)) {
      tokens.push({ type: "op", text: c === "&" ? "AND" : "OR" });
      i += 2;
    } else {
      let text = "";
      while (i < input.length && !/[\s():"]/.test(input[i] as string)) {
        if (input[i] === "\\" && i + 1 < input.length) i++;
        text += input[i];
        i++;
      }
      if (text === "AND" || text === "OR" || text === "NOT") tokens.push({ type: "op", text });
      else tokens.push({ type: "word", text });
    }
  }
  return tokens;
}

function wildcard(pattern: string, insensitive: boolean): RegExp {
  const body = (insensitive ? pattern.toLowerCase() : pattern)
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/**
 * Which fields compare case-insensitively. Default: all (the collection's indexes are). User
 * search passes Auth0's rule (`users.search.case`): only the normalized profile fields.
 */
export interface SearchOptions {
  caseInsensitive?: (field: string) => boolean;
}

/** A value as the comparison sees it: lower case for case-insensitive fields. */
function comparable(value: Json, insensitive: boolean): string | undefined {
  if (value === null || typeof value === "object") return undefined;
  return insensitive ? String(value).toLowerCase() : String(value);
}

function termMatches(values: Json[], value: string, exact: boolean, insensitive: boolean): boolean {
  if (!exact && /[*?]/.test(value)) {
    const re = wildcard(value, insensitive);
    return values.some((v) => {
      const key = comparable(v, insensitive);
      return key !== undefined && re.test(key);
    });
  }
  const wanted = insensitive ? value.toLowerCase() : value;
  return values.some((v) => comparable(v, insensitive) === wanted);
}

export function matches(
  doc: Doc,
  query: Query,
  defaultFields: readonly string[],
  opts: SearchOptions = {},
): boolean {
  const insensitive = opts.caseInsensitive ?? (() => true);
  switch (query.kind) {
    case "term": {
      const fields = query.field ? [query.field] : defaultFields;
      return fields.some((f) =>
        termMatches(valuesAt(doc, f), query.value, query.exact, insensitive(f)),
      );
    }
    case "exists":
      return valuesAt(doc, query.field).some((v) => v !== null);
    case "and":
      return query.parts.every((p) => matches(doc, p, defaultFields, opts));
    case "or":
      return query.parts.some((p) => matches(doc, p, defaultFields, opts));
    case "not":
      return !matches(doc, query.part, defaultFields, opts);
  }
}

/** Ids that can possibly match, from the indexes alone; undefined when a full scan is needed. */
function candidates<T extends Doc>(
  query: Query,
  coll: Collection<T>,
): ReadonlySet<string> | undefined {
  switch (query.kind) {
    case "term":
      if (!query.field || (!query.exact && /[*?]/.test(query.value))) return undefined;
      return coll.lookup(query.field, query.value);
    case "and": {
      const sets = query.parts
        .map((p) => candidates(p, coll))
        .filter((s): s is ReadonlySet<string> => s !== undefined)
        .sort((a, b) => a.size - b.size);
      const [smallest, ...rest] = sets;
      if (!smallest) return undefined;
      return new Set([...smallest].filter((id) => rest.every((s) => s.has(id))));
    }
    case "or": {
      const union = new Set<string>();
      for (const p of query.parts) {
        const s = candidates(p, coll);
        if (!s) return undefined;
        for (const id of s) union.add(id);
      }
      return union;
    }
    default:
      return undefined;
  }
}

/** Records of `coll` matching the Lucene query `q`, in insertion order. */
export function search<T extends Doc>(
  coll: Collection<T>,
  q: string | Query,
  defaultFields: readonly string[],
  opts: SearchOptions = {},
): T[] {
  const query = typeof q === "string" ? parseLucene(q) : q;
  // Index keys are lower case: hits are a superset for case-sensitive fields, checked below.
  const ids = candidates(query, coll);
  const pool = ids ? coll.pick(ids) : coll.all();
  return pool.filter((doc) => matches(doc, query, defaultFields, opts));
}

/** Every term of a query, for checks on fields and values. */
export function terms(query: Query): Array<Extract<Query, { kind: "term" | "exists" }>> {
  if (query.kind === "term" || query.kind === "exists") return [query];
  if (query.kind === "not") return terms(query.part);
  return query.parts.flatMap(terms);
}
