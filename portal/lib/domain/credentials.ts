/**
 * API credentials: a `non_interactive` client in an environment's tenant, marked
 * `astral: "credential"` with its team, plus one client grant per configured API audience.
 *
 * Create is idempotent without a search (create-once.ts, ADR 0600): a retried create (after a
 * lost response, a 5xx or a double submit) finds what it made instead of making a second one. If
 * a grant cannot be created, the client is re-read and deleted again: nothing half-made stays.
 * Lists come from `/clients/search`, which lags writes: the viewer's own recent creates and
 * revokes are corrected by consistent re-reads (`recent`).
 */

import {
  CLIENT_KINDS,
  CREDENTIAL_KINDS,
  type CredentialKind,
  CredentialMetadata,
  type Environment,
} from "@astral/contract";
import type { Management } from "auth0";
import { PAGE_TAKE } from "../action-schemas";
import type { EnvironmentConfig } from "../config/schema";
import { PortalError } from "../errors";
import { readClient } from "../management/clients";
import { searchClients } from "../management/clients-search";
import { clientTerms } from "../management/queries";
import type { Tenant } from "../management/tenant";
import { lookAlikeOf } from "../names";
import { type Ctx, offeredEnvironment } from "./context";
import { type CreateOnce, createClientOnce, type OwnCreate, undoCreate } from "./create-once";
import { reveal, rotateSecret } from "./credential-changes";
import { grantOrUndo } from "./credential-grants";
import { readTeamRecord } from "./invite-epoch";
import { credentialLimit, oneAtATime } from "./limits";
import { MAX_RECENT } from "./members";
import { CREATE_CHECK_VALID_MS } from "./team-deletion";
import { type CursorPage, isCredentialOf } from "./teams";

export interface Credential {
  clientId: string;
  name: string;
  environment: Environment;
  teamId: string;
  createdBy: string;
  createdByEmail?: string | undefined;
  createdAt: string;
  /** How the client authenticates: a secret, or a key pair (Private Key JWT, key-pairs.ts). */
  kind: CredentialKind;
  /** Key pairs: the signing algorithm and when the key stops working (ISO 8601). */
  keyAlg?: "RS256" | "PS256" | undefined;
  keyExpiresAt?: string | undefined;
  /** Key pairs: the credential this one replaces (both work until that one is revoked). */
  replaces?: string | undefined;
}

/** Returned once, by create and rotate, and never stored or logged. */
export interface RevealedCredential extends Credential {
  clientSecret: string;
  tokenUrl: string;
  audiences: string[];
  /** From when the secret is sure to work (ISO 8601): a rotated one may take up to 30 s. */
  activeFrom: string;
}

export interface ClientLike {
  client_id?: string | undefined;
  name?: string | undefined;
  client_metadata?: Record<string, unknown> | null | undefined;
}

export function toCredential(client: ClientLike, environment: Environment): Credential | undefined {
  const meta = CredentialMetadata.safeParse(client.client_metadata ?? {});
  if (!meta.success || !client.client_id) return undefined;
  return {
    clientId: client.client_id,
    name: client.name ?? client.client_id,
    environment,
    teamId: meta.data.teamId,
    createdBy: meta.data.createdBy,
    createdByEmail: meta.data.createdByEmail,
    createdAt: meta.data.createdAt,
    kind: meta.data.kind ?? CREDENTIAL_KINDS.clientSecret,
    keyAlg: meta.data.keyAlg,
    keyExpiresAt: meta.data.keyExpiresAt,
    replaces: meta.data.replaces,
  };
}

/** Refuses a kind of credential the environment does not offer (`credentialKinds`). */
export function checkKindOffered(config: EnvironmentConfig, kind: CredentialKind): void {
  if (!config.credentialKinds.includes(kind))
    throw new PortalError(
      "invalid_input",
      `${config.label} does not offer ${kind === CREDENTIAL_KINDS.keyPair ? "key pairs" : "client secrets"} (portal.config.js credentialKinds).`,
    );
}

/**
 * One page of a team's credentials, by cursor. The first page re-reads the ids the viewer just
 * created or revoked (`recent`, at most MAX_RECENT) with GET /clients/{id}: a created one shows
 * even before the index has it, a revoked one is hidden even while the index still lists it.
 * `mayBeOld`: those re-reads may come from the read cache inside a server action too (see
 * `listForCreate`).
 */
export async function listCredentials(
  ctx: Ctx,
  teamId: string,
  environment: Environment,
  {
    take,
    from,
    recent = [],
    mayBeOld = false,
  }: { take: number; from?: string | undefined; recent?: string[]; mayBeOld?: boolean },
): Promise<CursorPage<Credential>> {
  const { tenant } = offeredEnvironment(ctx.portal, environment);
  const page = await searchClients(tenant, clientTerms.teamCredentials(teamId), {
    take,
    from,
    requestId: ctx.requestId,
  });
  let items = page.clients
    .map((c) => toCredential(c, environment))
    .filter((c): c is Credential => Boolean(c && c.teamId === teamId));
  if (!from) {
    const ids = [...new Set(recent)].slice(0, MAX_RECENT);
    const reread = await Promise.all(
      ids.map((id) => readClient(tenant, id, ctx.requestId, { mayBeOld })),
    );
    ids.forEach((id, i) => {
      const client = reread[i];
      const current = client && isCredentialOf(client, teamId) && toCredential(client, environment);
      items = items.filter((c) => c.clientId !== id);
      if (current) items.unshift(current);
    });
  }
  return { items, next: page.next };
}

export async function createCredential(
  ctx: Ctx,
  input: CredentialCreateInput,
): Promise<RevealedCredential> {
  const { tenant, config, client } = await createCredentialClient(ctx, input, {
    kind: CREDENTIAL_KINDS.clientSecret,
    what: "create a credential",
    description: `Astral credential of team ${input.teamId}`,
    fields: { token_endpoint_auth_method: "client_secret_post" },
    revealSecret: true,
  });
  let secret = client.client_secret;
  const clientId = client.client_id;

  // A found earlier attempt does not carry its secret (reads omit it): issue a fresh one, which
  // like any rotated secret may take a moment to work.
  let activeFrom = ctx.portal.now();
  if (!secret) {
    secret = await rotateSecret(tenant, clientId, ctx.requestId);
    activeFrom = new Date(activeFrom.getTime() + ctx.portal.rotationDelayMs);
  }
  const credential = toCredential(client, input.environment);
  if (!credential) throw new PortalError("internal", "The new credential came back malformed.");
  return reveal(tenant, credential, secret, config.apis, activeFrom);
}

/** What a credential create is given, whatever its kind. */
export interface CredentialCreateInput {
  teamId: string;
  environment: Environment;
  name: string;
  idempotencyKey: string;
  /** Ids the browser just created or revoked here: re-read for the limit (read-your-writes). */
  recent?: string[] | undefined;
}

/**
 * What every credential create shares, whatever its kind: the kind is offered and the team
 * exists; one idempotent `POST /clients` (create-once.ts) under the team's limit and the
 * look-alike-name rule; undone if the user's parallel creates took the room; then granted the
 * environment's APIs, or undone. The kind brings its own client fields and metadata.
 */
export async function createCredentialClient(
  ctx: Ctx,
  input: CredentialCreateInput,
  spec: {
    kind: CredentialKind;
    what: string;
    description: string;
    /** The kind's own client fields (how the client authenticates). */
    fields: Record<string, unknown>;
    /** The kind's own metadata, beside team, creator, time and request id. */
    metadata?: Partial<CredentialMetadata>;
    revealSecret?: boolean;
  },
): Promise<{
  tenant: Tenant;
  config: EnvironmentConfig;
  client: Management.Client & { client_id: string };
}> {
  const { tenant, config } = offeredEnvironment(ctx.portal, input.environment);
  checkKindOffered(config, spec.kind);
  // Members too: the team may have been marked for deletion since the actor was read. From the
  // read cache (a record at most recordMaxAgeMs old): a deletion's last pass waits until a
  // client made on a check that missed its mark is in the index (team-deletion.ts).
  const checkedAt = ctx.portal.now().getTime();
  await refuseGoneTeam(ctx, input.teamId, { fresh: false });
  const key = input.idempotencyKey;
  const metadata: CredentialMetadata = {
    astral: CLIENT_KINDS.credential,
    teamId: input.teamId,
    createdBy: ctx.actor.userId,
    ...(ctx.actor.email ? { createdByEmail: ctx.actor.email.slice(0, 254) } : {}),
    createdAt: ctx.portal.now().toISOString(),
    requestId: key,
    ...spec.metadata,
  };
  const isOurs = (c: ClientLike) =>
    isCredentialOf(c, input.teamId) && c.client_metadata?.requestId === key;

  const limit = credentialLimit(ctx, { ...input, label: config.label, key });
  // One at a time per user, team and environment in this process (limits.ts).
  const { client, foundEarlier } = await oneAtATime(ctx, input, () =>
    createClientOnce(ctx, {
      tenant,
      key,
      what: spec.what,
      body: {
        name: input.name,
        description: spec.description,
        app_type: "non_interactive",
        grant_types: ["client_credentials"],
        client_metadata: metadata,
        ...spec.fields,
      },
      record: { kind: "credential", teamId: input.teamId },
      isOurs,
      ...(spec.revealSecret ? { revealSecret: true } : {}),
      beforeCreate: async (others) =>
        refuseLookAlikeName(input, await listForCreate(ctx, input, limit, others)),
    }).then(async (made) => {
      if (!made.foundEarlier) await undoOverLimit(ctx, limit, { tenant, key, isOurs }, made);
      return made;
    }),
  );
  const clientId = client.client_id;
  if (!clientId) throw new PortalError("internal", "The new credential came back without an id.");
  // An admin may have marked the team for deletion since the check above. Its last pass waits
  // CREATE_CHECK_VALID_MS past a cached check's age (team-deletion.ts), so a client made that
  // soon after the check is in the index by then and drained. A slower create, or a client an
  // earlier attempt made, reads the team as the tenant has it, and undoes itself if it is gone
  // (no credential outlives its team; ADR 0700).
  const slow = ctx.portal.now().getTime() - checkedAt > CREATE_CHECK_VALID_MS;
  if (foundEarlier || slow)
    try {
      await refuseGoneTeam(ctx, input.teamId);
    } catch (error) {
      await undoCreate(ctx, { tenant, key, isOurs }, clientId);
      throw error;
    }
  await grantOrUndo(ctx, { tenant, apis: config.apis, clientId, foundEarlier, key, isOurs });
  return { tenant, config, client: { ...client, client_id: clientId } };
}

/** Refuses a team whose record is gone or marked for deletion (GET /clients/{id}, consistent). */
async function refuseGoneTeam(
  ctx: Ctx,
  teamId: string,
  options: { fresh?: boolean } = {},
): Promise<void> {
  if (!(await readTeamRecord(ctx, teamId, options)))
    throw new PortalError("not_found", "This team does not exist (any more).");
}

/**
 * Before a new credential: the team's credentials in this environment, as the list shows them
 * (search, and the user's own recent creates re-read by id), refused over the limit. The re-reads
 * may come from the read cache: a kept record of a credential revoked elsewhere meanwhile counts
 * it once too often and keeps its name taken, so at worst the create is refused early; the
 * recheck after the create (`undoOverLimit`) counts the user's creates as its write answered them.
 */
export async function listForCreate(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; recent?: string[] | undefined },
  limit: ReturnType<typeof credentialLimit>,
  others: OwnCreate[],
): Promise<Credential[]> {
  const recent = [...new Set([...limit.recent(others), ...(input.recent ?? [])])].slice(
    0,
    MAX_RECENT,
  );
  // The page's own first page (from the read cache) when it holds every credential; else 100.
  const page = (take: number) =>
    listCredentials(ctx, input.teamId, input.environment, { take, recent, mayBeOld: true });
  const first = await page(PAGE_TAKE);
  const listed = first.next ? await page(100) : first;
  await limit.check(
    listed.items.map((c) => c.clientId),
    others,
  );
  return listed.items;
}

/** After a new create: undone (verified delete) if the user's concurrent creates took the room. */
export async function undoOverLimit(
  ctx: Ctx,
  limit: ReturnType<typeof credentialLimit>,
  spec: Pick<CreateOnce, "tenant" | "key" | "isOurs">,
  {
    client,
    othersAtRecord,
  }: { client: { client_id?: string | undefined }; othersAtRecord?: OwnCreate[] },
): Promise<void> {
  if (!client.client_id) return;
  const refusal = await limit.recheck(client.client_id, othersAtRecord);
  if (!refusal) return;
  if (!(await undoCreate(ctx, spec, client.client_id)))
    refusal.message += ` The credential ${client.client_id} made meanwhile could not be removed; revoke it.`;
  throw refusal;
}

/**
 * A name that looks like another credential's of the same team and environment but is not the
 * same text is refused (lib/names.ts), whatever the kind: secrets and key pairs share one list.
 * Runs as `beforeCreate` of every credential create (here and key-pairs.ts). The others come from a search, which lags writes: a
 * credential created moments ago in another tab may not be compared yet
 * (docs/decisions/0700-access-taken-back.md).
 */
export function refuseLookAlikeName(input: { name: string }, others: Credential[]) {
  const other = lookAlikeOf(
    input.name,
    others.map((c) => c.name),
  );
  if (other)
    throw new PortalError(
      "invalid_input",
      `name: "${input.name}" looks like the team's credential "${other}"; choose a name that cannot be mistaken for it.`,
    );
}
