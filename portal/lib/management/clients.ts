/**
 * Consistent client reads and verified deletes. `GET /clients/{id}` answers from the tenant's
 * store, not from the search index, so it is the read every decision is based on: a search hit is
 * only a candidate until this re-read confirms what it is and whose it is.
 */
import type { Management } from "auth0";
import { PortalError } from "../errors";
import { FRESH_READ, MAY_BE_OLD } from "./read-cache";
import type { Tenant } from "./tenant";

const FIELDS = "client_id,name,client_metadata,grant_types";

/** The client, or undefined when the tenant says 404 (GET /clients/{id} exists in Auth0). */
export async function readClient(
  tenant: Tenant,
  clientId: string,
  requestId: string,
  /**
   * `fresh`: past the portal's read cache (read-cache.ts), for a decision another task's write
   * changes. `mayBeOld`: from the cache even in a server action, where a kept answer can only
   * make the action refuse early (read-markers.ts MAY_BE_OLD).
   */
  { fresh = false, mayBeOld = false }: { fresh?: boolean; mayBeOld?: boolean } = {},
): Promise<Management.GetClientResponseContent | undefined> {
  const query = { fields: FIELDS, include_fields: true };
  const options = fresh ? FRESH_READ : mayBeOld ? MAY_BE_OLD : undefined;
  try {
    return await tenant.run("read a client", (c) => c.clients.get(clientId, query, options), {
      safeToRepeat: true,
      requestId,
    });
  } catch (error) {
    if (error instanceof PortalError && error.code === "not_found") return undefined;
    throw error;
  }
}

/**
 * A client answer without its `client_secret`. Every client answer goes through this at the call
 * unless the caller is the one that shows a secret once (a client-secret credential's create and
 * rotate): a key pair's client (ADR 0800) and a team's record never need theirs, so it never
 * reaches a log line, an audit line, a result or a page.
 */
export function withoutSecret<T extends { client_secret?: string | undefined }>(
  client: T,
): Omit<T, "client_secret"> {
  const { client_secret: _dropped, ...rest } = client;
  return rest;
}

export type DeleteOutcome = "deleted" | "gone" | "not-ours";

/**
 * Deletes a client only after re-reading it and `isOurs` confirming it (kind, team, …): nothing
 * the portal has not proven to be its own is ever deleted. A 404 on the re-read or on the
 * DELETE (a route Auth0 has) means it is already gone. `mayBeOld`: the re-read may come from the
 * read cache, for an `isOurs` on what never changes (a credential's team and kind: an id never
 * comes back, so a kept answer proves whose it is as well as a new one).
 */
export async function deleteClientIf(
  tenant: Tenant,
  clientId: string,
  isOurs: (client: Management.GetClientResponseContent) => boolean,
  requestId: string,
  { mayBeOld = false }: { mayBeOld?: boolean } = {},
): Promise<DeleteOutcome> {
  const client = await readClient(tenant, clientId, requestId, { mayBeOld });
  if (!client) return "gone";
  if (!isOurs(client)) return "not-ours";
  try {
    await tenant.run("delete a client", (c) => c.clients.delete(clientId), {
      safeToRepeat: true,
      requestId,
    });
    return "deleted";
  } catch (error) {
    if (error instanceof PortalError && error.code === "not_found") return "gone";
    throw error;
  }
}
