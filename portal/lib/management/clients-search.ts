/**
 * `GET /api/v2/clients/search`: the only Management API operation that filters clients on
 * `client_metadata` (`metadata.{key}:"value"`). SDK 7.1.0 has no method for it, so this is the one
 * typed function that calls it, through the SDK's own passthrough `fetch` (same token cache,
 * base URL and transport as every other call; `maxRetries: 0` like the client, our `Tenant.run`
 * retries). A non-2xx answer becomes a `ManagementError`, so retries and error mapping are the
 * same as for SDK methods.
 *
 * Auth0's rules (https://auth0.com/docs/api/management/v2/clients/get-clients-search):
 * - `q` in Lucene syntax (default parser); at most 5 filter operations per query: we count every
 *   term and every OR alternative as one (`filterOperations`) and refuse more before sending;
 * - metadata values are indexed up to 64 characters: we only search for values we generate or
 *   Auth0 ids, all shorter (`SEARCHABLE`);
 * - cursor paging: `take` and `from` (the previous answer's `next`), no totals;
 * - `read:clients` (or `read:client_summary`); `client_secret` is never returned;
 * - results are eventually consistent: a client written a moment ago may be missing, a deleted one
 *   may still be listed. Callers re-read by id (GET /clients/{id}) before trusting or deleting.
 */
import { ManagementError } from "auth0";
import { z } from "zod";
import { PortalError } from "../errors";
import { FRESH_READ } from "./read-cache";
import type { Tenant } from "./tenant";

/** Auth0's limit on filter operations per query. */
export const MAX_FILTER_OPERATIONS = 5;
/** Page size we ask for (Auth0's list endpoints allow at most 100). */
export const MAX_TAKE = 100;
/** Metadata values are indexed up to 64 characters; longer ones would never match. */
const SEARCHABLE = /^[A-Za-z0-9_|.@:-]{1,64}$/;

/** A metadata term: `metadata.key:"value"`, or `metadata.key:("a" OR "b")` for several values. */
export interface MetadataTerm {
  key: string;
  values: readonly string[];
}

/** Filter operations a query costs: one per value of each term (an OR alternative counts). */
export function filterOperations(terms: readonly MetadataTerm[]): number {
  return terms.reduce((sum, term) => sum + term.values.length, 0);
}

/** Builds the Lucene query, refusing values that could break out of the quotes or exceed 64. */
export function metadataQuery(terms: readonly MetadataTerm[]): string {
  if (terms.length === 0) throw new PortalError("internal", "A client search needs a filter.");
  const operations = filterOperations(terms);
  if (operations > MAX_FILTER_OPERATIONS)
    throw new PortalError(
      "internal",
      `A client search may use at most ${MAX_FILTER_OPERATIONS} filter operations (this one: ${operations}).`,
    );
  return terms
    .map(({ key, values }) => {
      if (!/^[a-zA-Z_]{1,32}$/.test(key) || values.length === 0)
        throw new PortalError("internal", "Malformed search key.");
      for (const value of values)
        if (!SEARCHABLE.test(value))
          throw new PortalError("invalid_input", "Malformed identifier.");
      const quoted = values.map((v) => `"${v}"`);
      return `metadata.${key}:${quoted.length === 1 ? quoted[0] : `(${quoted.join(" OR ")})`}`;
    })
    .join(" AND ");
}

const SearchedClient = z
  .object({
    client_id: z.string(),
    name: z.string().optional(),
    client_metadata: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();
export type SearchedClient = z.infer<typeof SearchedClient>;

const SearchResponse = z.object({
  clients: z.array(SearchedClient),
  next: z.string().min(1).optional(),
});

export interface ClientsPage {
  clients: SearchedClient[];
  /** Cursor for the next page; absent on the last page. */
  next: string | undefined;
}

export async function searchClients(
  tenant: Tenant,
  terms: readonly MetadataTerm[],
  {
    take,
    from,
    requestId,
    fresh = false,
  }: {
    take: number;
    from?: string | undefined;
    requestId: string;
    /** Past the portal's read cache: a count that decides must not add the cache's age. */
    fresh?: boolean;
  },
): Promise<ClientsPage> {
  const params = new URLSearchParams({
    q: metadataQuery(terms),
    take: String(Math.min(Math.max(take, 1), MAX_TAKE)),
    fields: "client_id,name,client_metadata",
    include_fields: "true",
  });
  if (from) params.set("from", from);
  const body = await tenant.run(
    "search clients",
    async (client) => {
      // An absolute URL: the SDK joins a relative one as a path, which would escape the `?`.
      const url = `https://${tenant.domain}/api/v2/clients/search?${params}`;
      const response = await client.fetch(url, { method: "GET", ...(fresh ? FRESH_READ : {}) });
      const text = await response.text();
      const json = parseJson(text);
      if (!response.ok)
        throw new ManagementError({
          message: `GET /clients/search answered ${response.status}`,
          statusCode: response.status,
          body: json,
          rawResponse: {
            headers: response.headers,
            redirected: response.redirected,
            status: response.status,
            statusText: response.statusText,
            type: response.type,
            url: response.url,
          },
        });
      return json;
    },
    { safeToRepeat: true, requestId },
  );
  const parsed = SearchResponse.safeParse(body);
  if (!parsed.success)
    throw new PortalError(
      "upstream_error",
      `The ${tenant.environment} tenant answered a client search in an unexpected shape.`,
      { requestId },
    );
  return { clients: parsed.data.clients, next: parsed.data.next };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
