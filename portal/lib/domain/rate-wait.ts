/**
 * What the create form shows while a create runs (issue 16): if a tenant's calls are waiting for
 * its rate limit (the portal's token bucket, lib/management/token-bucket.ts), the page says so
 * and for which tenant, rather than only "Creating…". Read by the form from GET /api/rate-wait
 * while its create is pending; no Management call.
 */
import type { Environment } from "@astral/contract";
import type { Portal } from "./context";

export interface TenantWait {
  environment: Environment;
  /** How long a call asked for now would wait for its token (ms); 0 when it goes at once. */
  waitMs: number;
}

/** Each shaped tenant's current wait. */
export function rateWaits(portal: Portal): TenantWait[] {
  return Object.values(portal.tenants).flatMap((tenant) =>
    tenant?.bucket
      ? [{ environment: tenant.environment, waitMs: tenant.bucket.waitMs("interactive") }]
      : [],
  );
}

/** The line the form shows for the longest wait, or undefined when nothing waits. */
export function rateWaitMessage(waits: readonly TenantWait[]): string | undefined {
  const longest = [...waits].sort((a, b) => b.waitMs - a.waitMs)[0];
  if (!longest || longest.waitMs <= 0) return undefined;
  const seconds = Math.max(1, Math.round(longest.waitMs / 1000));
  return `Waiting for the ${longest.environment} tenant's rate limit (about ${seconds} s)…`;
}
