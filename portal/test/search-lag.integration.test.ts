/**
 * Auth0's searches lag writes: what the portal shows right after a change does not depend on them
 * (split from portal.integration.test.ts, whose team "Payments" it starts with).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { clientsWith as clientsOf, indexCatchUp, startPaymentsTeam } from "./payments-team";
import { newKey, ok, type PortalHarness } from "./support";

let h: PortalHarness;
let alice: Actor;
let bob: Actor;
let teamId: string;

beforeAll(async () => {
  ({ h, alice, bob, teamId } = await startPaymentsTeam());
}, 120_000);
afterAll(async () => h?.close());

const clientsWith = (environment: "production" | "sandbox", metadata: Record<string, string>) =>
  clientsOf(h, environment, metadata);

describe("Auth0's search lags writes: the portal does not depend on it", () => {
  it("a just-created credential shows and a just-revoked one does not (consistent re-reads)", async () => {
    const c = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "fresh",
        idempotencyKey: newKey(),
      }),
    );
    const list = async (recent?: string[]) =>
      ok(
        await actions.listCredentials.invoke(h.portal, alice, {
          teamId,
          environment: "sandbox",
          ...(recent ? { recent } : {}),
        }),
      ).items.map((x) => x.clientId);
    // The index has not caught up: the search alone does not list it yet...
    expect(await list()).not.toContain(c.clientId);
    // ...the page, which re-reads what the user just made, does.
    expect(await list([c.clientId])).toContain(c.clientId);
    await indexCatchUp();
    expect(await list()).toContain(c.clientId);

    ok(
      await actions.revokeCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        clientId: c.clientId,
      }),
    );
    expect(await list()).toContain(c.clientId); // the index still has it
    expect(await list([c.clientId])).not.toContain(c.clientId);
  });

  it("a member who just joined sees themself; a just-removed member is hidden", async () => {
    const gina = await h.newUser("gina");
    const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
    ok(await actions.acceptInvite.invoke(h.portal, gina, { token: invite.token }));
    const ginaIn = await h.refresh(gina);
    const members = ok(await actions.listMembers.invoke(h.portal, ginaIn, { teamId }));
    expect(members.items.map((m) => m.userId)).toContain(gina.userId);
    await indexCatchUp();
    ok(await actions.removeMember.invoke(h.portal, alice, { teamId, userId: gina.userId }));
    const after = ok(
      await actions.listMembers.invoke(h.portal, alice, { teamId, recent: [gina.userId] }),
    );
    expect(after.items.map((m) => m.userId)).not.toContain(gina.userId);
  });

  it("a double submit finds the first create by its record, without a search", async () => {
    const input = { teamId, environment: "sandbox", name: "twice", idempotencyKey: newKey() };
    const first = ok(await actions.createCredential.invoke(h.portal, alice, input));
    const searches = () =>
      h.portal.tenants.sandbox?.operations.get("GET /api/v2/clients/search") ?? 0;
    const before = searches();
    const second = ok(await actions.createCredential.invoke(h.portal, alice, input));
    expect(second.clientId).toBe(first.clientId);
    expect(searches()).toBe(before);
    // Another user's create with the same key is their own (records are per user).
    const mine = await h.refresh(bob);
    const third = ok(await actions.createCredential.invoke(h.portal, mine, input));
    expect(third.clientId).not.toBe(first.clientId);
  });

  it("a create whose answer was lost: asks to retry while the index may lag, then finds it", async () => {
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (init?.method === "POST" && new URL(url).pathname === "/api/v2/clients")
        throw new TypeError("fetch failed"); // the tenant acted; the answer never arrived
      return response;
    };
    const lossy = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { fetch: losing },
    );
    const input = { teamId, environment: "sandbox", name: "lost", idempotencyKey: newKey() };
    const lost = await actions.createCredential.invoke(lossy, alice, input);
    expect(lost.ok || lost.error.code).toBe("upstream_error");
    expect(await clientsWith("sandbox", { requestId: input.idempotencyKey })).toHaveLength(1);
    const early = await actions.createCredential.invoke(h.portal, alice, input);
    if (!early.ok) expect(early.error.code).toBe("retry_later");
    await indexCatchUp();
    const found = ok(await actions.createCredential.invoke(h.portal, alice, input));
    expect(await clientsWith("sandbox", { requestId: input.idempotencyKey })).toEqual([
      expect.objectContaining({ client_id: found.clientId }),
    ]);
    if (early.ok) expect(early.data.clientId).toBe(found.clientId);
  });

  it("try this credential right after a rotation waits for the new secret instead of failing", async () => {
    const audience = h.env.seed.sandbox.exampleApi.identifier;
    const c = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "rotate-then-try",
        idempotencyKey: newKey(),
      }),
    );
    const rotated = ok(
      await actions.rotateCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        clientId: c.clientId,
      }),
    );
    const tried = ok(
      await actions.tryCredential.invoke(h.portal, alice, {
        teamId,
        clientId: c.clientId,
        clientSecret: rotated.clientSecret,
        audience,
        activeFrom: rotated.activeFrom,
      }),
    );
    expect(tried.claims.sub).toBe(`${c.clientId}@clients`);
  });
});
