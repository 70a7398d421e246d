/**
 * A new credential's client grants: one per configured API, or the client is undone (nothing
 * half-made stays).
 */
import { PortalError } from "../errors";
import type { Tenant } from "../management/tenant";
import type { Ctx } from "./context";
import { undoCreate } from "./create-once";
import type { ClientLike } from "./credentials";

const CREATE_ATTEMPTS = 3;

/**
 * Grants a new credential every configured API. If that fails, the client is re-read and
 * deleted again (nothing half-made stays) and the create's record forgotten so a retry starts
 * afresh. An earlier attempt (`foundEarlier`) may have made some grants: its work is finished.
 */
export async function grantOrUndo(
  ctx: Ctx,
  spec: {
    tenant: Tenant;
    apis: readonly { audience: string; scopes: string[] }[];
    clientId: string;
    foundEarlier: boolean;
    key: string;
    isOurs: (client: ClientLike) => boolean;
  },
): Promise<void> {
  const { tenant, clientId } = spec;
  try {
    const granted = spec.foundEarlier
      ? await grantedAudiences(tenant, clientId, ctx.requestId)
      : new Set<string>();
    const missing = spec.apis.filter((api) => !granted.has(api.audience));
    await ensureGrants(tenant, clientId, missing, ctx.requestId);
  } catch (error) {
    // Forgetting the key lets the retry create afresh (else it would say "already used").
    const gone = await undoCreate(ctx, spec, clientId);
    if (error instanceof PortalError && !gone)
      error.message += ` The half-made credential ${clientId} could not be removed; retrying the create finishes it, or revoke it.`;
    throw error;
  }
}

async function ensureGrants(
  tenant: Tenant,
  clientId: string,
  apis: readonly { audience: string; scopes: string[] }[],
  requestId: string,
) {
  for (const api of apis) {
    for (let attempt = 1; ; attempt++) {
      try {
        await tenant.run(
          "grant the credential access to the API",
          (c) =>
            c.clientGrants.create({
              client_id: clientId,
              audience: api.audience,
              scope: api.scopes,
            }),
          { safeToRepeat: false, requestId },
        );
        break;
      } catch (error) {
        if (error instanceof PortalError && error.code === "conflict") break; // already granted
        const transient = error instanceof PortalError && error.code === "upstream_error";
        if (!transient || attempt >= CREATE_ATTEMPTS) throw error;
        if (await hasGrant(tenant, clientId, api.audience, requestId)) break;
      }
    }
  }
}

async function grantedAudiences(tenant: Tenant, clientId: string, requestId: string) {
  const page = await tenant.run(
    "read the credential's grants",
    (c) => c.clientGrants.list({ client_id: clientId }),
    { safeToRepeat: true, requestId },
  );
  return new Set(page.data.map((g) => g.audience));
}

async function hasGrant(tenant: Tenant, clientId: string, audience: string, requestId: string) {
  const page = await tenant.run(
    "read the credential's grants",
    (c) => c.clientGrants.list({ client_id: clientId, audience }),
    { safeToRepeat: true, requestId },
  );
  return page.data.length > 0;
}
