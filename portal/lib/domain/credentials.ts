/**
 * API credentials: a `non_interactive` client in an environment's tenant, marked
 * `astral: "credential"` with its team, plus one client grant per configured API audience.
 *
 * Create is idempotent: the caller's idempotency key is stored as `client_metadata.requestId`,
 * and every attempt first looks for a client carrying it, so a retried create (after a lost
 * response, a 5xx or a double submit) finds what it made instead of making a second one. If a
 * grant cannot be created, the client is deleted again: nothing half-made stays behind.
 */
import { CLIENT_KINDS, CredentialMetadata, type Environment } from "@astral/contract";
import type { Management } from "auth0";
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { lookAlikeOf } from "../names";
import { type Ctx, offeredEnvironment } from "./context";
import { createClientOnce } from "./create-once";
import { deleteClientQuietly } from "./teams";
import type { Paged } from "./users";

export interface Credential {
  clientId: string;
  name: string;
  environment: Environment;
  teamId: string;
  createdBy: string;
  createdAt: string;
}

/** Returned once, by create and rotate, and never stored or logged. */
export interface RevealedCredential extends Credential {
  clientSecret: string;
  tokenUrl: string;
  audiences: string[];
}

const CREATE_ATTEMPTS = 3;

function toCredential(client: Management.Client, environment: Environment): Credential | undefined {
  const meta = CredentialMetadata.safeParse(client.client_metadata ?? {});
  if (!meta.success || !client.client_id) return undefined;
  return {
    clientId: client.client_id,
    name: client.name ?? client.client_id,
    environment,
    teamId: meta.data.teamId,
    createdBy: meta.data.createdBy,
    createdAt: meta.data.createdAt,
  };
}

export async function listCredentials(
  ctx: Ctx,
  teamId: string,
  environment: Environment,
  { page, perPage }: { page: number; perPage: number },
): Promise<Paged<Credential>> {
  const { tenant } = offeredEnvironment(ctx.portal, environment);
  const result = await tenant.run(
    "list credentials",
    (c) =>
      c.clients.list({
        q: queries.teamCredentials(teamId),
        page,
        per_page: perPage,
        include_totals: true,
        fields: "client_id,name,client_metadata",
        include_fields: true,
      }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
  const items = result.data
    .map((c) => toCredential(c, environment))
    .filter((c): c is Credential => Boolean(c && c.teamId === teamId));
  return { items, page, perPage, total: result.response.total ?? items.length };
}

export async function createCredential(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; name: string; idempotencyKey: string },
): Promise<RevealedCredential> {
  const { tenant, config } = offeredEnvironment(ctx.portal, input.environment);
  await refuseLookAlikeName(ctx, input);
  const metadata: CredentialMetadata = {
    astral: CLIENT_KINDS.credential,
    teamId: input.teamId,
    createdBy: ctx.actor.userId,
    createdAt: ctx.portal.now().toISOString(),
    requestId: input.idempotencyKey,
  };

  const { client, foundEarlier } = await createClientOnce(
    tenant,
    input.idempotencyKey,
    {
      name: input.name,
      description: `Astral credential of ${input.teamId}`,
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_post",
      client_metadata: metadata,
    },
    "create a credential",
    ctx.requestId,
  );
  if (foundEarlier) {
    const meta = CredentialMetadata.safeParse(client.client_metadata ?? {});
    if (!meta.success || meta.data.teamId !== input.teamId)
      throw new PortalError("conflict", "This request id was already used; reload the page.");
  }
  let secret = client.client_secret;
  const clientId = client.client_id;
  if (!clientId) throw new PortalError("internal", "The new credential came back without an id.");

  try {
    // An earlier attempt may have made some grants: finish its work rather than repeat it.
    const granted = foundEarlier
      ? await grantedAudiences(tenant, clientId, ctx.requestId)
      : new Set<string>();
    const missing = config.apis.filter((api) => !granted.has(api.audience));
    await ensureGrants(tenant, clientId, missing, ctx.requestId);
  } catch (error) {
    const cleaned = await deleteClientQuietly(tenant, clientId, ctx.requestId);
    if (error instanceof PortalError && !cleaned)
      error.message += ` The half-made credential ${clientId} could not be removed; retrying the create finishes or an admin can revoke it.`;
    throw error;
  }

  // A found earlier attempt does not carry its secret (reads omit it): issue a fresh one.
  if (!secret) secret = await rotateSecret(tenant, clientId, ctx.requestId);
  const credential = toCredential(client, input.environment);
  if (!credential) throw new PortalError("internal", "The new credential came back malformed.");
  return reveal(tenant, credential, secret, config.apis);
}

/**
 * A name that looks like another credential's of the same team and environment but is not the
 * same text is refused (lib/names.ts). The others come from a search, which lags writes: a
 * credential created moments ago in another tab may not be compared yet
 * (docs/decisions/0700-access-taken-back.md).
 */
async function refuseLookAlikeName(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; name: string },
) {
  const others = await listCredentials(ctx, input.teamId, input.environment, {
    page: 0,
    perPage: 100,
  });
  const other = lookAlikeOf(
    input.name,
    others.items.map((c) => c.name),
  );
  if (other)
    throw new PortalError(
      "invalid_input",
      `name: "${input.name}" looks like the team's credential "${other}"; choose a name that cannot be mistaken for it.`,
    );
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

async function rotateSecret(tenant: Tenant, clientId: string, requestId: string) {
  // Rotating twice is harmless (the last secret wins and is the one shown), so retry 5xx.
  const rotated = await tenant.run(
    "rotate the credential's secret",
    (c) => c.clients.rotateSecret(clientId),
    { safeToRepeat: true, requestId },
  );
  if (!rotated.client_secret)
    throw new PortalError("upstream_error", "The tenant returned no secret.", { requestId });
  return rotated.client_secret;
}

function reveal(
  tenant: Tenant,
  credential: Credential,
  clientSecret: string,
  apis: readonly { audience: string }[],
): RevealedCredential {
  return {
    ...credential,
    clientSecret,
    tokenUrl: `https://${tenant.domain}/oauth/token`,
    audiences: apis.map((a) => a.audience),
  };
}

/** Reads a credential and checks it is one of this team's (else: not found, whoever asks). */
export async function getTeamCredential(
  ctx: Ctx,
  teamId: string,
  environment: Environment,
  clientId: string,
): Promise<Credential> {
  const { tenant } = offeredEnvironment(ctx.portal, environment);
  const client = await tenant.run(
    "read a credential",
    (c) =>
      c.clients.get(clientId, { fields: "client_id,name,client_metadata", include_fields: true }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
  const credential = toCredential(client, environment);
  if (!credential || credential.teamId !== teamId)
    throw new PortalError("not_found", "No such credential in this team.");
  return credential;
}

export async function rotateCredential(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; clientId: string },
): Promise<RevealedCredential> {
  const credential = await getTeamCredential(ctx, input.teamId, input.environment, input.clientId);
  const { tenant, config } = offeredEnvironment(ctx.portal, input.environment);
  const secret = await rotateSecret(tenant, credential.clientId, ctx.requestId);
  return reveal(tenant, credential, secret, config.apis);
}

export async function revokeCredential(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; clientId: string },
): Promise<Credential> {
  const credential = await getTeamCredential(ctx, input.teamId, input.environment, input.clientId);
  const { tenant } = offeredEnvironment(ctx.portal, input.environment);
  await deleteClientQuietly(tenant, credential.clientId, ctx.requestId, true);
  return credential;
}
