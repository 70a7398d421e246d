/**
 * Key-pair credentials (Private Key JWT, ADR 0800). The browser makes the key pair and sends only
 * the public key; the portal creates the client and registers the key in one `POST /clients`
 * with `client_authentication_methods.private_key_jwt.credentials` (needs only `create:clients`,
 * one of the Astral Backend's 20 scopes), then grants it like any credential.
 *
 * Auth0's rules for that body:
 * - `client_authentication_methods` and `token_endpoint_auth_method` are mutually exclusive, so
 *   the latter is left out (https://auth0.com/docs/api/management/v2/clients/patch-clients-by-id);
 * - `PublicKeyCredential` (SDK `types.d.ts`): `credential_type: "public_key"`, `pem`, `alg` one
 *   of RS256, RS384, PS256 (the portal offers RS256 and PS256, what WebCrypto makes), `expires_at`
 *   ISO 8601 ("If not specified (not recommended), the credential never expires"): always set.
 *
 * Adding a key to an existing client needs `create:client_credentials`, which the Astral Backend
 * does not have, so a key is never rotated in place: "Replace…" creates a new credential that
 * names the old one (`replaces`), and both work until the team revokes the old one.
 *
 * Auth0 keeps a `client_secret` for every client but hides a Private Key JWT client's in its
 * answers, and it cannot authenticate such a client (ADR 0800); should an answer carry one anyway,
 * `createClientOnce` drops it at the call (`withoutSecret`), before anything here holds it.
 */
import {
  CLIENT_KINDS,
  CREDENTIAL_KINDS,
  type CredentialMetadata,
  type Environment,
} from "@astral/contract";
import { PortalError } from "../errors";
import { type Ctx, isAdmin, offeredEnvironment } from "./context";
import { createClientOnce } from "./create-once";
import {
  type ClientLike,
  type Credential,
  checkKindOffered,
  getTeamCredential,
  grantOrUndo,
  listForCreate,
  refuseLookAlikeName,
  toCredential,
  undoOverLimit,
} from "./credentials";
import { credentialLimit } from "./limits";
import { readPublicKey } from "./public-key";
import { findTeam, isCredentialOf } from "./teams";

export type KeyAlg = "RS256" | "PS256";

/** What the browser needs after a create: no secret, only where and how to ask for a token. */
export interface IssuedKeyPair extends Credential {
  tokenUrl: string;
  /** The `aud` of a client assertion: the tenant URL with its trailing slash (Auth0's rule). */
  assertionAudience: string;
  audiences: string[];
}

const DAY_MS = 24 * 3600_000;

export async function createKeyPairCredential(
  ctx: Ctx,
  input: {
    teamId: string;
    environment: Environment;
    name: string;
    idempotencyKey: string;
    publicKeyPem: string;
    alg: KeyAlg;
    replaces?: string | undefined;
    recent?: string[] | undefined;
  },
): Promise<IssuedKeyPair> {
  const { tenant, config } = offeredEnvironment(ctx.portal, input.environment);
  checkKindOffered(config, CREDENTIAL_KINDS.keyPair);
  const { pem } = readPublicKey(input.publicKeyPem);
  if (ctx.actor.teamId !== input.teamId || isAdmin(ctx.actor))
    if (!(await findTeam(ctx, input.teamId)))
      throw new PortalError("not_found", "This team does not exist (any more).");
  // A replacement names a credential of this team, in this environment (consistent read).
  if (input.replaces) await getTeamCredential(ctx, input.teamId, input.environment, input.replaces);

  const key = input.idempotencyKey;
  const now = ctx.portal.now();
  const keyExpiresAt = new Date(now.getTime() + config.keyPairLifetimeDays * DAY_MS).toISOString();
  const metadata: CredentialMetadata = {
    astral: CLIENT_KINDS.credential,
    teamId: input.teamId,
    createdBy: ctx.actor.userId,
    ...(ctx.actor.email ? { createdByEmail: ctx.actor.email.slice(0, 254) } : {}),
    createdAt: now.toISOString(),
    requestId: key,
    kind: CREDENTIAL_KINDS.keyPair,
    keyAlg: input.alg,
    keyExpiresAt,
    ...(input.replaces ? { replaces: input.replaces } : {}),
  };
  const isOurs = (c: ClientLike) =>
    isCredentialOf(c, input.teamId) && c.client_metadata?.requestId === key;

  const limit = credentialLimit(ctx, { ...input, label: config.label, key });
  const { client, foundEarlier } = await createClientOnce(ctx, {
    tenant,
    key,
    what: "create a key-pair credential",
    body: {
      name: input.name,
      description: `Astral key-pair credential of team ${input.teamId}`,
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
      client_metadata: metadata,
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [
            {
              credential_type: "public_key",
              name: input.name,
              pem,
              alg: input.alg,
              expires_at: keyExpiresAt,
            },
          ],
        },
      },
    },
    record: { kind: "credential", teamId: input.teamId },
    isOurs,
    beforeCreate: async (others) =>
      refuseLookAlikeName(input, await listForCreate(ctx, input, limit, others)),
  });
  if (!foundEarlier) await undoOverLimit(ctx, limit, { tenant, key, isOurs }, client);
  const clientId = client.client_id;
  if (!clientId) throw new PortalError("internal", "The new credential came back without an id.");
  await grantOrUndo(ctx, { tenant, apis: config.apis, clientId, foundEarlier, key, isOurs });
  const credential = toCredential(client, input.environment);
  if (!credential) throw new PortalError("internal", "The new credential came back malformed.");
  return {
    ...credential,
    tokenUrl: `https://${tenant.domain}/oauth/token`,
    assertionAudience: `https://${tenant.domain}/`,
    audiences: config.apis.map((a) => a.audience),
  };
}
