/**
 * Auth0's entity limits (https://auth0.com/docs/troubleshoot/customer-support/operational-policies/entity-limit-policy):
 * hard limits on how many entities a tenant holds. Some hold on every plan (rule
 * `entities.scopes-per-api`); the counts of applications and APIs depend on the plan (rule
 * `entities.plan`), so they follow a named plan: `free`, `self-service`, or `unlimited` (tests
 * and benchmarks that seed thousands of clients; Enterprise's figures are not emulated).
 *
 * Plan figures: the policy's "Free subscription limits" and "Self-Service paid subscription
 * limits" tables (Applications 10 / 100, API Resource Servers 10 / 100), the latest per-plan
 * figures the stored copies of the page show (its 2020 edition); the current edition's tables
 * could not be read, so these, the stricter reading, stay.
 */
import type { Doc } from "../collection";
import { ApiError, badRequest } from "../errors";
import type { Tenant } from "../tenant";

export interface EntityPlan {
  name: string;
  /** Applications (clients) per tenant, the bootstrap and system clients included. */
  applications: number;
  /** API resource servers per tenant, the Management API not counted (a system API). */
  resourceServers: number;
}

export const ENTITY_PLANS = {
  free: { name: "free", applications: 10, resourceServers: 10 },
  "self-service": { name: "self-service", applications: 100, resourceServers: 100 },
  unlimited: {
    name: "unlimited",
    applications: Number.POSITIVE_INFINITY,
    resourceServers: Number.POSITIVE_INFINITY,
  },
} as const satisfies Record<string, EntityPlan>;

export type EntityPlanName = keyof typeof ENTITY_PLANS;

/** "Scopes per API: 1000" (Authorization Core limits, every plan). */
export const MAX_SCOPES_PER_API = 1000;

const limitReached = (what: string, max: number, plan: string) =>
  new ApiError(
    403,
    `You have reached the limit of ${max} ${what} for this tenant (Auth0 entity limit, ${plan} plan).`,
    "entity_limit_reached",
  );

/** Rule `entities.plan`: one more application must fit the tenant's plan. */
export function checkApplicationRoom(tenant: Tenant): void {
  const plan = ENTITY_PLANS[tenant.store.entityPlan];
  if (tenant.store.clients.all().length >= plan.applications)
    throw limitReached("applications", plan.applications, plan.name);
}

/** Rule `entities.plan`: one more API must fit the tenant's plan (system APIs not counted). */
export function checkResourceServerRoom(tenant: Tenant): void {
  const plan = ENTITY_PLANS[tenant.store.entityPlan];
  const apis = tenant.store.resourceServers.all().filter((r) => !r.is_system).length;
  if (apis >= plan.resourceServers) throw limitReached("APIs", plan.resourceServers, plan.name);
}

/** Rule `entities.scopes-per-api`: a resource server defines at most 1000 scopes. */
export function checkScopeCount(body: Doc): void {
  const scopes = body.scopes;
  if (Array.isArray(scopes) && scopes.length > MAX_SCOPES_PER_API)
    throw badRequest(
      `An API holds at most ${MAX_SCOPES_PER_API} scopes (Auth0 entity limit); this one has ${scopes.length}.`,
    );
}
