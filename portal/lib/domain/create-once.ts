/**
 * Creates a client at most once per idempotency key, without searching in the normal path
 * (ADR 0600). Client searches lag writes, so "search for the key first" cannot see a create made
 * a moment ago. Instead the key is recorded where a read is consistent: the acting user's
 * `app_metadata`, one top-level key per create (`astral_create_<key>`), read with
 * `GET /users/{id}` and written with `PATCH /users/{id}` (Auth0 merges top-level keys, so
 * concurrent creates with other keys never overwrite each other):
 *
 *   1. read the user: a record `{ env, at, clientId }` means the create happened: re-read that
 *      client by id and hand it back (double submit, or a retry after a lost response);
 *   2. otherwise write `{ env, at }` (pending), POST /clients, then write the client id;
 *   3. a pending record without a client id means an earlier attempt may have created the client
 *      and lost the answer: only then is the search index asked (`metadata.requestId`), each hit
 *      re-read by id; while the index may still be behind (`searchLagMs` after the attempt) the
 *      user is asked to retry shortly rather than risking a duplicate.
 *
 * Records older than a day are removed on the next create of that user. A record also says what
 * the create made (`kind`, a credential's `teamId`, `joins` for a team create that made the user
 * its member): the user's own creates, read consistently, are what the limits count (limits.ts)
 * and what cleans up after parallel team creates (teams.ts `settleTeamCreates`, ADR 0700).
 */
import type { Environment } from "@astral/contract";
import type { Management } from "auth0";
import { PortalError } from "../errors";
import { deleteClientIf, readClient, withoutSecret } from "../management/clients";
import { searchClients } from "../management/clients-search";
import { readsAreConsistent } from "../management/read-cache";
import type { Tenant } from "../management/tenant";
import { type Ctx, homeTenant } from "./context";
import { refuseFullTenant } from "./tenant-room";
import { patchAppMetadata, readUser } from "./users";

export const RECORD_PREFIX = "astral_create_";
export const RECORD_TTL_MS = 24 * 3600_000;

/** What a create made, so that limits and clean-ups can find a user's creates (limits.ts). */
export type CreateKind = "team" | "credential";

export interface CreateRecord {
  env: Environment;
  /** Epoch ms of the attempt that wrote the record. */
  at: number;
  clientId?: string;
  kind?: CreateKind;
  /** A credential's team. */
  teamId?: string;
  /** A team create that made the acting user a member of the new team (createTeam, join). */
  joins?: true;
}

/** One of the acting user's create records, named by its idempotency key. */
export interface OwnCreate extends CreateRecord {
  key: string;
}

function parseRecord(value: unknown): CreateRecord | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { env, at, clientId, kind, teamId, joins } = value as Record<string, unknown>;
  if ((env !== "production" && env !== "sandbox") || typeof at !== "number") return undefined;
  return {
    env,
    at,
    ...(typeof clientId === "string" ? { clientId } : {}),
    ...(kind === "team" || kind === "credential" ? { kind } : {}),
    ...(typeof teamId === "string" ? { teamId } : {}),
    ...(joins === true ? { joins } : {}),
  };
}

/** The create records in a user's app_metadata (consistent when read with GET /users/{id}). */
export function ownCreates(appMetadata: Record<string, unknown> | null | undefined): OwnCreate[] {
  return Object.entries(appMetadata ?? {}).flatMap(([field, value]) => {
    const record = field.startsWith(RECORD_PREFIX) ? parseRecord(value) : undefined;
    return record ? [{ ...record, key: field.slice(RECORD_PREFIX.length) }] : [];
  });
}

/** The acting user's create records, read now (GET /users/{id}), and their current team. */
export async function readOwnCreates(
  ctx: Ctx,
): Promise<{ creates: OwnCreate[]; teamId: string | undefined }> {
  const user = await readUser(homeTenant(ctx.portal), ctx.actor.userId, ctx.requestId, {
    fresh: true,
  });
  const metadata = (user.app_metadata ?? {}) as Record<string, unknown>;
  return {
    creates: ownCreates(metadata),
    teamId: typeof metadata.teamId === "string" ? metadata.teamId : undefined,
  };
}

export interface CreateOnce {
  tenant: Tenant;
  key: string;
  body: Management.CreateClientRequestContent;
  /** What to do, in words, for error messages. */
  what: string;
  /** Whether a found client is the one this key made (kind, team, requestId…). */
  isOurs: (client: Management.Client) => boolean;
  /** What the record says about the create, besides its environment and time. */
  record: Pick<CreateRecord, "kind" | "teamId" | "joins">;
  /**
   * Extra app_metadata written in the same PATCH as the client id once the client exists (e.g.
   * joining a team: one PATCH, so whoever reads the record also reads the membership it made).
   * If that PATCH fails the new client is deleted again (verified) and the key forgotten.
   */
  alsoRecord?: (client: Management.Client) => Record<string, unknown>;
  /**
   * Checks run only for a new create (not a retry that finds it), e.g. look-alike names, limits;
   * given the user's other create records (just read, consistent).
   */
  beforeCreate?: (others: OwnCreate[]) => Promise<void>;
  /**
   * Hand on the answer's `client_secret` (a client-secret credential, shown once). Otherwise it
   * is dropped at the call, before anything else holds the answer (`withoutSecret`).
   */
  revealSecret?: boolean;
}

export async function createClientOnce(
  ctx: Ctx,
  spec: CreateOnce,
): Promise<{
  client: Management.Client;
  foundEarlier: boolean;
  /**
   * A new create's: the user's other create records as the write of its client id answered
   * them (the record right after that write), unless that write failed.
   */
  othersAtRecord?: OwnCreate[];
}> {
  const home = homeTenant(ctx.portal);
  const userId = ctx.actor.userId;
  const field = `${RECORD_PREFIX}${spec.key}`;
  const now = ctx.portal.now().getTime();
  // As the tenant has it: in a server action, the action's own read of the user (the actor
  // lookup's, unless this process wrote the user since: read-markers.ts); elsewhere, fresh.
  const user = await readUser(home, userId, ctx.requestId, { fresh: !readsAreConsistent() });
  const metadata = (user.app_metadata ?? {}) as Record<string, unknown>;
  const record = parseRecord(metadata[field]);
  const usedElsewhere = () =>
    new PortalError("conflict", "This request id was already used; reload the page.", {
      requestId: ctx.requestId,
    });

  if (record) {
    if (record.env !== spec.tenant.environment) throw usedElsewhere();
    const earlier = record.clientId
      ? await readClient(spec.tenant, record.clientId, ctx.requestId)
      : await findLostCreate(ctx, spec, record, now);
    if (earlier) {
      if (!spec.isOurs(earlier)) throw usedElsewhere();
      if (!record.clientId) await writeRecord(ctx, field, spec, record, earlier);
      return { client: earlier, foundEarlier: true };
    }
    // A recorded client that is gone was revoked or cleaned up: this key is spent.
    if (record.clientId) throw usedElsewhere();
  }

  await spec.beforeCreate?.(ownCreates(metadata).filter((c) => c.key !== spec.key));
  // The whole tenant's cap, for every new client (tenant-room.ts).
  await refuseFullTenant(ctx, spec.tenant);
  // Pending record first (and drop day-old ones), so that a lost answer can be recovered.
  const stale = Object.entries(metadata)
    .filter(
      ([k, v]) => k.startsWith(RECORD_PREFIX) && (parseRecord(v)?.at ?? 0) < now - RECORD_TTL_MS,
    )
    .map(([k]) => [k, null] as const);
  const pending: CreateRecord = { env: spec.tenant.environment, at: now, ...spec.record };
  await patchAppMetadata(
    home,
    userId,
    { ...Object.fromEntries(stale), [field]: pending },
    ctx.requestId,
  );
  // POST /clients is never repeated blindly (a lost answer may hide a client that exists): a
  // failure here leaves the pending record, and the user's retry resolves it (step 3 above).
  let client: Management.Client;
  try {
    client = await spec.tenant.run(
      spec.what,
      async (c) => {
        const made = await c.clients.create(spec.body);
        return spec.revealSecret ? made : withoutSecret(made);
      },
      { safeToRepeat: false, requestId: ctx.requestId },
    );
  } catch (error) {
    // The tenant may have acted at any moment until now (429 waits, slow answers): the index
    // lag counts from here. Best effort; if this fails too, the record keeps the earlier time.
    await patchAppMetadata(
      home,
      userId,
      { [field]: { ...pending, at: ctx.portal.now().getTime() } },
      ctx.requestId,
    ).catch(() => undefined);
    throw error;
  }
  const recorded = await writeRecord(ctx, field, spec, pending, client);
  return {
    client,
    foundEarlier: false,
    ...(recorded ? { othersAtRecord: ownCreates(recorded).filter((c) => c.key !== spec.key) } : {}),
  };
}

/**
 * Undoes a new client whose result could not be recorded or was refused after the fact (e.g. a
 * limit re-checked after the create): deleted only after a re-read confirms it is ours, and the
 * key forgotten so that a retry starts afresh. Returns whether it is gone.
 */
export async function undoCreate(
  ctx: Ctx,
  spec: Pick<CreateOnce, "tenant" | "key" | "isOurs">,
  clientId: string,
): Promise<boolean> {
  const outcome = await deleteClientIf(spec.tenant, clientId, spec.isOurs, ctx.requestId).catch(
    () => undefined,
  );
  const gone = outcome === "deleted" || outcome === "gone";
  if (gone) await forgetCreate(ctx, spec.key).catch(() => undefined);
  return gone;
}

/**
 * Forgets a key whose client was deleted again (a half-made create cleaned up), so that the
 * user's retry creates afresh instead of being told the key is spent.
 */
export async function forgetCreate(ctx: Ctx, key: string): Promise<void> {
  await patchAppMetadata(
    homeTenant(ctx.portal),
    ctx.actor.userId,
    { [`${RECORD_PREFIX}${key}`]: null },
    ctx.requestId,
  );
}

/** Step 3: an attempt whose answer was lost. The index is asked, each hit re-read by id. */
async function findLostCreate(
  ctx: Ctx,
  spec: CreateOnce,
  record: CreateRecord,
  now: number,
): Promise<Management.Client | undefined> {
  const hits = await searchClients(spec.tenant, [{ key: "requestId", values: [spec.key] }], {
    take: 5,
    requestId: ctx.requestId,
    fresh: true,
  });
  for (const hit of hits.clients) {
    const client = await readClient(spec.tenant, hit.client_id, ctx.requestId);
    if (client?.client_metadata?.requestId === spec.key) return client;
  }
  if (now - record.at < ctx.portal.searchLagMs)
    throw new PortalError(
      "retry_later",
      `An earlier attempt of this create may have reached the ${spec.tenant.environment} tenant without an answer; Auth0's search needs a moment to show it. Try again in ${Math.ceil((record.at + ctx.portal.searchLagMs - now) / 1000)} s.`,
      { requestId: ctx.requestId },
    );
  return undefined; // the index has caught up and holds nothing: the attempt never created one
}

/**
 * Records the created client id and returns the user's app_metadata as the write answered it.
 * Best effort: if it fails the record stays pending, which a retry resolves through step 3; the
 * create itself did succeed.
 */
async function writeRecord(
  ctx: Ctx,
  field: string,
  spec: CreateOnce,
  record: CreateRecord,
  client: Management.Client,
): Promise<Record<string, unknown> | undefined> {
  if (!client.client_id) return undefined;
  try {
    return await patchAppMetadata(
      homeTenant(ctx.portal),
      ctx.actor.userId,
      // The time the client is known to exist: limits.ts counts the search lag from here (a
      // create slowed by rate limits may finish long after its pending record was written).
      {
        [field]: { ...record, at: ctx.portal.now().getTime(), clientId: client.client_id },
        ...spec.alsoRecord?.(client),
      },
      ctx.requestId,
    );
  } catch (error) {
    if (!spec.alsoRecord) return undefined;
    // E.g. joining the team is part of the result: without it the client is an orphan.
    if (!(await undoCreate(ctx, spec, client.client_id)) && error instanceof PortalError)
      error.message += ` The new record ${client.client_id} could not be removed; retrying finishes it.`;
    throw error;
  }
}
