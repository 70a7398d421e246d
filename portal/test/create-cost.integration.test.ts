/**
 * What a credential create costs in Management calls in steady state (ADR 0600 "Bounded calls
 * per page"), with the portal's read cache as it runs in production. Issue 16 asked for at most
 * 5; 8 is what ADR 0700's guarantees leave (the ADR says which call holds which), plus one
 * re-read per own create of the last search lag and list lifetime.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { ok, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
let alice: Actor;
let teamId: string;

beforeAll(async () => {
  h = await startPortalHarness(undefined, { readCacheTtlMs: undefined });
  alice = await h.newUser("alice");
  teamId = ok(await actions.createTeam.invoke(h.portal, alice, { name: "Costed" })).teamId;
  alice = await h.refresh(alice);
}, 120_000);
afterAll(async () => h?.close());

const snapshot = () =>
  Object.fromEntries(
    Object.entries(h.portal.tenants).map(([env, t]) => [env, new Map(t?.operations ?? [])]),
  );
function delta(before: ReturnType<typeof snapshot>) {
  const out: Record<string, number> = {};
  for (const [env, t] of Object.entries(h.portal.tenants))
    for (const [op, n] of t?.operations ?? []) {
      const d = n - (before[env]?.get(op) ?? 0);
      if (d) out[`${env} ${op}`] = d;
    }
  return out;
}

describe("a credential create's cost", () => {
  it("is 8 Management calls in steady state, +1 re-read of the user's own create of a moment ago", async () => {
    const create = (name: string) =>
      actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name,
        idempotencyKey: randomUUID(),
      });
    ok(await create("first")); // warms what a page view would have read already
    await h.refresh(alice); // the page the form is on
    const before = snapshot();
    ok(await create("second"));
    const calls = delta(before);
    const byOperation: Record<string, number> = {};
    for (const [op, n] of Object.entries(calls)) {
      const kind = op.replace(/\/(users|clients)\/(?!search)[^/]+$/, "/$1/{id}");
      byOperation[kind] = (byOperation[kind] ?? 0) + n;
    }
    expect(byOperation).toEqual({
      // create-once's record (idempotency) and the limit's re-check: fresh, other tasks write them
      "production GET /api/v2/users/{id}": 2,
      // the create's record: pending, then with the client id
      "production PATCH /api/v2/users/{id}": 2,
      // the team record after POST /clients, fresh: no credential outlives its team
      "production GET /api/v2/clients/{id}": 1,
      // the limit's re-check, fresh (the list before the create came from the cache)
      "sandbox GET /api/v2/clients/search": 1,
      "sandbox POST /api/v2/clients": 1,
      "sandbox POST /api/v2/client-grants": 1,
      // "first", recorded a moment ago and not yet in the index: re-read by id for the count
      "sandbox GET /api/v2/clients/{id}": 1,
    });
  });
});
