/**
 * What the stack tells the portal about its tenants' Management API limit (ADR 0600 "Token
 * bucket per tenant"): `PORTAL_AUTH0_PLAN` and `PORTAL_TASKS`. The portal keeps one rate for
 * both tenants it calls, so a portal that calls two tenants gets the lower plan and the larger
 * count of tasks sharing a tenant.
 */
import { AUTH0_PLANS, type Auth0Plan, PORTAL_ENV } from "@astral/contract";
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

/**
 * The rate values for a portal whose own service runs up to `own.maxTasks` tasks, calling its
 * own tenant (`own.plan`, absent for a preview, which owns none) and, for production and
 * previews, the sandbox tenant, whose limit it also shares with the sandbox portal.
 */
export function portalRateValues(
  own: { plan?: Auth0Plan; maxTasks: number },
  sandboxPortal?: TenantShare,
): { plan: Auth0Plan; tasks: number } {
  const plans = [own.plan, sandboxPortal?.plan].filter((p): p is Auth0Plan => p !== undefined);
  if (plans.length === 0) throw new Error("portalRateValues: no tenant plan to keep to");
  // AUTH0_PLANS runs from the smallest limit to the largest.
  const plan = AUTH0_PLANS[Math.min(...plans.map((p) => AUTH0_PLANS.indexOf(p)))] as Auth0Plan;
  return { plan, tasks: own.maxTasks + (sandboxPortal?.maxTasks ?? 0) };
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

/** The two environment variables, as plain task definition values. */
export function portalRateEnv(
  own: { plan?: Auth0Plan; maxTasks: number },
  sandboxPortal?: pulumi.Output<TenantShare>,
): Record<string, pulumi.Output<string>> {
  const values = pulumi
    .output(sandboxPortal)
    .apply((sandbox) => portalRateValues(own, sandbox ?? undefined));
  return {
    [PORTAL_ENV.rate.plan]: values.apply((v) => v.plan),
    [PORTAL_ENV.rate.tasks]: values.apply((v) => String(v.tasks)),
  };
}
