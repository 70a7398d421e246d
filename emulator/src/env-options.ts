/**
 * Tenant options a developer sets through the environment for `npm run dev` (tests pass them in
 * code). A bad value stops the start with a message naming the variable.
 */
import { RATE_LIMIT_PROFILES, type RateLimitProfileName } from "./control";
import { ENTITY_PLANS, type EntityPlanName } from "./management/entity-limits";
import { DEFAULT_SEARCH_LAG_MS } from "./tenant";

export const SEARCH_LAG_ENV = "ASTRAL_EMULATOR_SEARCH_LAG_MS";

/** `ASTRAL_EMULATOR_SEARCH_LAG_MS` (ms, ≥ 0), else `DEFAULT_SEARCH_LAG_MS`. */
export function searchLagFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SEARCH_LAG_ENV];
  if (raw === undefined || raw === "") return DEFAULT_SEARCH_LAG_MS;
  if (!/^\d+$/.test(raw.trim())) {
    throw new Error(`${SEARCH_LAG_ENV} must be a whole number of milliseconds (≥ 0), not "${raw}"`);
  }
  return Number(raw.trim());
}

export const RATE_LIMIT_PROFILE_ENV = "ASTRAL_EMULATOR_RATE_LIMIT_PROFILE";

/** One of `table`'s names from `variable`, else `fallback`; anything else stops the start. */
function nameFromEnv<T extends string>(
  variable: string,
  table: Record<T, unknown>,
  fallback: T,
  env: NodeJS.ProcessEnv,
): T {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  if (!Object.hasOwn(table, raw)) {
    throw new Error(`${variable} must be one of ${Object.keys(table).join(", ")}, not "${raw}"`);
  }
  return raw as T;
}

/** `ASTRAL_EMULATOR_RATE_LIMIT_PROFILE` (free, self-service, test), else `fallback`. */
export function rateLimitProfileFromEnv(
  fallback: RateLimitProfileName,
  env: NodeJS.ProcessEnv = process.env,
): RateLimitProfileName {
  return nameFromEnv(RATE_LIMIT_PROFILE_ENV, RATE_LIMIT_PROFILES, fallback, env);
}

export const ENTITY_PLAN_ENV = "ASTRAL_EMULATOR_ENTITY_PLAN";

/** `ASTRAL_EMULATOR_ENTITY_PLAN` (free, self-service, unlimited), else `fallback`. */
export function entityPlanFromEnv(
  fallback: EntityPlanName,
  env: NodeJS.ProcessEnv = process.env,
): EntityPlanName {
  return nameFromEnv(ENTITY_PLAN_ENV, ENTITY_PLANS, fallback, env);
}
