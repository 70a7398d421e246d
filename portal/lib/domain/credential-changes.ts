/**
 * Changes to an existing credential (rotate, revoke) and the one-time reveal of a secret.
 */
import { CREDENTIAL_KINDS, type Environment } from "@astral/contract";
import { PortalError } from "../errors";
import { deleteClientIf, readClient } from "../management/clients";
import type { Tenant } from "../management/tenant";
import { type Ctx, offeredEnvironment } from "./context";
import { type Credential, type RevealedCredential, toCredential } from "./credentials";
import { REVEALED_TO_KEY } from "./offboarding";
import { isCredentialOf } from "./teams";

export async function rotateSecret(tenant: Tenant, clientId: string, requestId: string) {
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

export function reveal(
  tenant: Tenant,
  credential: Credential,
  clientSecret: string,
  apis: readonly { audience: string }[],
  activeFrom: Date,
): RevealedCredential {
  return {
    ...credential,
    clientSecret,
    tokenUrl: `https://${tenant.domain}/oauth/token`,
    audiences: apis.map((a) => a.audience),
    activeFrom: activeFrom.toISOString(),
  };
}

/**
 * Reads a credential and checks it is one of this team's (else: not found, whoever asks). From
 * the read cache even in a server action (MAY_BE_OLD): what is checked never changes (a
 * credential's team and kind are written at its create, and an id never comes back), the right
 * to change it is the actor's membership, read as the tenant has it, and one revoked since is
 * answered 404 by the change itself.
 */
export async function getTeamCredential(
  ctx: Ctx,
  teamId: string,
  environment: Environment,
  clientId: string,
): Promise<Credential> {
  const { tenant } = offeredEnvironment(ctx.portal, environment);
  const client = await readClient(tenant, clientId, ctx.requestId, { mayBeOld: true });
  const credential = client && toCredential(client, environment);
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
  if (credential.kind === CREDENTIAL_KINDS.keyPair)
    throw new PortalError(
      "invalid_input",
      "A key pair has no secret to rotate: replace it with a new key pair (Replace…), then revoke this one.",
    );
  // Who will hold the working secret, recorded before it is issued (offboarding.ts).
  await tenant.run(
    "record who sees the new secret",
    (c) =>
      c.clients.update(credential.clientId, {
        client_metadata: { [REVEALED_TO_KEY]: ctx.actor.userId },
      }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
  const secret = await rotateSecret(tenant, credential.clientId, ctx.requestId);
  // Auth0: "New secrets may be delayed up to thirty seconds while rotating."
  const activeFrom = new Date(ctx.portal.now().getTime() + ctx.portal.rotationDelayMs);
  return reveal(tenant, credential, secret, config.apis, activeFrom);
}

export async function revokeCredential(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; clientId: string },
): Promise<Credential> {
  const credential = await getTeamCredential(ctx, input.teamId, input.environment, input.clientId);
  const { tenant } = offeredEnvironment(ctx.portal, input.environment);
  // Only this team's credential is ever deleted (its team never changes: the read above's
  // answer serves, from the read cache).
  const outcome = await deleteClientIf(
    tenant,
    credential.clientId,
    (c) => isCredentialOf(c, input.teamId),
    ctx.requestId,
    { mayBeOld: true },
  );
  if (outcome === "not-ours")
    throw new PortalError("not_found", "No such credential in this team.");
  return credential;
}
