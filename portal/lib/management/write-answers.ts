/**
 * Writes whose answer is the record as the tenant has it after the write, and the read by id
 * that answer stands for (read-cache.ts keeps it as that read: read-your-writes without a read).
 *
 * Auth0 answers `PATCH /users/{id}`, `POST /clients`, `PATCH /clients/{id}` and
 * `POST /clients/{id}/rotate-secret` with the whole record after the write (rules row
 * `writes.answer-record`, from go-auth0's recordings). Before, the write dropped the kept record
 * and the writer's next page view read it again: on Free's saturated sandbox tenant that read
 * queued behind the other creators' writes, and the views after a create, rotate or revoke were
 * the ones that failed with the rate-limiting error (ADR 0600 "Load benchmark").
 *
 * A kept answer must be exactly what the read would have answered, and never a secret: the
 * portal reads users whole and clients with `fields=…&include_fields=true` (clients.ts), so an
 * answer is kept as each query of the collection the portal has read records with, projected
 * to its fields; a query of any other shape, or one that would keep a `client_secret` (a
 * client's create and rotate answer it), keeps nothing. One difference is left: a client
 * write's answer has no `tenant` (a create's: rules row `clients.defaults`), which a read with
 * `fields` answers beside them (`clients.fields.tenant`); the portal reads no `tenant`.
 */
import { recordEntry, resendOf, type Stored } from "./read-entries";
import type { ReadKind } from "./read-policy";
import { apiBaseOf, parsed } from "./read-scopes";

type Written = { collection: string; id?: string };

/** The record a write's answer is, if it is one: its collection and, unless a create, its id. */
export function recordAnswered(method: string, pathname: string): Written | undefined {
  const m = /^\/api\/v2\/(users|clients)(?:\/([^/]+)(\/rotate-secret)?)?$/.exec(pathname);
  if (!m) return undefined;
  const [, collection, id, rotate] = m as unknown as [string, string, string?, string?];
  if (method === "PATCH" && id !== undefined && !rotate) return { collection, id };
  if (method === "POST" && collection === "clients" && id === undefined) return { collection };
  if (method === "POST" && collection === "clients" && rotate) return { collection, id };
  return undefined;
}

/** The path segment of a created record, from its answer (`client_id`). */
function createdId(doc: Record<string, unknown>): string | undefined {
  return typeof doc.client_id === "string" ? encodeURIComponent(doc.client_id) : undefined;
}

/**
 * What a read by id with this query string (`?fields=a,b&include_fields=true`, or none) would
 * answer for `doc`; undefined when that cannot be told, or would hold a `client_secret`.
 */
export function projected(doc: Record<string, unknown>, search: string): string | undefined {
  const params = new URLSearchParams(search);
  const names = [...params.keys()].sort().join(",");
  if (names === "") return "client_secret" in doc ? undefined : JSON.stringify(doc);
  if (names !== "fields,include_fields" || params.get("include_fields") !== "true")
    return undefined;
  const fields = (params.get("fields") ?? "").split(",").filter(Boolean);
  if (fields.length === 0 || fields.includes("client_secret")) return undefined;
  return JSON.stringify(Object.fromEntries(fields.filter((f) => f in doc).map((f) => [f, doc[f]])));
}

/** How many query strings per collection are remembered (the portal uses one each). */
const MAX_QUERIES = 4;

/**
 * For the read cache: `noteRead` remembers the query strings records are read with, `keep`
 * keeps a write's answer (`text`) as those reads of its record, each read again by id when
 * refreshed (with the write's `headers`: its token).
 */
export function writeAnswers({
  transport,
  now,
  keep,
  generation,
}: {
  transport: typeof fetch;
  now: () => number;
  keep: (
    url: string,
    where: { scope: string; kind: ReadKind },
    entry: Omit<Stored, "scope" | "kind">,
    startedAt: number,
  ) => void;
  generation: (scope: string) => number;
}) {
  const seen = new Map<string, string[]>();
  return {
    noteRead(collection: string, search: string): void {
      const queries = seen.get(collection) ?? [];
      if (queries.includes(search) || queries.length >= MAX_QUERIES) return;
      seen.set(collection, [...queries, search]);
    },
    keep(url: string, record: Written, text: string, headers: Headers): void {
      const doc = parsed(text)?.doc as Record<string, unknown> | undefined;
      const id = doc && (record.id ?? createdId(doc));
      if (!doc || !id) return;
      const scope = `${record.collection}/${id}`;
      headers.delete("content-type");
      for (const query of seen.get(record.collection) ?? []) {
        const body = projected(doc, query);
        if (body === undefined) continue;
        const readUrl = `${apiBaseOf(url)}/${scope}${query}`;
        const resend = resendOf(transport, readUrl, headers);
        const entry = { ...recordEntry(body, now()), usedAt: now(), resend, asked: headers };
        keep(readUrl, { scope, kind: "record" }, entry, generation(scope));
      }
    },
  };
}
