/**
 * Issue 15, not tried by the attack run: a member creates a credential while an admin deletes
 * their team. No credential may outlive its team.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import { allClients, newKey, ok, type PortalHarness, startPortalHarness } from "./support";

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
