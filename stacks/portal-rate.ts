/**
 * What the stack tells the portal about each tenant's Management API limit (ADR 0600 "Token
 * bucket per tenant"): `PORTAL_ENV.rate.<tenant>`, the tenant's plan and how many portal tasks
 * share its limit, for each tenant the portal calls. The production tenant is called by
 * production's tasks only; the sandbox tenant by the sandbox portal's and, from production and
 * each preview, theirs too.
 */
import { AUTH0_PLANS, type Auth0Plan, type Environment, PORTAL_ENV } from "@astral/contract";
import * as pulumi from "@pulumi/pulumi";
import { MAX_TASKS } from "./config";

/**
 * The sandbox stack's outputs production and previews read: every portal that calls the sandbox
 * tenant counts the sandbox portal's tasks and keeps to the sandbox tenant's plan.
 */
export const SANDBOX_RATE_OUTPUTS = { plan: "auth0Plan", maxTasks: "portalMaxTasks" } as const;

/**
 * Assumed while the sandbox stack has not yet exported its plan and task count (deployed before
 * those outputs existed): the smallest plan and the most tasks a stack's config allows
 * (`MAX_TASKS`), so the portal can only be slower, never overrun the tenant.
 */
export const UNKNOWN_SANDBOX_PORTAL = { plan: "free" as Auth0Plan, maxTasks: MAX_TASKS };

/** One portal service calling a tenant: its tenant's plan and its autoscaling maximum. */
export interface TenantShare {
  plan: Auth0Plan;
  maxTasks: number;
}

/** A tenant's plan and the most portal tasks that share its limit. */
export interface TenantRate {
  plan: Auth0Plan;
  tasks: number;
}

/**
 * The rate values per tenant for a portal whose own service runs up to `own.maxTasks` tasks.
 * The sandbox stack (no `sandboxPortal`) calls its own tenant, the sandbox one. Production
 * calls its own tenant (`own.plan`), which no other portal calls, and the sandbox tenant; a
 * preview owns no tenant and calls the sandbox one. Whoever calls the sandbox tenant besides the
 * sandbox portal counts the sandbox portal's tasks with its own.
 */
export function portalRateValues(
  own: { plan?: Auth0Plan; maxTasks: number },
  sandboxPortal?: TenantShare,
): Partial<Record<Environment, TenantRate>> {
  if (!sandboxPortal) {
    if (!own.plan) throw new Error("portalRateValues: no tenant plan to keep to");
    return { sandbox: { plan: own.plan, tasks: own.maxTasks } };
  }
  const sandbox = { plan: sandboxPortal.plan, tasks: own.maxTasks + sandboxPortal.maxTasks };
  return own.plan ? { production: { plan: own.plan, tasks: own.maxTasks }, sandbox } : { sandbox };
}

/** The sandbox portal's share, from the sandbox stack's outputs; unknown ones as assumed above. */
export function sandboxPortalShare(sandbox: pulumi.StackReference): pulumi.Output<TenantShare> {
  return pulumi
    .all([
      sandbox.getOutput(SANDBOX_RATE_OUTPUTS.plan),
      sandbox.getOutput(SANDBOX_RATE_OUTPUTS.maxTasks),
    ])
    .apply(([plan, maxTasks]) => sandboxShareOf(plan, maxTasks));
}

/** A value the sandbox stack exported, checked: anything else counts as not exported. */
export function sandboxShareOf(plan: unknown, maxTasks: unknown): TenantShare {
  return {
    plan: (AUTH0_PLANS as readonly unknown[]).includes(plan)
      ? (plan as Auth0Plan)
      : UNKNOWN_SANDBOX_PORTAL.plan,
    maxTasks:
      Number.isInteger(maxTasks) && (maxTasks as number) >= 1
        ? (maxTasks as number)
        : UNKNOWN_SANDBOX_PORTAL.maxTasks,
  };
}

/** The environment variables of each tenant the portal calls, as plain task definition values. */
export function portalRateEnv(
  own: { plan?: Auth0Plan; maxTasks: number },
  sandboxPortal?: pulumi.Output<TenantShare>,
): Record<string, pulumi.Output<string>> {
  const values = pulumi
    .output(sandboxPortal)
    .apply((sandbox) => portalRateValues(own, sandbox ?? undefined));
  // The production stack alone has a production plan and a sandbox stack reference.
  const environments: Environment[] =
    own.plan && sandboxPortal ? ["production", "sandbox"] : ["sandbox"];
  const env: Record<string, pulumi.Output<string>> = {};
  for (const environment of environments) {
    const names = PORTAL_ENV.rate[environment];
    const rate = values.apply((v) => v[environment] as TenantRate);
    env[names.plan] = rate.apply((r) => r.plan);
    env[names.tasks] = rate.apply((r) => String(r.tasks));
  }
  return env;
}
