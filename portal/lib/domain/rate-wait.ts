/**
 * What the create form shows while a create runs (issue 16): how long each tenant's calls wait
 * for its rate limit (the portal's token bucket, lib/management/token-bucket.ts), read by the
 * form from GET /api/rate-wait while its create is pending. No Management call.
 */
import type { TenantWait } from "../rate-wait-message";
import type { Portal } from "./context";

/** Each shaped tenant's current wait for a change (a create's calls go with the writes). */
export function rateWaits(portal: Portal): TenantWait[] {
  return Object.values(portal.tenants).flatMap((tenant) =>
    tenant?.bucket
      ? [{ environment: tenant.environment, waitMs: tenant.bucket.waitMs("write") }]
      : [],
  );
}
