/**
 * An in-memory collection of records with secondary indexes on chosen field paths, so that
 * searches like `app_metadata.teamId:"t1"` over 10,000 users touch only matching records.
 * Insertion order is kept (lists page in creation order, as Auth0's mostly do).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: Json };

/** Leaf values at a dotted path; arrays are flattened (`permissions:"x"` matches any element). */
export function valuesAt(doc: unknown, dotted: string): Json[] {
  let current: unknown[] = [doc];
  for (const part of dotted.split(".")) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const child = (value as Record<string, unknown>)[part];
        if (child !== undefined) next.push(child);
      }
    }
    current = next;
  }
  const out: Json[] = [];
  const flatten = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(flatten);
    else out.push(v as Json);
  };
  current.forEach(flatten);
  return out;
}

/** Index key of a scalar: case-insensitive strings, numbers and booleans as text. */
export function indexKey(value: Json): string | undefined {
  if (value === null || typeof value === "object") return undefined;
  return String(value).toLowerCase();
}

export class Collection<T extends Doc> {
  private readonly byId = new Map<string, T>();
  /** Insertion sequence of each id (updates keep theirs), to order index hits cheaply. */
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private ordered: T[] | undefined;
  /** Told of every write (the put record, or undefined for a delete; a clear is `clear`). */
  private readonly observers: Array<(id: string, doc: T | undefined | "clear") => void> = [];

  constructor(
    private readonly idOf: (doc: T) => string,
    readonly indexedPaths: readonly string[] = [],
  ) {
    for (const p of indexedPaths) this.indexes.set(p, new Map());
  }

  /** Calls `fn` after every put, delete and clear (search views follow the collection). */
  observe(fn: (id: string, doc: T | undefined | "clear") => void): void {
    this.observers.push(fn);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** All records in insertion order (cached until the next change). */
  all(): readonly T[] {
    this.ordered ??= [...this.byId.values()];
    return this.ordered;
  }

  put(doc: T): T {
    const id = this.idOf(doc);
    const previous = this.byId.get(id);
    if (previous) this.unindex(id, previous);
    else this.seq.set(id, this.nextSeq++);
    this.byId.set(id, doc);
    this.index(id, doc);
    this.ordered = undefined;
    for (const fn of this.observers) fn(id, doc);
    return doc;
  }

  delete(id: string): boolean {
    const previous = this.byId.get(id);
    if (!previous) return false;
    this.unindex(id, previous);
    this.byId.delete(id);
    this.seq.delete(id);
    this.ordered = undefined;
    for (const fn of this.observers) fn(id, undefined);
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.seq.clear();
    for (const index of this.indexes.values()) index.clear();
    this.ordered = undefined;
    for (const fn of this.observers) fn("", "clear");
  }

  isIndexed(path: string): boolean {
    return this.indexes.has(path);
  }

  /** Ids whose value at `path` equals `value` (case-insensitive); undefined if not indexed. */
  lookup(path: string, value: string): ReadonlySet<string> | undefined {
    const index = this.indexes.get(path);
    if (!index) return undefined;
    return index.get(value.toLowerCase()) ?? new Set();
  }

  /** Records with the given ids, in insertion order. */
  pick(ids: ReadonlySet<string>): T[] {
    if (ids.size * 8 < this.byId.size) {
      // Few hits: sort them by insertion sequence instead of scanning everything.
      return [...ids]
        .filter((id) => this.byId.has(id))
        .sort((a, b) => (this.seq.get(a) ?? 0) - (this.seq.get(b) ?? 0))
        .map((id) => this.byId.get(id) as T);
    }
    return this.all().filter((doc) => ids.has(this.idOf(doc)));
  }

  private index(id: string, doc: T): void {
    for (const [path, index] of this.indexes) {
      for (const value of valuesAt(doc, path)) {
        const key = indexKey(value);
        if (key === undefined) continue;
        const ids = index.get(key) ?? new Set<string>();
        if (ids.size === 0) index.set(key, ids);
        ids.add(id);
      }
    }
  }

  private unindex(id: string, doc: T): void {
    for (const [path, index] of this.indexes) {
      for (const value of valuesAt(doc, path)) {
        const key = indexKey(value);
        if (key === undefined) continue;
        const ids = index.get(key);
        ids?.delete(id);
        if (ids?.size === 0) index.delete(key);
      }
    }
  }
}
