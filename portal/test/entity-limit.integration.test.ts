/**
 * Auth0's own limits over the portal's (split from limits.integration.test.ts): a tenant at its
 * plan's entity limit refuses a credential with Auth0's message, and nothing is made.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { startSeededTenants } from "../../emulator/test-support";
import { actions } from "../lib/actions";
import { allClients, newKey, ok, startPortalHarness } from "./support";

describe("Auth0's own limits", () => {
  it("a tenant at its entity limit refuses a credential: the message is Auth0's, not 'check the grant', and nothing is made", async () => {
    // Tenants of its own, left out of the conformance record: Auth0's refusal is the point here.
    const own = await startPortalHarness(await startSeededTenants({ recordConformance: false }));
    onTestFinished(() => own.close());
    const owner = await own.newUser("EntityLimit");
    const teamId = ok(
      await actions.createTeam.invoke(own.portal, owner, { name: "Entity" }),
    ).teamId;
    const member = await own.refresh(owner);
    own.env.control.setEntityPlan("sandbox", "free");
    // Fill the tenant's 10 applications (seeded: bootstrap, Astral Backend).
    for (let i = (await allClients(own.root.sandbox)).length; i < 10; i++)
      await own.root.sandbox.clients.create({ name: `filler ${i}`, app_type: "non_interactive" });
    const r = await actions.createCredential.invoke(own.portal, member, {
      teamId,
      environment: "sandbox",
      name: "one-too-many",
      idempotencyKey: newKey(),
    });
    if (r.ok) throw new Error("a create past the tenant's entity limit succeeded");
    expect(r.error.message).toMatch(
      /^The sandbox tenant refused to create a credential: You have reached the limit of 10 applications/,
    );
    expect(r.error.message).not.toMatch(/grant/);
    const ours = (await allClients(own.root.sandbox)).filter(
      (c) => c.client_metadata?.teamId === teamId,
    );
    expect(ours).toEqual([]);
  }, 60_000);
});
