/**
 * The Management API rate each portal task may use in each tenant (ADR 0600 "Rate budget"): the
 * tenant's Auth0 plan's published limit, split evenly over the portal tasks that share it. Per
 * tenant (`PORTAL_ENV.rate.production|sandbox`), as the stack sets them: the production tenant
 * is shared by production's tasks only, the sandbox tenant also by the sandbox and preview
 * portals, and the two tenants may be on different plans.
 *
 * - `PRODUCTION_AUTH0_PLAN` / `SANDBOX_AUTH0_PLAN` (free | essentials | professional |
 *   enterprise; default free, the smallest limit, so an unset value can only make the portal
 *   slower, never make it bounce off 429s).
 * - `PRODUCTION_PORTAL_TASKS` / `SANDBOX_PORTAL_TASKS` (whole number ≥ 1, default 2: the ALB's
 *   two tasks): each task takes 1/tasks of the rate and of the burst. A 429 still reaching a
 *   task (the dashboard, a script, more tasks than stated) empties its bucket and is retried as
 *   before (retry.ts).
 */
import { AUTH0_PLANS, type Auth0Plan, type Environment, PORTAL_ENV } from "@astral/contract";
import {
  DEFAULT_READ_POLICY,
  FREE_READ_POLICY,
  type ReadKind,
  type ReadPolicy,
} from "./read-policy";
import type { RateShape } from "./token-bucket";

export const DEFAULT_PORTAL_TASKS = 2;

/**
 * Auth0's published Management API limits per plan (the local tenants' rule `plans.limits`,
 * emulator/src/rules-plans.ts): Free 2/s with bursts of 10; Self Service (Essentials,
 * Professional) 16/s, burst not published (so 16); Enterprise 16/s as the stricter reading.
 */
export const PLAN_RATES: Readonly<Record<Auth0Plan, RateShape>> = {
  free: { perSecond: 2, burst: 10 },
  essentials: { perSecond: 16, burst: 16 },
  professional: { perSecond: 16, burst: 16 },
  enterprise: { perSecond: 16, burst: 16 },
};

/**
 * How long a task keeps what it read, per plan (read-policy.ts): a record's lifetime is the
 * revocation bound across tasks, 2 minutes on Free (FREE_READ_POLICY says why), 1 minute on the
 * plans with 16 requests/s.
 */
export const READ_POLICIES: Readonly<Record<Auth0Plan, Record<ReadKind, ReadPolicy>>> = {
  free: FREE_READ_POLICY,
  essentials: DEFAULT_READ_POLICY,
  professional: DEFAULT_READ_POLICY,
  enterprise: DEFAULT_READ_POLICY,
};

/** The tenant's Auth0 plan, from the environment (default free); a bad value names itself. */
export function tenantPlanFrom(
  env: Record<string, string | undefined>,
  environment: Environment,
): Auth0Plan {
  const name = PORTAL_ENV.rate[environment].plan;
  const value = env[name]?.trim() || "free";
  if (!(AUTH0_PLANS as readonly string[]).includes(value))
    throw new Error(`${name} must be one of ${AUTH0_PLANS.join(", ")}, not "${value}"`);
  return value as Auth0Plan;
}

/**
 * One task's share of a tenant's plan limit, from the environment; a bad value names itself.
 */
export function taskRateFrom(
  env: Record<string, string | undefined>,
  environment: Environment,
): RateShape {
  const names = PORTAL_ENV.rate[environment];
  const plan = tenantPlanFrom(env, environment);
  const tasksValue = env[names.tasks]?.trim() || String(DEFAULT_PORTAL_TASKS);
  if (!/^[1-9]\d{0,2}$/.test(tasksValue))
    throw new Error(
      `${names.tasks} must be how many portal tasks share the ${environment} tenant (1–999), not "${tasksValue}"`,
    );
  return taskShare(PLAN_RATES[plan], Number(tasksValue));
}

/**
 * What one of `tasks` tasks may use of a plan's limit: its share, less a margin. Calls granted
 * exactly at the limit reach the tenant a few ms apart from when they were granted, and one that
 * arrives early finds the tenant's bucket a fraction of a token short: measured against the
 * local Free tenant, one 429 in 15 calls (`rate-shaping.integration.test.ts`). 10 % of the rate
 * and one call of the burst absorb that jitter.
 */
export function taskShare(plan: RateShape, tasks: number): RateShape {
  return {
    perSecond: (plan.perSecond * 0.9) / tasks,
    burst: Math.max(1, Math.floor((plan.burst - 1) / tasks)),
  };
}
