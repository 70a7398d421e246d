/**
 * What a portal task reads when it starts, before its first page views ask (instrumentation.ts):
 * the reads the pages make first, with the same calls, so that the read cache holds them.
 *
 * A task starts with an empty cache, and the users behind the load balancer do not wait: on a
 * deploy at nine, fifty users' first views each need their team's record and lists, about 40
 * calls that drain in some 16 s at Free's 2/s, and the last views waited 11 s or were refused
 * (ADR 0600 "Runs 14–23": the cold start's refusals were team records and lists). Read ahead in
 * the budget's idle moments, they cost what the views would have spent, earlier.
 *
 * Bounded: the first page of teams (the admin page's, 20), each team's record, first member page
 * and first credential page per environment, and the admin pages' first reads; at most
 * PREWARM_MS after the start, after which what was read first is near the end of its life.
 * Every read waits until the tenant's budget has room to spare (half its burst left, nobody
 * queued), and goes last in its queue (token-bucket.ts "background"), so a user who comes
 * meanwhile is never behind it. What it keeps counts as unused until a page reads it, so nothing
 * is read again early for nobody (read-markers.ts PREWARM). Nobody is the actor: these reads
 * decide nothing and answer nobody; each page still reads through its guard.
 */
import { PAGE_TAKE } from "../action-schemas";
import { withPrewarmReads } from "../management/read-markers";
import type { Tenant } from "../management/tenant";
import { listAdmins } from "./admins";
import { type Ctx, homeTenant, offeredEnvironments, type Portal } from "./context";
import { listCredentials } from "./credentials";
import { listMembers } from "./members";
import { listTeams } from "./team-lists";
import { findTeam } from "./teams";
import { tenantUsage } from "./tenant-room";

/** How long after the start reads are begun: the read cache's list lifetime (read-policy.ts). */
export const PREWARM_MS = 60_000;
/** How often a busy budget is looked at again. */
const ROOM_TICK_MS = 250;
/** The pages' first page sizes (app/page.tsx, app/admin/…), so the reads are theirs exactly. */
const TEAMS_PAGE = 20;
const MEMBERS_PAGE = 20;

export interface PrewarmResult {
  teams: number;
  reads: number;
  failed: number;
  /** True when PREWARM_MS ended it before every read was made. */
  cut: boolean;
}

const NOBODY = { userId: "", email: "", permissions: [] } as const;

export async function prewarm(
  portal: Portal,
  { until = portal.now().getTime() + PREWARM_MS, tickMs = ROOM_TICK_MS } = {},
): Promise<PrewarmResult> {
  const ctx: Ctx = { portal, actor: NOBODY, requestId: "prewarm" };
  const home = homeTenant(portal);
  const result: PrewarmResult = { teams: 0, reads: 0, failed: 0, cut: false };
  /** One read on `tenant`, once its budget has room to spare; false when the time is up. */
  const read = async (tenant: Tenant, fn: () => Promise<unknown>): Promise<boolean> => {
    while (!(tenant.bucket?.hasRoomToSpare() ?? true)) {
      if (portal.now().getTime() >= until) return false;
      await new Promise((r) => setTimeout(r, tickMs).unref());
    }
    if (portal.now().getTime() >= until) return false;
    result.reads++;
    await withPrewarmReads(fn).catch(() => {
      result.failed++;
    });
    return true;
  };

  /**
   * The reads in turn, as [tenant, read]: each is made before the next is asked for (so the
   * teams' ids are known after the first), and a team counts once all of its reads are made.
   */
  function* reads(): Generator<[Tenant, () => Promise<unknown>]> {
    let teamIds: string[] = [];
    yield [
      home,
      async () => {
        const page = await listTeams(ctx, { take: TEAMS_PAGE, counts: false });
        teamIds = page.items.map((t) => t.teamId);
      },
    ];
    yield [home, () => listAdmins(ctx, { page: 0, perPage: MEMBERS_PAGE })];
    yield [home, () => tenantUsage(ctx)];
    for (const teamId of teamIds) {
      yield [home, () => findTeam(ctx, teamId)];
      yield [home, () => listMembers(ctx, teamId, { page: 0, perPage: MEMBERS_PAGE })];
      for (const { id } of offeredEnvironments(portal))
        yield [
          portal.tenants[id] as Tenant,
          () => listCredentials(ctx, teamId, id, { take: PAGE_TAKE }),
        ];
      result.teams++;
    }
  }
  // Nothing to fill without a read cache (ASTRAL_READ_CACHE_TTL_MS=0).
  if (home.listMaxAgeMs <= 0) return result;
  for (const [tenant, fn] of reads())
    if (!(await read(tenant, fn))) return { ...result, cut: true };
  return result;
}
