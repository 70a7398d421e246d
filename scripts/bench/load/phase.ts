/**
 * One measured window: every signed-in user browses their pages with 2–5 s think time; the
 * creators meanwhile create, rotate and revoke a Sandbox credential in turn, each followed by the
 * page's refresh (as `router.refresh()` after the form's action), and browse like the others for
 * `changeEverySeconds` between two changes (0: only a think time, one change after another).
 * What the users saw becomes samples; the tenants' counters give the Management calls.
 */
import os from "node:os";
import { RECENT_COOKIE, recentIds, withRecent } from "../../../portal/lib/recent";
import { since } from "./calls";
import type { Population } from "./population";
import type { ActionSample, CallCount, PhaseResult, ViewSample } from "./stats";
import { PortalUser } from "./user";

const THINK_MS = [2000, 5000] as const;
const think = () =>
  new Promise((r) => setTimeout(r, THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0])));

const MEMBER_PAGES = ["/", "/credentials/sandbox", "/credentials/production"];
const ADMIN_PAGES = ["/admin", "/admin/admins"];
const SANDBOX = "/credentials/sandbox";

const snapshot = (pop: Population): Record<string, CallCount> =>
  Object.fromEntries(Object.entries(pop.counters).map(([name, c]) => [name, c.snapshot()]));
const totals = (counts: Record<string, CallCount>) =>
  Object.fromEntries(Object.entries(counts).map(([tenant, c]) => [tenant, c.total]));

/** Signs every user in through the login flow, a few at a time. */
export async function signInAll(url: string, pop: Population): Promise<PortalUser[]> {
  const users = pop.users.map((u) => new PortalUser(url, u));
  for (let i = 0; i < users.length; i += 5)
    await Promise.all(users.slice(i, i + 5).map((u) => u.signIn()));
  return users;
}

export async function runPhase(opts: {
  label: string;
  seconds: number;
  creators: number;
  changeEverySeconds: number;
  users: PortalUser[];
  pop: Population;
  actionIds: Record<string, string>;
}): Promise<PhaseResult> {
  const { pop, users, actionIds } = opts;
  const views: ViewSample[] = [];
  const actions: ActionSample[] = [];
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const warmUpEnd = start + opts.seconds * 250;
  const failures: Record<string, number> = {};
  const note = (detail: string | undefined) => {
    if (detail) failures[detail] = (failures[detail] ?? 0) + 1;
  };
  // What begins after the window's end is the creators finishing their round (a revoke, so
  // that no credential is left behind): made, but not measured.
  const inWindowNow = () => performance.now() < end;
  const view = async (u: PortalUser, page: string) => {
    const at = performance.now() - start;
    const measured = inWindowNow();
    const o = await u.view(page);
    if (!measured) return;
    note(o.detail);
    views.push({ page, ms: o.ms, ok: o.ok, rateLimited: o.rateLimited, at });
  };
  const act = async <T>(
    u: PortalUser,
    action: ActionSample["action"],
    id: string,
    input: unknown,
  ) => {
    const at = performance.now() - start;
    const measured = inWindowNow();
    const sent = u.action<T>(SANDBOX, id, input);
    // The create form polls for the rate-limit wait while it is pending (use-rate-wait.ts).
    const { result: o, waitShown } =
      action === "create"
        ? await u.pollingRateWait(sent)
        : { result: await sent, waitShown: false };
    if (!measured) return o;
    note(o.detail && `${action}: ${o.detail}`);
    actions.push({ action, ms: o.ms, ok: o.ok, rateLimited: o.rateLimited, at, waitShown });
    return o;
  };

  /** Views `u`'s pages in turn with think time, until `until` (or the window's end). */
  const browseUntil = async (u: PortalUser, until: number) => {
    const pages = u.who.admin ? ADMIN_PAGES : MEMBER_PAGES;
    const stop = Math.min(until, end);
    for (let i = Math.floor(Math.random() * pages.length); performance.now() < stop; i++) {
      await view(u, pages[i % pages.length] as string);
      if (performance.now() < stop) await think();
    }
  };
  const browse = async (u: PortalUser) => {
    await new Promise((r) => setTimeout(r, Math.random() * THINK_MS[1]));
    await browseUntil(u, end);
  };
  /** What a creator does between two changes: think, or browse for `changeEverySeconds`. */
  const between = (u: PortalUser) =>
    opts.changeEverySeconds === 0
      ? think()
      : browseUntil(u, performance.now() + opts.changeEverySeconds * 1000);
  /** One create → rotate → revoke; false when the create failed (the form keeps its key). */
  const create = async (u: PortalUser, n: number, idempotencyKey: string) => {
    const teamId = u.who.teamId as string;
    const recentName = RECENT_COOKIE("sandbox");
    const recent = recentIds(u.jar.get(recentName));
    const created = await act<{ clientId: string }>(
      u,
      "create",
      actionIds.createCredentialAction as string,
      {
        teamId,
        environment: "sandbox",
        name: `load-${n}`,
        idempotencyKey,
        recent,
      },
    );
    const clientId = created.data?.clientId;
    if (!clientId) return false;
    // As the page's script: note the id (the "recent" cookie), then refresh the page.
    u.jar.set(recentName, withRecent(u.jar.get(recentName), clientId));
    await view(u, SANDBOX);
    await between(u);
    const ref = { teamId, environment: "sandbox", clientId };
    if (inWindowNow()) {
      await act(u, "rotate", actionIds.rotateCredentialAction as string, ref);
      await view(u, SANDBOX);
      await between(u);
    }
    const revoked = await act(u, "revoke", actionIds.revokeCredentialAction as string, ref);
    if (revoked.ok) u.jar.set(recentName, withRecent(u.jar.get(recentName), clientId));
    await view(u, SANDBOX);
    return true;
  };
  const createLoop = async (u: PortalUser) => {
    // Creators are people acting on their own: their first change comes at a random moment of
    // the first interval (browsing until then), not all five at once.
    if (opts.changeEverySeconds === 0)
      await new Promise((r) => setTimeout(r, Math.random() * THINK_MS[1]));
    else await browseUntil(u, performance.now() + Math.random() * opts.changeEverySeconds * 1000);
    // As the create form: a failed create is tried again with the same key and name (the
    // portal then finds a credential that attempt already made), a new one only after success.
    const newKey = () => crypto.randomUUID().replaceAll("-", "");
    let key = newKey();
    for (let n = 0; performance.now() < end; ) {
      if (await create(u, n, key)) {
        key = newKey();
        n++;
      }
      await between(u);
    }
  };

  const before = snapshot(pop);
  // The steady state: from the end of the warm-up to the end of the window (not the tail in
  // which users finish what they started).
  const marks: Array<Record<string, number>> = [];
  const timers = [warmUpEnd, end].map((t) =>
    setTimeout(() => marks.push(totals(snapshot(pop))), t - start),
  );
  const members = users.filter((u) => !u.who.admin);
  const creators = new Set(members.slice(0, opts.creators));
  await Promise.all(users.map((u) => (creators.has(u) ? createLoop(u) : browse(u))));
  for (const t of timers) clearTimeout(t);
  const elapsed = (performance.now() - start) / 1000;
  const after = snapshot(pop);
  const calls = Object.fromEntries(
    Object.entries(after).map(([name, c]) => [name, since(before[name] as CallCount, c)]),
  );
  const [from = totals(before), to = totals(after)] = marks;
  const inWindow = (at: number) => at >= warmUpEnd - start && at < end - start;
  return {
    label: opts.label,
    seconds: Math.round(elapsed),
    views,
    actions,
    calls,
    failures,
    steady: {
      seconds: (end - warmUpEnd) / 1000,
      calls: Object.fromEntries(
        Object.entries(to).map(([tenant, n]) => [tenant, n - (from[tenant] ?? 0)]),
      ),
      views: views.filter((v) => inWindow(v.at)).length,
    },
    loadavg: os.loadavg(),
  };
}
