/**
 * Auth0 plans (issue 14, ADR 0800) against the local tenants: on Enterprise a production key pair
 * works end to end (created with `jwt_configuration.alg` RS256, a token with Private Key JWT); on
 * Free the tenant refuses it as Auth0 does (403 `insufficient_entitlement`), nothing is left
 * behind, and the portal says what to change; without `create:client_credentials` the create is
 * refused for the scope.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSeededTenants } from "../../emulator/test-support";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { newRsaKeyPair, signAssertion } from "./key-pairs";
import { newKey, ok, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
let alice: Actor;
let teamId: string;
const pair = newRsaKeyPair();

beforeAll(async () => {
  // This file provokes the tenant's refusals (plan, scope) on purpose: they are the test's, not
  // requests the product makes on a tenant that serves its offer, so they stay out of the
  // conformance record (portal/test/key-pairs.integration.test.ts records the served case).
  h = await startPortalHarness(await startSeededTenants({ recordConformance: false }));
  alice = await h.newUser("alice-plans");
  teamId = ok(await actions.createTeam.invoke(h.portal, alice, { name: "Plans team" })).teamId;
  alice = await h.refresh(alice);
}, 120_000);
afterAll(async () => {
  h?.env.control.setPlan("production", "enterprise");
  await h?.close();
});

const createKeyPair = (name: string, portal = h.portal) =>
  actions.createKeyPairCredential.invoke(portal, alice, {
    teamId,
    environment: "production",
    name,
    idempotencyKey: newKey(),
    publicKeyPem: pair.publicKeyPem,
    alg: "RS256",
  });

/** The team's production clients named `name` (consistent: read by listing every client). */
async function clientsNamed(name: string) {
  const all = await h.root.production.clients.list({ per_page: 100 });
  return all.data.filter((c) => c.name?.includes(name));
}

describe("Auth0 plans", () => {
  it("Enterprise: a production key pair is created with jwt_configuration.alg RS256 and gets a token with Private Key JWT", async () => {
    h.env.control.setPlan("production", "enterprise");
    const bodies: string[] = [];
    const transport: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === "/api/v2/clients" && typeof init?.body === "string")
        bodies.push(init.body);
      return fetch(input, init);
    };
    const portal = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { fetch: transport },
    );
    const made = ok(await createKeyPair("enterprise key", portal));
    const sent = bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(sent).toHaveLength(1);
    // Auth0 sets no alg on a client made through the API unless it is sent, and Private Key JWT
    // needs RS256 (auth0 SDK Client.d.ts).
    expect(sent[0]?.jwt_configuration).toEqual({ alg: "RS256" });
    const assertion = await signAssertion(made.clientId, pair.privateKey, made.assertionAudience);
    const res = await fetch(made.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        audience: made.audiences[0] ?? "",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { access_token?: unknown }).access_token).toEqual(
      expect.any(String),
    );
  });

  it("Free: the tenant refuses a key pair (insufficient_entitlement); nothing is made and the portal says what to change", async () => {
    h.env.control.setPlan("production", "free");
    // Free's rate limits are not what this test is about.
    h.env.control.setRateLimitProfile("production", "test");
    h.env.control.setEntityPlan("production", "unlimited");
    try {
      const refused = await createKeyPair("free key");
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error.code).toBe("upstream_forbidden");
      expect(refused.error.message).toMatch(
        /production tenant refused to create a key-pair credential: its Auth0 plan does not include this feature \(Please upgrade your subscription to use Private Key JWT authentication\)/,
      );
      expect(refused.error.message).toMatch(
        /upgrade the tenant's plan or to remove the kind from credentialKinds of production in portal\.config\.js/,
      );
      expect(await clientsNamed("free key")).toEqual([]);
      // A client secret still works on Free.
      const secret = ok(
        await actions.createCredential.invoke(h.portal, alice, {
          teamId,
          environment: "production",
          name: "free secret",
          idempotencyKey: newKey(),
        }),
      );
      expect(secret.clientSecret).toEqual(expect.any(String));
    } finally {
      h.env.control.setPlan("production", "enterprise");
      h.env.control.setRateLimitProfile("production", "test");
    }
  });

  it("a backend without create:client_credentials cannot create a key pair, whatever the plan", async () => {
    h.env.control.setPlan("production", "enterprise");
    const grants = await h.root.production.clientGrants.list({
      client_id: h.env.seed.production.backend.clientId,
    });
    const grant = grants.data[0];
    if (!grant?.id) throw new Error("the Astral Backend has no grant");
    const scopes = grant.scope ?? [];
    await h.root.production.clientGrants.update(grant.id, {
      scope: scopes.filter((s) => s !== "create:client_credentials"),
    });
    try {
      const portal = h.portalWith({
        production: h.env.seed.production.backend,
        sandbox: h.env.seed.sandbox.backend,
      });
      const refused = await createKeyPair("no scope key", portal);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error.message).toMatch(/check the Astral Backend's grant/);
      expect(await clientsNamed("no scope key")).toEqual([]);
    } finally {
      await h.root.production.clientGrants.update(grant.id, { scope: scopes });
    }
  });
});
