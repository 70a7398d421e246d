/**
 * Limits on what one team or one user may create (portal.config.js `limits`, ADR 0700): every
 * team and every credential is an Auth0 client, and a tenant holds a limited number of them.
 *
 * Counting has to hold under the search index's lag, and Auth0 offers no compare-and-set. The
 * counts therefore join two sources: the search (everything older than `searchLagMs`) and the
 * acting user's own create records (create-once.ts), read with GET /users/{id}, which is
 * consistent. After a new create the records are read again and a create that finds itself over
 * the limit undoes itself (verified delete): of a user's concurrent creates, the one that
 * re-reads last sees all the others, so one user never takes a team past its limit. What no
 * consistent read shows is another member's create of the last `searchLagMs`: members creating
 * at the same moment can each fill the remaining room once (documented in ADR 0700).
 *
 * Team creates are counted from the user's create records of the last 24 h alone; parallel
 * joining creates leave one team (teams.ts `settleTeamCreates`), and portal admins are exempt.
 */
import type { Environment } from "@astral/contract";
import { PortalError } from "../errors";
import type { Ctx } from "./context";
import { type OwnCreate, RECORD_TTL_MS, readOwnCreates } from "./create-once";

const limitsOf = (ctx: Ctx) => ctx.portal.config().limits;

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

/** The user's creates of credentials of this team and environment the index may not show yet. */
function recentCredentialCreates(
  ctx: Ctx,
  creates: OwnCreate[],
  input: { teamId: string; environment: Environment },
) {
  const since = ctx.portal.now().getTime() - ctx.portal.searchLagMs;
  return creates.filter(
    (c) =>
      c.kind === "credential" &&
      c.env === input.environment &&
      c.teamId === input.teamId &&
      c.at >= since,
  );
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
  let listed = new Set<string>();
  let reread = new Set<string>();
  /** Own creates the list does not hold: in flight, or made too recently for the index. */
  const unlisted = (creates: OwnCreate[], after?: string) =>
    recentCredentialCreates(ctx, creates, input).filter((c) =>
      c.clientId ? !listed.has(c.clientId) && !reread.has(c.clientId) : inFlightBefore(c, after),
    ).length;
  const refusal = (count: number) =>
    new PortalError(
      "conflict",
      `This team has ${count} ${input.label} credentials, the most portal.config.js allows (limits.credentialsPerTeam = ${max}); revoke one first.`,
      { requestId: ctx.requestId },
    );
  return {
    /** Client ids of the user's recent creates here: the list re-reads them (at most 5 are). */
    recent(others: OwnCreate[]): string[] {
      return recentCredentialCreates(ctx, others, input).flatMap((c) =>
        c.clientId ? [c.clientId] : [],
      );
    },
    /** Before the create: the team's listed credentials (search + re-read) and own creates. */
    check(listedIds: string[], rereadIds: string[], others: OwnCreate[]) {
      listed = new Set(listedIds);
      reread = new Set(rereadIds);
      const count = listed.size + unlisted(others);
      if (count >= max) throw refusal(count);
    },
    /**
     * After a new create: the user's records read again (consistent). Every other recent create
     * of this user that is done counts, whether or not it will stay, and one still in flight
     * counts if its key sorts before ours (see `inFlightBefore`).
     */
    async recheck(clientId: string): Promise<PortalError | undefined> {
      const { creates } = await readOwnCreates(ctx);
      const others = creates.filter((c) => c.key !== input.key);
      const count = listed.size + unlisted(others, input.key) + (listed.has(clientId) ? 0 : 1);
      if (count <= max) return undefined;
      return new PortalError(
        "conflict",
        `With your other creates running at the same moment this team would have ${count} ${input.label} credentials, more than portal.config.js allows (limits.credentialsPerTeam = ${max}); this one was undone. Revoke one first, or try again.`,
        { requestId: ctx.requestId },
      );
    },
  };
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
