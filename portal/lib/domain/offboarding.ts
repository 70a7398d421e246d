/**
 * Offboarding: which of a team's credentials a member who leaves still holds the working
 * secret or private key of, and rotating those in one step (ADR 0700).
 *
 * Rotating replaces a client's secret (the old one stops working), so of everyone who ever saw
 * a secret only the last to see it holds a working one: the creator until the first rotation,
 * then whoever rotated last. Each credential records that person in `client_metadata.revealedTo`
 * (written on rotate, before the new secret is issued; absent: the creator). A key pair's
 * private key never reaches the portal: its creator holds it, and only a replacement ends it.
 * The audit log says the same, but it is write-only (stdout, CloudWatch); the record is read
 * where the decision is made, with the credentials it is about.
 */
import { CREDENTIAL_KINDS, type Environment } from "@astral/contract";
import { searchClients } from "../management/clients-search";
import { clientTerms } from "../management/queries";
import { type Ctx, offeredEnvironments } from "./context";
import { rotateCredential } from "./credential-changes";
import { type Credential, type RevealedCredential, toCredential } from "./credentials";

export const REVEALED_TO_KEY = "revealedTo";

export interface HeldCredential extends Credential {
  /** "secret": rotate it; "private key": replace it (a key pair cannot be rotated). */
  holds: "secret" | "private key";
}

/** Who holds the working secret of a credential's client (see above). */
export function secretHolder(metadata: Record<string, unknown> | null | undefined) {
  const revealedTo = metadata?.[REVEALED_TO_KEY];
  return typeof revealedTo === "string" ? revealedTo : metadata?.createdBy;
}

/**
 * The team's credentials, in every environment, whose working secret or private key `userId`
 * holds. From the client search (one page of 100 per environment, the most a team holds): a
 * credential made within the search lag may be missing; the member's own recent ones show on
 * their next list.
 */
export async function credentialsHeldBy(
  ctx: Ctx,
  teamId: string,
  userId: string,
): Promise<HeldCredential[]> {
  const perEnvironment = await Promise.all(
    offeredEnvironments(ctx.portal).map(async ({ id }) => {
      const tenant = ctx.portal.tenants[id];
      if (!tenant) return [];
      const page = await searchClients(tenant, clientTerms.teamCredentials(teamId), {
        take: 100,
        requestId: ctx.requestId,
        // What a removed member holds: an answer the cache kept could miss one made since.
        fresh: true,
      });
      return page.clients.flatMap((client) => {
        const credential = toCredential(client, id);
        if (!credential || credential.teamId !== teamId) return [];
        const keyPair = credential.kind === CREDENTIAL_KINDS.keyPair;
        const holder = keyPair ? credential.createdBy : secretHolder(client.client_metadata);
        return holder === userId
          ? [{ ...credential, holds: keyPair ? ("private key" as const) : ("secret" as const) }]
          : [];
      });
    }),
  );
  return perEnvironment.flat();
}

/** Rotates these credentials' secrets, one after the other; each new secret shown once. */
export async function rotateCredentials(
  ctx: Ctx,
  input: { teamId: string; credentials: { environment: Environment; clientId: string }[] },
): Promise<RevealedCredential[]> {
  const rotated: RevealedCredential[] = [];
  for (const c of input.credentials)
    rotated.push(await rotateCredential(ctx, { teamId: input.teamId, ...c }));
  return rotated;
}
