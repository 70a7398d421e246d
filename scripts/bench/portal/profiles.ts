/**
 * Rate limits for the benchmark, on both local tenants: the local tenants' named Auth0 profiles
 * (emulator/src/control.ts `RATE_LIMIT_PROFILES`, each with its source). Population runs under
 * `test` (limits out of the way), the measurements under `free`.
 */
import type { SeededTenants } from "../../../emulator/test-support";

export function useRateLimitProfile(env: SeededTenants, profile: "unlimited" | "free") {
  for (const tenant of ["production", "sandbox"] as const) {
    env.control.setRateLimit(tenant, undefined);
    env.control.setRateLimitProfile(tenant, profile === "free" ? "free" : "test");
  }
}
