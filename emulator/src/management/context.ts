/** What every Management API handler receives, and the helpers they share. */
import { randomBytes } from "node:crypto";
import type { Doc } from "../collection";
import { badRequest } from "../errors";
import type { Tenant } from "../tenant";

export interface HandlerContext {
  tenant: Tenant;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Doc;
  /** Scopes of the caller's access token. */
  scopes: ReadonlySet<string>;
  /** The client the caller's access token was issued to (its `azp`). */
  clientId: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: HandlerContext) => HandlerResult | Promise<HandlerResult>;

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(length: number, alphabet = ALPHANUM): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const randomHex = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);

export const now = () => new Date().toISOString();

/** Deep copy of JSON data (records are never handed out by reference). */
export const clone = <T>(value: T): T => structuredClone(value);

/** `fields` / `include_fields` projection, as Auth0 applies it to each returned object. */
export function project(doc: Doc, query: Record<string, unknown>): Doc {
  const fields = typeof query.fields === "string" && query.fields ? query.fields.split(",") : [];
  if (fields.length === 0) return doc;
  const include = query.include_fields !== false;
  const wanted = new Set(fields.map((f) => f.trim()).filter(Boolean));
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (wanted.has(key) === include) out[key] = value;
  }
  return out;
}

/**
 * Offset pagination (`page`, `per_page`, `include_totals`) or checkpoint pagination
 * (`from`, `take`), with Auth0's response envelopes.
 */
export function paginate<T>(
  items: readonly T[],
  query: Record<string, unknown>,
  key: string,
  opts: { checkpoint?: boolean; defaultPerPage?: number; withLength?: boolean } = {},
): unknown {
  if (opts.checkpoint && (query.from !== undefined || query.take !== undefined)) {
    const from = query.from === undefined ? 0 : Number(query.from);
    if (!Number.isInteger(from) || from < 0) {
      throw badRequest(
        `Query validation error: 'Invalid checkpoint: ${query.from}'.`,
        "invalid_query_string",
      );
    }
    const take = (query.take as number | undefined) ?? 50;
    const page = items.slice(from, from + take);
    const next = from + take < items.length ? String(from + take) : undefined;
    return next ? { [key]: page, next } : { [key]: page };
  }
  const perPage = (query.per_page as number | undefined) ?? opts.defaultPerPage ?? 50;
  const page = (query.page as number | undefined) ?? 0;
  const start = page * perPage;
  const slice = items.slice(start, start + perPage);
  if (query.include_totals === true) {
    const envelope: Record<string, unknown> = { start, limit: perPage, total: items.length };
    if (opts.withLength) envelope.length = slice.length;
    envelope[key] = slice;
    return envelope;
  }
  return slice;
}

/**
 * Auth0's metadata merge: top-level keys merged, a `null` value removes the key, and an empty
 * object (or `null`) removes all of it.
 */
export function mergeMetadata(current: unknown, patch: unknown): Doc {
  if (patch === null || Object.keys(patch as Doc).length === 0) return {};
  const out: Doc = { ...((current as Doc | undefined) ?? {}) };
  for (const [key, value] of Object.entries((patch as Doc | null) ?? {})) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * PATCH semantics of Auth0's objects: given keys replace, `null` removes; keys listed in
 * `merged` get the metadata merge instead.
 */
export function applyPatch(current: Doc, patch: Doc, merged: readonly string[] = []): Doc {
  const next: Doc = clone(current);
  for (const [key, value] of Object.entries(patch)) {
    if (merged.includes(key)) next[key] = mergeMetadata(current[key], value);
    else if (value === null) delete next[key];
    else next[key] = clone(value);
  }
  return next;
}
