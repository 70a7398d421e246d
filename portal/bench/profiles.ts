/**
 * Rate limits for the benchmark, on both local tenants. "free" is Auth0's Free subscription for
 * the Management API: burst 2, sustained 2 requests per second
 * (https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-configurations/free-public).
 */
import type { SeededTenants } from "../../emulator/test-support";

export function useRateLimitProfile(env: SeededTenants, profile: "unlimited" | "free") {
  for (const tenant of ["production", "sandbox"] as const)
    env.control.setRateLimit(
      tenant,
      profile === "free" ? { limit: 2, windowSeconds: 1 } : { limit: 100_000, windowSeconds: 1 },
    );
}
