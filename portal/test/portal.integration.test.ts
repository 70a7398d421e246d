/**
 * Every portal feature against the local tenants over HTTPS, through the same guarded actions the
 * pages and server actions use, with the Astral Backend holding exactly the contract's 20 scopes:
 * teams, members and credentials here; the search lag, the admin pages and the Management API's
 * use in search-lag, admin and management-use.integration.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { clientsWith as clientsOf, indexCatchUp } from "./payments-team";
import { newKey, ok, type PortalHarness, sleep, startPortalHarness } from "./support";

let h: PortalHarness;
let alice: Actor;
let bob: Actor;
let teamId: string;

async function token(domain: string, clientId: string, clientSecret: string, audience: string) {
  const res = await fetch(`https://${domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      audience,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const clientsWith = (environment: "production" | "sandbox", metadata: Record<string, string>) =>
  clientsOf(h, environment, metadata);

beforeAll(async () => {
  h = await startPortalHarness();
  alice = await h.newUser("alice");
  bob = await h.newUser("bob");
}, 120_000);
afterAll(async () => h?.close());

describe("teams and members", () => {
  it("a user without a team sees none, creates one and becomes its member", async () => {
    const me = ok(await actions.whoAmI.invoke(h.portal, alice, {}));
    expect(me.teamId).toBeUndefined();
    expect(me.environments.map((e) => e.id)).toEqual(["sandbox", "production"]);
    const team = ok(await actions.createTeam.invoke(h.portal, alice, { name: "Payments" }));
    teamId = team.teamId;
    alice = await h.refresh(alice);
    expect(alice.teamId).toBe(teamId);
    expect(ok(await actions.getTeam.invoke(h.portal, alice, { teamId })).name).toBe("Payments");
    const again = await actions.createTeam.invoke(h.portal, alice, { name: "Second" });
    expect(again.ok || again.error.code).toBe("conflict");
  });

  it("an invite link lets a second user join; it is bound to the team and expires", async () => {
    const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
    const joined = ok(await actions.acceptInvite.invoke(h.portal, bob, { token: invite.token }));
    expect(joined).toMatchObject({ kind: "team", teamId, teamName: "Payments" });
    bob = await h.refresh(bob);
    expect(bob.teamId).toBe(teamId);
    // Bob sees himself at once (his own record, re-read); alice's membership, a second old, and
    // his, for others, once the user search has caught up.
    await indexCatchUp();
    const members = ok(await actions.listMembers.invoke(h.portal, alice, { teamId }));
    expect(members.items.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    expect(members.total).toBe(2);

    // A tampered token is refused.
    const [head, body, sig] = invite.token.split(".");
    const forged = `${head}.${body}.${sig?.slice(0, -2)}xx`;
    const carol = await h.newUser("carol");
    const bad = await actions.acceptInvite.invoke(h.portal, carol, { token: forged });
    expect(bad.ok || bad.error.code).toBe("invite_invalid");

    // An expired one too: issue it "100 hours ago" (ttl 72 h).
    const past = { ...h.portal, now: () => new Date(Date.now() - 100 * 3600_000) };
    const old = ok(await actions.createTeamInvite.invoke(past, alice, { teamId }));
    const expired = await actions.acceptInvite.invoke(h.portal, carol, { token: old.token });
    expect(expired.ok || expired.error.message).toMatch(/expired/);
    expect((await h.refresh(carol)).teamId).toBeUndefined();
  });

  it("a member can remove a member", async () => {
    const dave = await h.newUser("dave");
    const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
    ok(await actions.acceptInvite.invoke(h.portal, dave, { token: invite.token }));
    ok(await actions.removeMember.invoke(h.portal, alice, { teamId, userId: dave.userId }));
    expect((await h.refresh(dave)).teamId).toBeUndefined();
    const again = await actions.removeMember.invoke(h.portal, alice, {
      teamId,
      userId: dave.userId,
    });
    expect(again.ok || again.error.code).toBe("not_found");
  });
});

describe("credentials", () => {
  it("create shows the secret once; the list never does; the secret gets a token", async () => {
    const audience = h.env.seed.sandbox.exampleApi.identifier;
    const created = ok(
      await actions.createCredential.invoke(h.portal, bob, {
        teamId,
        environment: "sandbox",
        name: "billing-service",
        idempotencyKey: newKey(),
      }),
    );
    expect(created.clientSecret.length).toBeGreaterThan(20);
    expect(created.createdBy).toBe(bob.userId);
    expect(created.tokenUrl).toBe(`https://${h.env.tenants.sandbox.domain}/oauth/token`);

    // As the page does right after the create: the id the user just made is re-read by id.
    const listed = ok(
      await actions.listCredentials.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        recent: [created.clientId],
      }),
    );
    expect(listed.items.map((c) => c.clientId)).toContain(created.clientId);
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);
    expect(JSON.stringify(h.audit)).not.toContain(created.clientSecret);

    const t = await token(
      h.env.tenants.sandbox.domain,
      created.clientId,
      created.clientSecret,
      audience,
    );
    expect(t.status).toBe(200);
    // One grant per configured audience, with the configured scopes.
    const grants = await h.root.sandbox.clientGrants.list({ client_id: created.clientId });
    expect(grants.data.map((g) => [g.audience, g.scope])).toEqual([[audience, ["read:examples"]]]);

    // Production is another tenant: the same team, separate clients.
    const prod = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "production",
        name: "billing-service",
        idempotencyKey: newKey(),
      }),
    );
    expect(prod.tokenUrl).toContain(h.env.tenants.production.domain);
    await indexCatchUp();
    const prodList = ok(
      await actions.listCredentials.invoke(h.portal, alice, { teamId, environment: "production" }),
    );
    expect(prodList.items.map((c) => c.clientId)).toEqual([prod.clientId]);
  });

  it("rotate issues a new secret (old one stops working); revoke deletes the client", async () => {
    const audience = h.env.seed.sandbox.exampleApi.identifier;
    const domain = h.env.tenants.sandbox.domain;
    const c = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "rotating",
        idempotencyKey: newKey(),
      }),
    );
    const ref = { teamId, environment: "sandbox", clientId: c.clientId };
    const rotated = ok(await actions.rotateCredential.invoke(h.portal, alice, ref));
    expect(rotated.clientSecret).not.toBe(c.clientSecret);
    // The reveal says when the new secret works: Auth0 allows itself up to 30 s.
    expect(Date.parse(rotated.activeFrom)).toBeGreaterThan(Date.now());
    await sleep(Math.max(0, Date.parse(rotated.activeFrom) - Date.now()) + 200);
    expect((await token(domain, c.clientId, c.clientSecret, audience)).status).toBe(401);
    expect((await token(domain, c.clientId, rotated.clientSecret, audience)).status).toBe(200);

    await indexCatchUp(); // the index now lists it: the revoke below must hide it all the same
    ok(await actions.revokeCredential.invoke(h.portal, alice, ref));
    expect((await token(domain, c.clientId, rotated.clientSecret, audience)).status).toBe(401);
    const listed = ok(
      await actions.listCredentials.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        recent: [c.clientId],
      }),
    );
    expect(listed.items.map((x) => x.clientId)).not.toContain(c.clientId);
    const again = await actions.revokeCredential.invoke(h.portal, alice, ref);
    expect(again.ok || again.error.code).toBe("not_found");
  });

  it("a retried create (same idempotency key) finds what it made instead of duplicating", async () => {
    const key = newKey();
    const input = { teamId, environment: "sandbox", name: "retried", idempotencyKey: key };
    const first = ok(await actions.createCredential.invoke(h.portal, alice, input));
    const second = ok(await actions.createCredential.invoke(h.portal, alice, input));
    expect(second.clientId).toBe(first.clientId);
    expect(await clientsWith("sandbox", { requestId: key })).toHaveLength(1);
    const grants = await h.root.sandbox.clientGrants.list({ client_id: first.clientId });
    expect(grants.data).toHaveLength(1);
    // The retry reveals a working secret (the first response may never have arrived); it is a
    // fresh one, so it too may take a moment to work.
    await sleep(Math.max(0, Date.parse(second.activeFrom) - Date.now()) + 200);
    const t = await token(
      h.env.tenants.sandbox.domain,
      first.clientId,
      second.clientSecret,
      h.env.seed.sandbox.exampleApi.identifier,
    );
    expect(t.status).toBe(200);
  });

  it("when a grant cannot be made, the client is deleted again: nothing half-made", async () => {
    const key = newKey();
    h.env.control.setFaults("sandbox", [{ route: "POST /api/v2/client-grants", status: 500 }]);
    try {
      const result = await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "doomed",
        idempotencyKey: key,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("upstream_error");
        expect(result.error.requestId).toMatch(/[0-9a-f-]{36}/);
      }
    } finally {
      h.env.control.clear();
    }
    expect(await clientsWith("sandbox", { requestId: key })).toHaveLength(0);
  });

  it("try this credential (Sandbox) returns the token's decoded claims", async () => {
    const audience = h.env.seed.sandbox.exampleApi.identifier;
    const c = ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "tried",
        idempotencyKey: newKey(),
      }),
    );
    const tried = ok(
      await actions.tryCredential.invoke(h.portal, alice, {
        teamId,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        audience,
      }),
    );
    expect([tried.claims.aud].flat()).toContain(audience);
    expect(tried.claims.sub).toBe(`${c.clientId}@clients`);
    expect(tried.header.alg).toBe("RS256");
    const wrong = await actions.tryCredential.invoke(h.portal, alice, {
      teamId,
      clientId: c.clientId,
      clientSecret: "not-the-secret",
      audience,
    });
    expect(wrong.ok || wrong.error.code).toBe("invalid_input");

    // The sandbox's token endpoint down or failing: a clear message with the request id, not
    // "something went wrong" nor a blame on the credential.
    const realFetch = globalThis.fetch;
    const tokenFor = (init?: RequestInit) =>
      typeof init?.body === "string" && init.body.includes(`"client_id":"${c.clientId}"`);
    const input = { teamId, clientId: c.clientId, clientSecret: c.clientSecret, audience };
    try {
      globalThis.fetch = ((url: RequestInfo | URL, init?: RequestInit) =>
        tokenFor(init)
          ? Promise.reject(new TypeError("fetch failed"))
          : realFetch(url, init)) as typeof fetch;
      const down = await actions.tryCredential.invoke(h.portal, alice, input);
      expect(down.ok || down.error.code).toBe("upstream_error");
      if (!down.ok) {
        expect(down.error.message).toMatch(/could not be reached/);
        expect(down.error.requestId).toBeTruthy();
      }
      globalThis.fetch = ((url: RequestInfo | URL, init?: RequestInit) =>
        tokenFor(init)
          ? Promise.resolve(new Response("{}", { status: 503 }))
          : realFetch(url, init)) as typeof fetch;
      const failing = await actions.tryCredential.invoke(h.portal, alice, input);
      expect(failing.ok || failing.error.code).toBe("upstream_error");
      if (!failing.ok) expect(failing.error.message).toContain("HTTP 503");
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
