/**
 * A cap on the whole tenant (ADR 0700): every team and credential is an Auth0 client, and a
 * tenant holds at most its plan's number of applications (Free 10, Self Service 100). Many
 * accounts, or one big burst, could spend them all and leave no room for the backend's own
 * clients. So a new client is refused once the tenant holds `applicationsPerTenant` minus
 * `reservedApplications`, counted with GET /clients (`include_totals`, one row; the list, not
 * the lagging search). Creates running at the same moment all pass the same count: the reserve
 * absorbs up to that many; past it, Auth0's own limit refuses the create.
 */
import type { Environment } from "@astral/contract";
import { PortalError } from "../errors";
import { FRESH_READ } from "../management/read-cache";
import type { Tenant } from "../management/tenant";
import { type Ctx, offeredEnvironments } from "./context";

export interface TenantUsage {
  environment: Environment;
  applications: number;
  /** Where new teams and credentials stop: the plan's limit minus the reserve. */
  cap: number;
  limit: number;
}

/**
 * The last count per tenant in this process, with this process's creates since added (issue 16:
 * a count per create cost one of Free's 2 calls/s). Reused for the tenant's list lifetime
 * (`listFreshMs`, 30 s; 0 in the test suites). Every create that passes the check adds one, made
 * or not, and deletes subtract nothing: the estimate only errs high, refusing early rather than
 * late. Other tasks' creates show at the next count: with the creates running meanwhile, the
 * reserve absorbs them, and past it Auth0's own limit refuses.
 */
const counts = new WeakMap<Tenant, { applications: number; at: number }>();

async function countApplications(tenant: Tenant, requestId: string): Promise<number> {
  const kept = counts.get(tenant);
  if (kept && Date.now() - kept.at < tenant.listFreshMs) return kept.applications;
  const at = Date.now();
  const page = await tenant.run(
    "count the tenant's applications",
    (c) => c.clients.list({ page: 0, per_page: 1, include_totals: true }, FRESH_READ),
    { safeToRepeat: true, requestId },
  );
  const total = (page.response as { total?: number } | undefined)?.total;
  const applications = typeof total === "number" ? total : page.data.length;
  counts.set(tenant, { applications, at });
  return applications;
}

function capOf(ctx: Ctx) {
  const { applicationsPerTenant, reservedApplications } = ctx.portal.config().limits;
  return {
    limit: applicationsPerTenant,
    cap: Math.max(0, applicationsPerTenant - reservedApplications),
  };
}

/** Refuses a new client in a tenant that reached the cap. */
export async function refuseFullTenant(ctx: Ctx, tenant: Tenant): Promise<void> {
  const { limit, cap } = capOf(ctx);
  const applications = await countApplications(tenant, ctx.requestId);
  if (applications >= cap)
    throw new PortalError(
      "conflict",
      `The ${tenant.environment} tenant holds ${applications} applications; portal.config.js keeps the last ${limit - cap} of its ${limit} (limits.applicationsPerTenant, limits.reservedApplications) for the portal's own clients, so no new teams or credentials can be made there. Ask a portal admin.`,
      { requestId: ctx.requestId },
    );
  // This create will most likely add one: counted now, so the next create sees it.
  const kept = counts.get(tenant);
  if (kept) kept.applications = applications + 1;
}

/** Admin: each tenant's application count against the cap. */
export async function tenantUsage(ctx: Ctx): Promise<TenantUsage[]> {
  const { limit, cap } = capOf(ctx);
  return Promise.all(
    offeredEnvironments(ctx.portal).flatMap(({ id }) => {
      const tenant = ctx.portal.tenants[id];
      return tenant
        ? [
            countApplications(tenant, ctx.requestId).then((n) => ({
              environment: id,
              applications: n,
              cap,
              limit,
            })),
          ]
        : [];
    }),
  );
}
