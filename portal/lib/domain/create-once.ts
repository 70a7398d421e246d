/**
 * Creates a client at most once per idempotency key. The key is stored in the client's
 * `client_metadata.requestId`; every attempt first searches for it, so a create whose response
 * was lost (connection reset after the tenant acted), or that a user retries, finds the client
 * instead of making a second one. Used for team records and credentials.
 */
import type { Management } from "auth0";
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import type { Tenant } from "../management/tenant";

const ATTEMPTS = 3;

export async function createClientOnce(
  tenant: Tenant,
  key: string,
  body: Management.CreateClientRequestContent,
  what: string,
  requestId: string,
): Promise<{ client: Management.Client; foundEarlier: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const page = await tenant.run(
      "look for an earlier attempt",
      (c) => c.clients.list({ q: queries.clientByRequestId(key), page: 0, per_page: 5 }),
      { safeToRepeat: true, requestId },
    );
    const earlier = page.data[0];
    if (earlier) return { client: earlier, foundEarlier: true };
    try {
      const client = await tenant.run(what, (c) => c.clients.create(body), {
        safeToRepeat: false,
        requestId,
      });
      return { client, foundEarlier: false };
    } catch (error) {
      // A 5xx or lost response may still have created the client: the next attempt looks first.
      const transient =
        error instanceof PortalError &&
        (error.code === "upstream_error" || error.code === "rate_limited");
      if (!transient || attempt >= ATTEMPTS) throw error;
    }
  }
}
