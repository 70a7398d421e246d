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
import type { Tenant } from "../management/tenant";
import { type Ctx, offeredEnvironments } from "./context";

export interface TenantUsage {
  environment: Environment;
  applications: number;
  /** Where new teams and credentials stop: the plan's limit minus the reserve. */
  cap: number;
  limit: number;
}

async function countApplications(tenant: Tenant, requestId: string): Promise<number> {
  const page = await tenant.run(
    "count the tenant's applications",
    (c) => c.clients.list({ page: 0, per_page: 1, include_totals: true }),
    { safeToRepeat: true, requestId },
  );
  const total = (page.response as { total?: number } | undefined)?.total;
  return typeof total === "number" ? total : page.data.length;
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
