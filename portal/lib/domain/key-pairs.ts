/**
 * Key-pair credentials (Private Key JWT, ADR 0800). The browser makes the key pair and sends only
 * the public key; the portal creates the client and registers the key in one `POST /clients`
 * with `client_authentication_methods.private_key_jwt.credentials`, then grants it like any
 * credential. That body needs `create:clients` and `create:client_credentials` (the grant has the
 * latter only where key pairs are offered: `backendScopes` in the contract) and an Enterprise
 * tenant (Auth0 refuses Private Key JWT elsewhere with 403 `insufficient_entitlement`).
 *
 * Auth0's rules for that body:
 * - `client_authentication_methods` and `token_endpoint_auth_method` are mutually exclusive, so
 *   the latter is left out (https://auth0.com/docs/api/management/v2/clients/patch-clients-by-id);
 * - `PublicKeyCredential` (SDK `types.d.ts`): `credential_type: "public_key"`, `pem`, `alg` one
 *   of RS256, RS384, PS256 (the portal offers RS256 and PS256, what WebCrypto makes), `expires_at`
 *   ISO 8601 ("If not specified (not recommended), the credential never expires"): always set;
 * - `jwt_configuration.alg` must be RS256 (SDK `Client.d.ts`: "To configure
 *   `client_authentication_methods`, the property `jwt_configuration.alg` must be set to RS256"),
 *   and Auth0 sets no `alg` on a client made through the API unless it is sent: always sent.
 *
 * A key is never rotated in place (that would read and change the client's credentials, more
 * scopes for the Astral Backend): "Replace…" creates a new credential that
 * names the old one (`replaces`), and both work until the team revokes the old one.
 *
 * Auth0 keeps a `client_secret` for every client but hides a Private Key JWT client's in its
 * answers, and it cannot authenticate such a client (ADR 0800); should an answer carry one anyway,
 * `createClientOnce` drops it at the call (`withoutSecret`), before anything here holds it.
 */
import { CREDENTIAL_KINDS } from "@astral/contract";
import { PortalError } from "../errors";
import { type Ctx, offeredEnvironment } from "./context";
import { getTeamCredential } from "./credential-changes";
import {
  type Credential,
  type CredentialCreateInput,
  createCredentialClient,
  toCredential,
} from "./credentials";
import { readPublicKey } from "./public-key";

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
  input: CredentialCreateInput & {
    publicKeyPem: string;
    alg: KeyAlg;
    replaces?: string | undefined;
  },
): Promise<IssuedKeyPair> {
  const { pem } = readPublicKey(input.publicKeyPem);
  // A replacement names a credential of this team, in this environment (consistent read).
  if (input.replaces) await getTeamCredential(ctx, input.teamId, input.environment, input.replaces);
  const lifetimeDays = offeredEnvironment(ctx.portal, input.environment).config.keyPairLifetimeDays;
  const keyExpiresAt = new Date(ctx.portal.now().getTime() + lifetimeDays * DAY_MS).toISOString();
  const { tenant, config, client } = await createCredentialClient(ctx, input, {
    kind: CREDENTIAL_KINDS.keyPair,
    what: "create a key-pair credential",
    description: `Astral key-pair credential of team ${input.teamId}`,
    fields: {
      // Auth0 sets no alg unless sent, and Private Key JWT needs RS256 (SDK notes on POST /clients).
      jwt_configuration: { alg: "RS256" },
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
    metadata: {
      kind: CREDENTIAL_KINDS.keyPair,
      keyAlg: input.alg,
      keyExpiresAt,
      ...(input.replaces ? { replaces: input.replaces } : {}),
    },
  });
  const credential = toCredential(client, input.environment);
  if (!credential) throw new PortalError("internal", "The new credential came back malformed.");
  return {
    ...credential,
    tokenUrl: `https://${tenant.domain}/oauth/token`,
    assertionAudience: `https://${tenant.domain}/`,
    audiences: config.apis.map((a) => a.audience),
  };
}
