/**
 * The attacks of the security review (issue 11), each performed as an attacker would, through
 * the guarded actions against the local tenants. Each of them worked before its fix.
 */
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import { actorFor } from "../lib/domain/actor";
import type { Actor } from "../lib/domain/context";
import {
  allClients,
  isAdminNow,
  newKey,
  ok,
  type PortalHarness,
  startPortalHarness,
  TEST_SEARCH_LAG_MS,
} from "./support";

let h: PortalHarness;

beforeAll(async () => {
  h = await startPortalHarness();
}, 120_000);
afterAll(async () => h?.close());

const adminNow = (a: Actor) => isAdminNow(h, a);
const auditOf = (requestId: string) => h.audit.filter((l) => l.requestId === requestId);

describe("a removed admin cannot make themselves admin again", () => {
  const adminInvite = async (email: string) =>
    ok(await actions.adminCreateAdminInvite.invoke(h.portal, h.admin, { email }));

  it("replaying the invite they accepted is refused, and audited", async () => {
    const mallory = await h.newUser("mallory");
    const invite = await adminInvite(mallory.email);
    const requestId = crypto.randomUUID();
    const accepted = await actions.acceptInvite.invoke(
      h.portal,
      mallory,
      { token: invite.token },
      requestId,
    );
    expect(ok(accepted).kind).toBe("admin");
    const acceptLine = auditOf(requestId)[0];
    expect(acceptLine).toMatchObject({ action: "acceptInvite", outcome: "success" });
    expect(acceptLine?.target.kind).toBe("admin");
    expect(acceptLine?.target.inviteId).toMatch(/^[0-9a-f-]{36}$/);
    ok(await actions.adminRemoveAdmin.invoke(h.portal, h.admin, { userId: mallory.userId }));

    const removed = await h.refresh(mallory);
    const replay = await actions.acceptInvite.invoke(h.portal, removed, { token: invite.token });
    expect(replay.ok).toBe(false);
    if (replay.ok) return;
    expect(replay.error.code).toBe("forbidden");
    expect(replay.error.message).toMatch(/already been used/);
    expect(await adminNow(mallory)).toBe(false);
    // With admin rights back she could have invited more admins: she cannot.
    const more = await actions.adminCreateAdminInvite.invoke(h.portal, await h.refresh(mallory), {
      email: "accomplice@example.test",
    });
    expect(more.ok || more.error.code).toBe("forbidden");
    expect(auditOf(replay.error.requestId)).toEqual([
      expect.objectContaining({
        action: "acceptInvite",
        outcome: "denied",
        errorCode: "forbidden",
        target: expect.objectContaining({ kind: "admin", inviteId: acceptLine?.target.inviteId }),
      }),
    ]);
    expect(JSON.stringify(h.audit)).not.toContain(invite.token);
  });

  it("an unused invite issued before the removal is refused; one issued after works", async () => {
    const trent = await h.newUser("trent");
    const first = await adminInvite(trent.email);
    const spare = await adminInvite(trent.email);
    ok(await actions.acceptInvite.invoke(h.portal, trent, { token: first.token }));
    // Invite times are whole seconds: issue the next one in a later second than the removal.
    ok(await actions.adminRemoveAdmin.invoke(h.portal, h.admin, { userId: trent.userId }));
    const refused = await actions.acceptInvite.invoke(h.portal, await h.refresh(trent), {
      token: spare.token,
    });
    expect(refused.ok || refused.error).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/issued before your admin rights were removed/),
    });
    expect(await adminNow(trent)).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await adminInvite(trent.email);
    ok(await actions.acceptInvite.invoke(h.portal, await h.refresh(trent), { token: fresh.token }));
    expect(await adminNow(trent)).toBe(true);
    ok(await actions.adminRemoveAdmin.invoke(h.portal, h.admin, { userId: trent.userId }));
  });

  it("is single-use even when the right was taken away outside the portal", async () => {
    const victor = await h.newUser("victor");
    const invite = await adminInvite(victor.email);
    ok(await actions.acceptInvite.invoke(h.portal, victor, { token: invite.token }));
    // An operator removes the permission in the Auth0 dashboard (no removal time is written).
    await h.root.production.users.update(victor.userId, { app_metadata: { permissions: [] } });
    const replay = await actions.acceptInvite.invoke(h.portal, await h.refresh(victor), {
      token: invite.token,
    });
    expect(replay.ok || replay.error.message).toMatch(/already been used/);
    expect(await adminNow(victor)).toBe(false);
  });
});

describe("a removed member cannot rejoin with the same team link", () => {
  it("removing a member ends every earlier invite of the team, with a clear message", async () => {
    let owner = await h.newUser("owner");
    const team = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Rejoin" }));
    owner = await h.refresh(owner);
    const link = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    const spare = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    const ex = await h.newUser("ex-member");
    ok(await actions.acceptInvite.invoke(h.portal, ex, { token: link.token }));
    ok(
      await actions.removeMember.invoke(h.portal, owner, {
        teamId: team.teamId,
        userId: ex.userId,
      }),
    );
    for (const token of [link.token, spare.token]) {
      const rejoin = await actions.acceptInvite.invoke(h.portal, await h.refresh(ex), { token });
      expect(rejoin.ok || rejoin.error).toMatchObject({
        code: "invite_invalid",
        message: expect.stringMatching(/Rejoin has been withdrawn: a member was removed/),
      });
      expect(rejoin.ok || auditOf(rejoin.error.requestId)[0]?.target.teamId).toBe(team.teamId);
    }
    expect((await h.refresh(ex)).teamId).toBeUndefined();
    // A link made after the removal works.
    const fresh = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    const newcomer = await h.newUser("newcomer");
    ok(await actions.acceptInvite.invoke(h.portal, newcomer, { token: fresh.token }));
    expect((await h.refresh(newcomer)).teamId).toBe(team.teamId);
  });

  it("a member can reset the team's invite links", async () => {
    let owner = await h.newUser("resetter");
    const team = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Resets" }));
    owner = await h.refresh(owner);
    const leaked = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    const requestId = crypto.randomUUID();
    const reset = await actions.resetTeamInvites.invoke(
      h.portal,
      owner,
      { teamId: team.teamId },
      requestId,
    );
    expect(ok(reset)).toEqual({ reset: true });
    expect(auditOf(requestId)[0]).toMatchObject({
      action: "resetTeamInvites",
      outcome: "success",
      target: { teamId: team.teamId },
    });
    const stranger = await h.newUser("link-finder");
    const refused = await actions.acceptInvite.invoke(h.portal, stranger, { token: leaked.token });
    expect(refused.ok || refused.error.code).toBe("invite_invalid");
    expect((await h.refresh(stranger)).teamId).toBeUndefined();
    const fresh = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    ok(await actions.acceptInvite.invoke(h.portal, stranger, { token: fresh.token }));
  });
});

describe("the last-admin guard holds under concurrency", () => {
  const seedAdmin = () => h.env.seed.production.admin.userId;
  const setPermissions = (userId: string, permissions: string[]) =>
    h.root.production.users.update(userId, { app_metadata: { permissions } });

  afterAll(async () => {
    await setPermissions(seedAdmin(), [PORTAL_ADMIN_PERMISSION]);
  });

  it("two admins removing each other at the same moment leave at least one admin", async () => {
    // Only two admins: the seeded one steps aside for this test.
    await setPermissions(seedAdmin(), []);
    for (let round = 0; round < 3; round++) {
      const ann = await h.newUser(`ann${round}`, { permissions: [PORTAL_ADMIN_PERMISSION] });
      const ben = await h.newUser(`ben${round}`, { permissions: [PORTAL_ADMIN_PERMISSION] });
      const results = await Promise.all([
        actions.adminRemoveAdmin.invoke(h.portal, ann, { userId: ben.userId }),
        actions.adminRemoveAdmin.invoke(h.portal, ben, { userId: ann.userId }),
      ]);
      const admins = [await adminNow(ann), await adminNow(ben)].filter(Boolean);
      expect(admins.length, `round ${round}`).toBeGreaterThanOrEqual(1);
      const refused = results.filter((r) => !r.ok);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const r of refused) expect(r.ok || r.error.code).toBe("conflict");
      // Tidy up: neither stays an admin for the next round.
      await setPermissions(ann.userId, []);
      await setPermissions(ben.userId, []);
    }
  }, 60_000);
});

describe("parallel team creates by one user leave no orphan team records", () => {
  const teamRecordsBy = async (userId: string) =>
    (await allClients(h.root.production)).filter(
      (c) => c.client_metadata?.astral === "team" && c.client_metadata?.createdBy === userId,
    );

  it("five creates at once (two tabs, different keys) leave one team record, the user in it", async () => {
    for (let round = 0; round < 2; round++) {
      const racer = await h.newUser(`racer${round}`);
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          actions.createTeam.invoke(h.portal, racer, {
            name: `Race ${round}-${i}`,
            idempotencyKey: newKey(),
          }),
        ),
      );
      const after = await h.refresh(racer);
      const records = await teamRecordsBy(racer.userId);
      expect(after.teamId, `round ${round}`).toBeDefined();
      expect(
        records.map((c) => c.client_id),
        `round ${round}`,
      ).toEqual([after.teamId]);
      // Each answer names a team the user was in when it answered (the last to settle names the
      // one they stay in), or refuses clearly.
      for (const r of results) if (!r.ok) expect(r.error.code).toBe("conflict");
      expect(results.some((r) => r.ok && r.data.teamId === after.teamId)).toBe(true);
    }
  }, 60_000);

  it("a leftover whose clean-up never ran is removed at the user's next request", async () => {
    // As a create that died after joining the user, before cleaning up: two joining creates
    // recorded on the user, the later one their team.
    const owner = await h.newUser("crashed-racer");
    const made = async (key: string) =>
      h.root.production.clients.create({
        name: `Team: Left ${key.slice(0, 4)}`,
        app_type: "non_interactive",
        grant_types: [],
        client_metadata: {
          astral: "team",
          teamName: "Left",
          createdBy: owner.userId,
          createdAt: new Date().toISOString(),
          requestId: key,
        },
      });
    const [lostKey, wonKey] = [newKey(), newKey()];
    const lost = await made(lostKey);
    const won = await made(wonKey);
    const record = (clientId: string | undefined) => ({
      env: "production",
      at: Date.now(),
      clientId,
      kind: "team",
      joins: true,
    });
    await h.root.production.users.update(owner.userId, {
      app_metadata: {
        teamId: won.client_id,
        [`astral_create_${lostKey}`]: record(lost.client_id),
        [`astral_create_${wonKey}`]: record(won.client_id),
      },
    });
    const actor = await actorFor(h.portal, owner.userId, undefined, "r-sweep");
    expect(actor.teamId).toBe(won.client_id);
    expect((await teamRecordsBy(owner.userId)).map((c) => c.client_id)).toEqual([won.client_id]);
    // Settled: the next lookup makes one call again (the user read), nothing more.
    const calls = () => h.portal.tenants.production?.calls.api ?? 0;
    const before = calls();
    await actorFor(h.portal, owner.userId, undefined, "r-after");
    expect(calls() - before).toBe(1);
  });
});

describe("a session saved before access was taken back", () => {
  it("a blocked user is refused on every request", async () => {
    const user = await h.newUser("blocked-later");
    const actor = await actorFor(h.portal, user.userId, undefined, "r-1");
    expect(actor.userId).toBe(user.userId);
    await h.root.production.users.update(user.userId, { blocked: true });
    await expect(actorFor(h.portal, user.userId, undefined, "r-2")).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/blocked/),
    });
  });

  it("a member removed from the team loses the team at the next request", async () => {
    let owner = await h.newUser("keeper");
    const team = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Kept" }));
    owner = await h.refresh(owner);
    const leaver = await h.newUser("leaver");
    const link = ok(
      await actions.createTeamInvite.invoke(h.portal, owner, { teamId: team.teamId }),
    );
    ok(await actions.acceptInvite.invoke(h.portal, leaver, { token: link.token }));
    const before = await actorFor(h.portal, leaver.userId, undefined, "r-3");
    ok(await actions.listMembers.invoke(h.portal, before, { teamId: team.teamId }));
    ok(
      await actions.removeMember.invoke(h.portal, owner, {
        teamId: team.teamId,
        userId: leaver.userId,
      }),
    );
    const after = await actorFor(h.portal, leaver.userId, undefined, "r-4");
    const refused = await actions.listMembers.invoke(h.portal, after, { teamId: team.teamId });
    expect(refused.ok || refused.error.code).toBe("forbidden");
  });
});

describe("look-alike names are refused", () => {
  it("a team name mixing scripts, a credential name looking like a colleague's", async () => {
    let owner = await h.newUser("namer");
    const mixed = await actions.createTeam.invoke(h.portal, owner, { name: "Аlpha" });
    expect(mixed.ok || mixed.error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/name: Mixes scripts \(Cyrillic, Latin\)/),
    });
    const team = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Alpha" }));
    owner = await h.refresh(owner);
    const create = (name: string, environment = "sandbox") =>
      actions.createCredential.invoke(h.portal, owner, {
        teamId: team.teamId,
        environment,
        name,
        idempotencyKey: newKey(),
      });
    ok(await create("Alpha"));
    // The other names come from the credential search, which lags: the attacker's look-alike
    // comes later than that (a limit stated in ADR 0700).
    await new Promise((r) => setTimeout(r, TEST_SEARCH_LAG_MS + 200));
    const spoof = await create("АІрһа"); // all Cyrillic: one script, Alpha's skeleton
    expect(spoof.ok || spoof.error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/looks like the team's credential "Alpha"/),
    });
    const listed = ok(
      await actions.listCredentials.invoke(h.portal, owner, {
        teamId: team.teamId,
        environment: "sandbox",
      }),
    );
    expect(listed.items.map((c) => c.name)).toEqual(["Alpha"]);
    // Another environment is another list.
    ok(await create("АІрһа", "production"));
  });
});
