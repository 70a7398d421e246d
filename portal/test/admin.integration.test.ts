/**
 * The admin pages' actions over HTTPS: teams by cursor with counts, any team's members and
 * credentials, team deletion in passes, admin invites bound to one verified address (split from
 * portal.integration.test.ts, whose team "Payments" it starts with, and a Sandbox credential).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { clientsWith as clientsOf, indexCatchUp, startPaymentsTeam } from "./payments-team";
import { allClients, newKey, ok, type PortalHarness, sleep } from "./support";

let h: PortalHarness;
let alice: Actor;
let teamId: string;

beforeAll(async () => {
  ({ h, alice, teamId } = await startPaymentsTeam());
  ok(
    await actions.createCredential.invoke(h.portal, alice, {
      teamId,
      environment: "sandbox",
      name: "payments-key",
      idempotencyKey: newKey(),
    }),
  );
  await indexCatchUp();
}, 120_000);
afterAll(async () => h?.close());

const clientsWith = (environment: "production" | "sandbox", metadata: Record<string, string>) =>
  clientsOf(h, environment, metadata);

describe("admin", () => {
  it("lists teams by cursor; counts per environment on request", async () => {
    const other = ok(
      await actions.adminCreateTeam.invoke(h.portal, h.admin, { name: "Logistics" }),
    );
    expect((await h.refresh(h.admin)).teamId).toBeUndefined(); // admins do not join teams they create
    // The team's own page reads its record by id: consistent at once.
    expect(ok(await actions.getTeam.invoke(h.portal, h.admin, { teamId: other.teamId })).name).toBe(
      "Logistics",
    );
    await indexCatchUp();
    const page0 = ok(await actions.adminListTeams.invoke(h.portal, h.admin, { take: 1 }));
    expect(page0.items).toHaveLength(1);
    expect(page0.items[0]?.members).toBeUndefined(); // no counts unless asked
    expect(page0.next).toBeTruthy();
    const page1 = ok(
      await actions.adminListTeams.invoke(h.portal, h.admin, { take: 1, from: page0.next }),
    );
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0]?.teamId).not.toBe(page0.items[0]?.teamId);

    const all = ok(
      await actions.adminListTeams.invoke(h.portal, h.admin, { take: 50, counts: true }),
    ).items;
    const payments = all.find((t) => t.teamId === teamId);
    expect(payments?.members).toBe(2);
    const live = (env: "sandbox" | "production") =>
      clientsWith(env, { astral: "credential", teamId });
    expect(payments?.credentials).toEqual({
      production: (await live("production")).length,
      sandbox: (await live("sandbox")).length,
    });
    expect(all.find((t) => t.teamId === other.teamId)).toMatchObject({
      members: 0,
      credentials: { production: 0, sandbox: 0 },
    });
  });

  it("counts stay right past one page of results and past 4 teams per query", async () => {
    const big = ok(await actions.adminCreateTeam.invoke(h.portal, h.admin, { name: "Big" }));
    const small = await Promise.all(
      ["S1", "S2", "S3", "S4"].map(async (name) =>
        ok(await actions.adminCreateTeam.invoke(h.portal, h.admin, { name })),
      ),
    );
    await Promise.all(
      Array.from({ length: 130 }, (_, i) =>
        h.root.sandbox.clients.create({
          name: `big-${i}`,
          app_type: "non_interactive",
          client_metadata: {
            astral: "credential",
            teamId: i < 126 ? big.teamId : (small[i - 126]?.teamId as string),
            createdBy: "test",
            createdAt: "x",
          },
        }),
      ),
    );
    await indexCatchUp();
    const all = ok(
      await actions.adminListTeams.invoke(h.portal, h.admin, { take: 50, counts: true }),
    ).items;
    expect(all.length).toBeGreaterThan(5); // more teams than one query may name
    expect(all.find((t) => t.teamId === big.teamId)?.credentials?.sandbox).toBe(126);
    for (const team of small)
      expect(all.find((t) => t.teamId === team.teamId)?.credentials?.sandbox).toBe(1);
  });

  it("sees and manages any team's members and credentials", async () => {
    const members = ok(await actions.listMembers.invoke(h.portal, h.admin, { teamId }));
    expect(members.total).toBe(2);
    const list = ok(
      await actions.listCredentials.invoke(h.portal, h.admin, { teamId, environment: "sandbox" }),
    );
    const target = list.items[0];
    if (!target) throw new Error("no credential to rotate");
    const rotated = ok(
      await actions.rotateCredential.invoke(h.portal, h.admin, {
        teamId,
        environment: "sandbox",
        clientId: target.clientId,
      }),
    );
    expect(rotated.clientSecret).toBeTruthy();
  });

  it("deletes a team in passes: credentials in both tenants, members, then the record", async () => {
    const erin = await h.newUser("erin");
    const team = ok(await actions.createTeam.invoke(h.portal, erin, { name: "Doomed" }));
    const erinIn = await h.refresh(erin);
    for (const environment of ["sandbox", "production"] as const)
      ok(
        await actions.createCredential.invoke(h.portal, erinIn, {
          teamId: team.teamId,
          environment,
          name: "xx",
          idempotencyKey: newKey(),
        }),
      );
    await indexCatchUp();
    // First pass: marks the team, removes what the indexes show, keeps the record until the
    // indexes have had time to show anything made just before the mark.
    const first = ok(
      await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId: team.teamId }),
    );
    expect(first).toMatchObject({ credentials: 2, members: 1, complete: false });
    expect(Date.parse(first.finishAfter ?? "")).toBeGreaterThan(Date.now() - 1000);
    expect((await h.refresh(erin)).teamId).toBeUndefined();
    // Being deleted: nobody joins it any more, and no new credentials.
    const late = await actions.createCredential.invoke(h.portal, h.admin, {
      teamId: team.teamId,
      environment: "sandbox",
      name: "late",
      idempotencyKey: newKey(),
    });
    expect(late.ok || late.error.code).toBe("not_found");
    await sleep(Math.max(0, Date.parse(first.finishAfter ?? "") - Date.now()) + 200);
    const second = ok(
      await actions.adminDeleteTeam.invoke(h.portal, h.admin, { teamId: team.teamId }),
    );
    expect(second).toMatchObject({ credentials: 0, members: 0, complete: true });
    for (const environment of ["sandbox", "production"] as const)
      expect(await clientsWith(environment, { teamId: team.teamId })).toHaveLength(0);
    const gone = await actions.getTeam.invoke(h.portal, h.admin, { teamId: team.teamId });
    expect(gone.ok || gone.error.code).toBe("not_found");
  });

  it("never deletes what it has not proven to be the team's, whatever the search returns", async () => {
    const team = ok(await actions.adminCreateTeam.invoke(h.portal, h.admin, { name: "Bait" }));
    const backendId = h.env.seed.sandbox.backend.clientId;
    // A search that answers with clients that are not the team's (as if Auth0 ignored a filter):
    // the Astral Backend, and a credential of another team.
    const foreign = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "not-bait",
        idempotencyKey: newKey(),
      }),
    );
    const lying: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (!url.includes("/api/v2/clients/search")) return response;
      const body = (await response.json()) as { clients: { client_id: string }[] };
      body.clients.push({ client_id: backendId }, { client_id: foreign.clientId });
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    };
    const portal = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { fetch: lying },
    );
    const result = ok(
      await actions.adminDeleteTeam.invoke(portal, h.admin, { teamId: team.teamId }),
    );
    expect(result.credentials).toBe(0);
    const sandbox = await allClients(h.root.sandbox);
    expect(sandbox.map((c) => c.client_id)).toEqual(
      expect.arrayContaining([backendId, foreign.clientId]),
    );
  });

  it("admin invite, list admins, remove an admin (never the last)", async () => {
    const frank = await h.newUser("frank", { permissions: ["other-permission"] });
    // Typed in another case: the invite matches case-insensitively.
    const invite = ok(
      await actions.adminCreateAdminInvite.invoke(h.portal, h.admin, {
        email: ` ${frank.email.toUpperCase()} `,
      }),
    );
    expect(
      ok(await actions.acceptInvite.invoke(h.portal, frank, { token: invite.token })).kind,
    ).toBe("admin");
    await indexCatchUp(); // the admin list and the last-admin count come from user search
    const admins = ok(await actions.adminListAdmins.invoke(h.portal, h.admin, {}));
    expect(admins.items.map((a) => a.userId).sort()).toEqual([h.admin.userId, frank.userId].sort());
    ok(await actions.adminRemoveAdmin.invoke(h.portal, h.admin, { userId: frank.userId }));
    // Only portal-admin is removed; other permissions stay.
    expect((await h.refresh(frank)).permissions).toEqual(["other-permission"]);
    // The last-admin guard counts admins with user search, which lags (issue 11 makes it
    // consistent); here the index is let catch up first.
    await indexCatchUp();
    const last = await actions.adminRemoveAdmin.invoke(h.portal, h.admin, {
      userId: h.admin.userId,
    });
    expect(last.ok || last.error.code).toBe("conflict");
  });
});

describe("admin invites are bound to one verified email address", () => {
  const adminInvite = async (email: string, portal = h.portal) =>
    ok(await actions.adminCreateAdminInvite.invoke(portal, h.admin, { email }));
  const deniedLines = (requestId: string) =>
    h.audit.filter((l) => l.requestId === requestId && l.outcome === "denied");

  it("asks for a valid email address", async () => {
    const bad = await actions.adminCreateAdminInvite.invoke(h.portal, h.admin, {
      email: "not-an-address",
    });
    expect(bad.ok || bad.error).toMatchObject({ code: "invalid_input" });
    expect(bad.ok || bad.error.message).toMatch(/email: Not an email address/);
    const none = await actions.adminCreateAdminInvite.invoke(h.portal, h.admin, {});
    expect(none.ok || none.error.code).toBe("invalid_input");
  });

  it("someone else with the link is refused (address not revealed), audited as denied", async () => {
    const invitee = await h.newUser("invitee");
    const stranger = await h.newUser("stranger");
    const invite = await adminInvite(invitee.email);
    const refused = await actions.acceptInvite.invoke(h.portal, stranger, { token: invite.token });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe("forbidden");
    expect(refused.error.message).toMatch(/for another email address/);
    expect(refused.error.message).not.toContain(invitee.email);
    expect(deniedLines(refused.error.requestId)).toHaveLength(1);
    expect(deniedLines(refused.error.requestId)[0]?.action).toBe("acceptInvite");
    expect((await h.refresh(stranger)).permissions).not.toContain("portal-admin");
    // The invitee can still use it.
    ok(await actions.acceptInvite.invoke(h.portal, invitee, { token: invite.token }));
    expect((await h.refresh(invitee)).permissions).toContain("portal-admin");
    await indexCatchUp(); // the last-admin count comes from user search
    ok(await actions.adminRemoveAdmin.invoke(h.portal, h.admin, { userId: invitee.userId }));
  });

  it("a user whose email is not verified is refused", async () => {
    // Users created through the Management API start unverified unless told otherwise.
    const created = await h.root.production.users.create({
      connection: "Username-Password-Authentication",
      email: `unverified-${Date.now()}@example.test`,
      password: "Test-Password-2026!",
      name: "unverified",
    });
    expect(created.email_verified).toBe(false);
    const user = await h.refresh({ userId: created.user_id as string, email: "", permissions: [] });
    const invite = await adminInvite(user.email);
    const refused = await actions.acceptInvite.invoke(h.portal, user, { token: invite.token });
    expect(refused.ok || refused.error).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/Verify your email address/),
    });
    expect((await h.refresh(user)).permissions).not.toContain("portal-admin");
  });

  it("expires after 24 h, while a team invite of the same age still works", async () => {
    const invitee = await h.newUser("late");
    const dayAgo = { ...h.portal, now: () => new Date(Date.now() - 25 * 3600_000) };
    const invite = await adminInvite(invitee.email, dayAgo);
    expect(Date.parse(invite.expiresAt)).toBeLessThan(Date.now());
    const expired = await actions.acceptInvite.invoke(h.portal, invitee, { token: invite.token });
    expect(expired.ok || expired.error).toMatchObject({
      code: "invite_invalid",
      message: expect.stringMatching(/expired/),
    });
    expect((await h.refresh(invitee)).permissions).not.toContain("portal-admin");

    const teamInvite = ok(await actions.createTeamInvite.invoke(dayAgo, alice, { teamId }));
    expect(Date.parse(teamInvite.expiresAt) - Date.now()).toBeGreaterThan(40 * 3600_000);
    const joined = await actions.acceptInvite.invoke(h.portal, invitee, {
      token: teamInvite.token,
    });
    expect(ok(joined)).toMatchObject({ kind: "team", teamId });
    ok(await actions.removeMember.invoke(h.portal, alice, { teamId, userId: invitee.userId }));
  });
});
