/**
 * What the read cache (read-cache.ts) keeps: an answer as it came, and with it what the cache
 * needs to serve and refresh it.
 */
import type { ReadKind } from "./read-policy";

/** An answer as the tenant gave it, and when it was read (`at`). */
export interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  at: number;
}

/** A kept answer, with what `refreshOldestRecord` needs: its kind, last use and how to ask again. */
export interface Stored extends Entry {
  scope: string;
  kind: ReadKind;
  /** A list a write may have changed: served only as LIST_STALE_IF_BUSY_MS allows. */
  dropped?: boolean;
  usedAt: number;
  /** Sends the read again as the SDK made it, with `extra` headers. */
  resend: (extra: Record<string, string>) => Promise<Response>;
  /** The request's headers as the SDK made them (its token): a refresh by search sends them. */
  asked: Headers;
}

/** What sending a kept read again takes: the request as the SDK made it. */
export type Again = Pick<Stored, "resend" | "asked">;

/**
 * A kept read's `resend`: `input` sent again through `transport` with `init` (default a GET),
 * the `asked` headers (the SDK's, its token) and the `extra` ones of the time.
 */
export function resendOf(
  transport: typeof fetch,
  input: Parameters<typeof fetch>[0],
  asked: Headers,
  init: RequestInit = { method: "GET" },
): Stored["resend"] {
  return (extra) => {
    const headers = new Headers(asked);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return transport(input, { ...init, headers });
  };
}

export interface ReadCacheStats {
  hits: number;
  /** Hits past `freshMs` that started (or joined) a background refresh. */
  stale: number;
  /** Records read again early, while the tenant's budget had room (`refreshOldestRecord`). */
  early: number;
  shared: number;
  misses: number;
}

/** A user record (JSON text) found by a search, as an answer read at `at`. */
export function recordEntry(record: string, at: number): Entry {
  return {
    status: 200,
    statusText: "OK",
    headers: [["content-type", "application/json; charset=utf-8"]],
    body: new TextEncoder().encode(record).buffer as ArrayBuffer,
    at,
  };
}
