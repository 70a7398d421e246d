/**
 * The line the create form shows while its calls wait for a tenant's rate limit (issue 16):
 * "Waiting for the production tenant's rate limit (about N s)…". Shared by the server (which
 * measures the waits, lib/domain/rate-wait.ts) and the form (components/use-rate-wait.ts).
 */
import type { Environment } from "@astral/contract";

export interface TenantWait {
  environment: Environment;
  /** How long a call asked for now would wait for its token (ms); 0 when it goes at once. */
  waitMs: number;
}

/** The line for the longest wait, or undefined when nothing waits. */
export function rateWaitMessage(waits: readonly TenantWait[]): string | undefined {
  const longest = [...waits].sort((a, b) => b.waitMs - a.waitMs)[0];
  if (!longest || longest.waitMs <= 0) return undefined;
  const seconds = Math.max(1, Math.round(longest.waitMs / 1000));
  return `Waiting for the ${longest.environment} tenant's rate limit (about ${seconds} s)…`;
}
