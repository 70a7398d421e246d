/**
 * Limits on what one team or one user may create (portal.config.js `limits`, ADR 0700): every
 * team and every credential is an Auth0 client, and a tenant holds a limited number of them.
 *
 * Counting has to hold under the search index's lag, and Auth0 offers no compare-and-set. The
 * counts therefore join two sources: the search (everything recorded more than `searchLagMs`
 * ago) and the acting user's own create records (create-once.ts), read with GET /users/{id},
 * which is consistent, however long ago the create started and whether or not it is still in
 * flight. After a new create the records are read again (the answer of the write that records
 * its client id) and a create that finds itself over the limit undoes itself (verified delete):
 * of a user's concurrent creates that stay, the one that records its client id last sees all the
 * others, so one user never takes a team past its limit, whatever the timing. What no
 * consistent read shows is another member's create of the list's age plus `searchLagMs`:
 * members creating at about the same time can each fill the remaining room once (ADR 0700).
 *
 * Team creates are counted from the user's create records of the last 24 h alone; parallel
 * joining creates leave one team (teams.ts `settleTeamCreates`), and portal admins are exempt.
 */
import type { Environment } from "@astral/contract";
import { PortalError } from "../errors";
import { readClient } from "../management/clients";
import { type Ctx, offeredEnvironment } from "./context";
import { type OwnCreate, RECORD_TTL_MS, readOwnCreates } from "./create-once";
import { isCredentialOf } from "./teams";

const limitsOf = (ctx: Ctx) => ctx.portal.config().limits;

/**
 * How long a create may stay in flight (pending record, no client id yet) and still be counted:
 * beyond it the attempt is taken as failed (its answer lost; the user's retry resolves it,
 * create-once.ts). A create is a few Management calls, each with a 15 s timeout and at most 4
 * attempts with waits of up to 10 s (lib/management), so one that is still running after this
 * is far outside what rate limits cause. The bound is stated in ADR 0700.
 */
export const IN_FLIGHT_MS = 5 * 60_000;

/**
 * Whether an own create still in flight (record without a client id) counts against one that
 * re-checks after its own create (`after` = its key; before a create every one counts). A create
 * writes its client id before it re-checks, so of the creates that stay, the one that re-checks
 * last finds all the others done and counts them: the limit holds. One in flight at that moment
 * re-checks later and counts this one; counting it only when its key sorts first keeps two
 * creates that see each other in flight from both undoing themselves.
 */
function inFlightBefore(create: OwnCreate, after: string | undefined): boolean {
  return after === undefined || create.key < after;
}

/**
 * The team's credentials in this environment: those the search listed (`listed`, a list at least
 * as new as `asOf`), plus the user's own creates it may not list, from their record (consistent).
 * An own create recorded (client id written) less than `searchLagMs` before `asOf` is re-read by
 * id and counts if it still exists; one recorded earlier the list holds if it exists (the
 * record's time is written with the client id, after the client exists). One still in flight
 * counts for IN_FLIGHT_MS, if its key sorts before `after` (see `inFlightBefore`).
 *
 * The re-reads may come from the read cache: a kept record of a credential gone by now counts it
 * once too often, refusing early at worst (an id never comes back, so a kept "gone" is never
 * wrong). Every count here can only be too high for the user's own creates.
 */
async function countCredentials(
  ctx: Ctx,
  input: { teamId: string; environment: Environment },
  listed: { ids: ReadonlySet<string>; asOf: number },
  own: OwnCreate[],
  after?: string,
): Promise<number> {
  const { tenant } = offeredEnvironment(ctx.portal, input.environment);
  const mine = own.filter(
    (c) => c.kind === "credential" && c.env === input.environment && c.teamId === input.teamId,
  );
  const toReread = mine.flatMap((c) =>
    c.clientId && !listed.ids.has(c.clientId) && c.at >= listed.asOf - ctx.portal.searchLagMs
      ? [c.clientId]
      : [],
  );
  const reread = await Promise.all(
    toReread.map((id) => readClient(tenant, id, ctx.requestId, { mayBeOld: true })),
  );
  const existing = reread.filter((c) => c && isCredentialOf(c, input.teamId)).length;
  const inFlight = mine.filter(
    (c) => !c.clientId && c.at >= listed.asOf - IN_FLIGHT_MS && inFlightBefore(c, after),
  ).length;
  return listed.ids.size + existing + inFlight;
}

/**
 * The credential limit of one create. `recent()` names the user's own recent creates for the
 * list to re-read by id (the credential list's read-your-writes); `check` refuses before the
 * create; `recheck` runs after a new create and says whether it must be undone.
 */
export function credentialLimit(
  ctx: Ctx,
  input: { teamId: string; environment: Environment; label: string; key: string },
) {
  const max = limitsOf(ctx).credentialsPerTeam;
  const { tenant } = offeredEnvironment(ctx.portal, input.environment);
  const refusal = (count: number) =>
    new PortalError(
      "conflict",
      `This team has ${count} ${input.label} credentials, the most portal.config.js allows (limits.credentialsPerTeam = ${max}); revoke one first.`,
      { requestId: ctx.requestId },
    );
  /** What `check` counted from: the listed ids, and the time the list is at least as new as. */
  let checked: { ids: ReadonlySet<string>; asOf: number } | undefined;
  return {
    /** Client ids of the user's recent creates here: the list re-reads them (at most 5 are). */
    recent(others: OwnCreate[]): string[] {
      const since = ctx.portal.now().getTime() - ctx.portal.searchLagMs;
      return others.flatMap((c) =>
        c.kind === "credential" &&
        c.env === input.environment &&
        c.teamId === input.teamId &&
        c.clientId &&
        c.at >= since
          ? [c.clientId]
          : [],
      );
    },
    /** Before the create: the team's listed credentials (search + re-read) and own creates. */
    async check(listedIds: string[], others: OwnCreate[]): Promise<void> {
      // The list the page shows, possibly from the read cache: own creates re-read over a
      // window longer by the cache's lifetime.
      checked = { ids: new Set(listedIds), asOf: ctx.portal.now().getTime() - tenant.listMaxAgeMs };
      const count = await countCredentials(ctx, input, checked, others);
      if (count >= max) throw refusal(count);
    },
    /**
     * After a new create: the user's create records as the write of its client id answered them
     * (`othersAtRecord`; read now if that write failed), over the list `check` counted. Every other
     * create of this user that is done and still exists counts, whether or not it will stay, and
     * one still in flight counts if its key sorts before ours (see `inFlightBefore`). The records
     * are the user's as of that write, and every other create writes its own before its recheck:
     * of the creates that stay, the last to write its client id counts all the others. The list is
     * `check`'s, not a new search (ADR 0700 "A credential create's calls"): own creates it may lack
     * are re-read by id as before the create, so only other members' creates of the list's age
     * plus the search lag go uncounted, as their creates of the last search lag always do.
     */
    async recheck(
      clientId: string,
      othersAtRecord: OwnCreate[] | undefined,
    ): Promise<PortalError | undefined> {
      if (!checked) throw new Error("credentialLimit: recheck without check");
      const others =
        othersAtRecord ?? (await readOwnCreates(ctx)).creates.filter((c) => c.key !== input.key);
      const count =
        (await countCredentials(ctx, input, checked, others, input.key)) +
        (checked.ids.has(clientId) ? 0 : 1);
      if (count <= max) return undefined;
      return new PortalError(
        "conflict",
        `With your other creates running at the same moment this team would have ${count} ${input.label} credentials, more than portal.config.js allows (limits.credentialsPerTeam = ${max}); this one was undone. Revoke one first, or try again.`,
        { requestId: ctx.requestId },
      );
    },
  };
}

/**
 * Runs one user's creates of credentials for one team and environment one at a time in this
 * process. The record re-check (`recheck`) keeps concurrent creates at the limit or below
 * wherever they run, but creates that overlap may all find the others and all undo themselves
 * (none stays though there was room). Queued in one process, each sees the ones before it done:
 * ten parallel creates at limit − 1 end with exactly one kept. Creates of one user spread over
 * several portal processes still hold the limit, and may leave room unused.
 */
const queuesOf = new WeakMap<Ctx["portal"], Map<string, Promise<unknown>>>();

export function oneAtATime<T>(
  ctx: Ctx,
  input: { teamId: string; environment: Environment },
  run: () => Promise<T>,
): Promise<T> {
  // Per Portal (one per process; tests make two to stand for two processes).
  const queues = queuesOf.get(ctx.portal) ?? new Map<string, Promise<unknown>>();
  queuesOf.set(ctx.portal, queues);
  const id = `${ctx.actor.userId}\u0000${input.teamId}\u0000${input.environment}`;
  const before = queues.get(id) ?? Promise.resolve();
  const mine = before.then(run, run);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(id, settled);
  // The last in the queue removes it when done, so the map holds only running queues.
  void settled.then(() => {
    if (queues.get(id) === settled) queues.delete(id);
  });
  return mine;
}

/** Team records of this user's creates in the last 24 h (the life of a create record). */
function teamCreateCount(ctx: Ctx, creates: OwnCreate[]): number {
  const since = ctx.portal.now().getTime() - RECORD_TTL_MS;
  return creates.filter((c) => c.kind === "team" && c.at >= since).length;
}

function teamLimitRefusal(ctx: Ctx, count: number): PortalError {
  const max = limitsOf(ctx).teamsPerUserPerDay;
  return new PortalError(
    "conflict",
    `You created ${count} teams in the last 24 hours, the most portal.config.js allows (limits.teamsPerUserPerDay = ${max}); try again tomorrow or ask a portal admin.`,
    { requestId: ctx.requestId },
  );
}

/** Before a team create: the user's own team creates of the last 24 h (consistent records). */
export function checkTeamLimit(ctx: Ctx, others: OwnCreate[]): void {
  const count = teamCreateCount(ctx, others);
  if (count >= limitsOf(ctx).teamsPerUserPerDay) throw teamLimitRefusal(ctx, count);
}
