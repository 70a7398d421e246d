/**
 * Auth0 plans of the local tenants (rule `plans.limits`, `plans.private-key-jwt`): one name sets
 * the Management API rate limits, the entity limits and the features a tenant has, as a real
 * tenant's subscription does. `npm run dev -- --plan <name>` picks one (default `free`); tests
 * start on `enterprise` features with their roomy `test` rate limits and no entity limits, and
 * `env.control.setPlan(tenant, "free")` switches a tenant to a plan's figures and features.
 */
import { AUTH0_PLANS, type Auth0Plan } from "@astral/contract";
import type { RateLimitProfileName } from "./control";
import type { EntityPlanName } from "./management/entity-limits";

export { AUTH0_PLANS, type Auth0Plan };

/** Features Auth0 gates by plan that the local tenants emulate. */
export type Entitlement = "private_key_jwt";

export interface Plan {
  name: Auth0Plan;
  /** Rate limits of the Management API (emulator/src/control.ts `RATE_LIMIT_PROFILES`). */
  rateLimitProfile: RateLimitProfileName;
  /** Entity limits (emulator/src/management/entity-limits.ts `ENTITY_PLANS`). */
  entityPlan: EntityPlanName;
  /** Plan-gated features the plan includes. */
  entitlements: readonly Entitlement[];
}

/**
 * - Rate limits: "Management API Endpoint Rate Limits" gives sustained requests per second by
 *   tenant type: Free or Trial 2, Self Service (Essentials, Professional) 16, Enterprise 16. The
 *   Enterprise configuration page allows more on most endpoints (50/s); the local tenants keep
 *   16/s for it too, the stricter reading (the `self-service` profile).
 * - Entity limits: the Entity Limit Policy's tables ("Free subscription limits": 10 applications;
 *   "Self-Service paid subscription limits": 100); the policy applies to Self-Service
 *   subscriptions, so Enterprise has none here.
 * - Private Key JWT: Enterprise only ("Configure Private Key JWT Authentication").
 */
export const PLANS: Readonly<Record<Auth0Plan, Plan>> = {
  free: { name: "free", rateLimitProfile: "free", entityPlan: "free", entitlements: [] },
  essentials: {
    name: "essentials",
    rateLimitProfile: "self-service",
    entityPlan: "self-service",
    entitlements: [],
  },
  professional: {
    name: "professional",
    rateLimitProfile: "self-service",
    entityPlan: "self-service",
    entitlements: [],
  },
  enterprise: {
    name: "enterprise",
    rateLimitProfile: "self-service",
    entityPlan: "unlimited",
    entitlements: ["private_key_jwt"],
  },
};

/** `name` as a plan, or an error naming the plans (for `--plan` and the control API). */
export function planNamed(name: string, from = "plan"): Auth0Plan {
  if ((AUTH0_PLANS as readonly string[]).includes(name)) return name as Auth0Plan;
  throw new Error(`${from} must be one of ${AUTH0_PLANS.join(", ")}, not "${name}"`);
}
