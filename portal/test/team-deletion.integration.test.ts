/**
 * Issue 15, not tried by the attack run: a member creates a credential while an admin deletes
 * their team. No credential may outlive its team.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Portal } from "../lib/domain/context";
import { CREATE_CHECK_VALID_MS } from "../lib/domain/team-deletion";
import { allClients, newKey, ok, type PortalHarness, sleep, startPortalHarness } from "./support";

let h: PortalHarness;

beforeAll(async () => {
  h = await startPortalHarness();
}, 120_000);
afterAll(async () => h?.close());

const credentialsOf = async (teamId: string) =>
  (await allClients(h.root.sandbox)).filter((c) => c.client_metadata?.teamId === teamId);

describe("a credential never outlives its team", () => {
  it("a member's create for a team an admin has started deleting is refused, nothing made", async () => {
    const owner = await h.newUser("doomed-owner");
    const teamId = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Doomed" })).teamId;
    // The member's request read their record (team and all) just before the admin's first pass.
    const member = await h.refresh(owner);
    const first = ok(await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId }));
    expect(first.complete).toBe(false);
    const created = await actions.createCredential.invoke(h.portal, member, {
      teamId,
      environment: "sandbox",
      name: "late-key",
      idempotencyKey: newKey(),
    });
    expect(created.ok || created.error).toMatchObject({
      code: "not_found",
      message: expect.stringMatching(/This team does not exist/),
    });
    expect(await credentialsOf(teamId)).toEqual([]);
  });

  /**
   * A member's create whose team check passed just before an admin (through another task) marks
   * the team, the mark landing as the create sends POST /clients; `late` moves the create's clock
   * past CREATE_CHECK_VALID_MS meanwhile (a create slowed by the rate budget).
   */
  const raceTheMark = async (late: boolean) => {
    const owner = await h.newUser("marked-owner");
    const teamId = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Marked" })).teamId;
    const member = await h.refresh(owner);
    let skewMs = 0;
    let marked: { finishAfter?: string | undefined; at: number } | undefined;
    const hooked: typeof fetch = async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const post = (init?.method ?? "GET").toUpperCase() === "POST";
      if (post && !marked && new URL(url).pathname === "/api/v2/clients") {
        const at = Date.now();
        const first = ok(await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId }));
        marked = { finishAfter: first.finishAfter, at };
        if (late) skewMs = CREATE_CHECK_VALID_MS + 1_000;
      }
      return fetch(input, init);
    };
    const task: Portal = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { fetch: hooked },
    );
    task.now = () => new Date(Date.now() + skewMs);
    const created = await actions.createCredential.invoke(task, member, {
      teamId,
      environment: "sandbox",
      name: "raced",
      idempotencyKey: newKey(),
    });
    return { teamId, created, marked };
  };

  it("a create slower than CREATE_CHECK_VALID_MS after its team check reads the team again, and undoes itself if it was marked", async () => {
    const { teamId, created } = await raceTheMark(true);
    expect(created.ok || created.error).toMatchObject({
      code: "not_found",
      message: expect.stringMatching(/This team does not exist/),
    });
    expect(await credentialsOf(teamId)).toEqual([]);
  });

  it("a quick create on a check that missed the mark is drained by the deletion's last pass, which waits for it", async () => {
    const { teamId, created, marked } = await raceTheMark(false);
    ok(created); // made on the check before the mark, without reading the team again
    // The last pass comes no sooner than the record's age and CREATE_CHECK_VALID_MS past the
    // mark, plus the search lag (the harness runs its cache off: records have no age).
    expect(Date.parse(marked?.finishAfter ?? "")).toBeGreaterThanOrEqual(
      (marked?.at ?? 0) + CREATE_CHECK_VALID_MS - 1_000,
    );
    for (;;) {
      const pass = ok(await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId }));
      if (pass.complete) break;
      await sleep(Math.max(100, Date.parse(pass.finishAfter ?? "") - Date.now() + 100));
    }
    expect(await credentialsOf(teamId)).toEqual([]);
  }, 60_000);

  it("creates racing the deletion leave nothing once the deletion is complete", async () => {
    const owner = await h.newUser("racing-owner");
    const teamId = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Racing" })).teamId;
    const member = await h.refresh(owner);
    const creates = Array.from({ length: 4 }, (_, i) =>
      actions.createCredential.invoke(h.portal, member, {
        teamId,
        environment: "sandbox",
        name: `race-${i}`,
        idempotencyKey: newKey(),
      }),
    );
    const deletion = (async () => {
      for (;;) {
        const pass = ok(await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId }));
        if (pass.complete) return pass;
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await Promise.all([...creates, deletion]);
    expect((await allClients(h.root.production)).map((c) => c.client_id)).not.toContain(teamId);
    expect(await credentialsOf(teamId)).toEqual([]);
  }, 60_000);
});
