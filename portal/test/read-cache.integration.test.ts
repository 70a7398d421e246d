/**
 * The read cache (portal/lib/management/read-cache.ts) against the local tenants: concurrent
 * actor lookups share one Management call, this portal's own writes show at once, and access
 * taken back elsewhere (another portal task, Auth0's dashboard) takes effect within the TTL: the
 * revocation bound ADR 0600 states.
 */

import { randomUUID } from "node:crypto";
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import { actorFor } from "../lib/domain/actor";
import type { Actor, Portal } from "../lib/domain/context";
import { withConsistentRecordReads } from "../lib/management/read-cache";
import { uniformPolicy } from "../lib/management/read-policy";
import { ok, type PortalHarness, sleep, startPortalHarness } from "./support";

/**
 * Short here so the test is quick; production's is DEFAULT_READ_POLICY (50 s fresh, 60 s at
 * most). Same shape: served as is, then served while a background refresh runs, then waited for.
 */
const FRESH_MS = 500;
const TTL_MS = 1000;
const POLICY = {
  record: { freshMs: FRESH_MS, maxAgeMs: TTL_MS },
  list: { freshMs: FRESH_MS, maxAgeMs: TTL_MS },
};
let h: PortalHarness;
let alice: Actor;
let teamId: string;

const apiCalls = () => h.portal.tenants.production?.calls.api ?? 0;

beforeAll(async () => {
  h = await startPortalHarness(undefined, { readCacheTtlMs: undefined, readPolicy: POLICY });
  alice = await h.newUser("alice");
  teamId = ok(await actions.createTeam.invoke(h.portal, alice, { name: "Cached" })).teamId;
  alice = await h.refresh(alice);
}, 120_000);
afterAll(async () => h?.close());

describe("read cache", () => {
  it("concurrent actor lookups of one user cost one Management call", async () => {
    await sleep(TTL_MS); // nothing cached from the set-up
    const before = apiCalls();
    const actors = await Promise.all(Array.from({ length: 10 }, () => h.refresh(alice)));
    expect(actors.every((a) => a.teamId === teamId)).toBe(true);
    expect(apiCalls() - before).toBe(1);
  });

  it("another user's write leaves this user's cached record: fifty actors survive one create", async () => {
    const bob = await h.refresh(await h.newUser("bob"));
    const cache = () => h.portal.tenants.production?.readCache.misses ?? 0;
    await sleep(TTL_MS); // nothing cached: the next read of alice is a miss, kept from now on
    await h.refresh(alice);
    ok(await actions.createTeam.invoke(h.portal, bob, { name: "Bobs" })); // writes users/bob
    const misses = cache();
    expect((await h.refresh(alice)).teamId).toBe(teamId);
    expect(cache() - misses).toBe(0); // served from the cache (a write to users/bob dropped it before)
  });

  it("an invite withdrawn elsewhere is refused at once: the accept reads the team past the cache", async () => {
    const erin = await h.newUser("erin");
    const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
    // Another task (or the dashboard) resets the team's links: a new epoch on its record.
    await h.root.production.clients.update(teamId, {
      client_metadata: { inviteEpoch: "epoch_elsewhere" },
    });
    const accepted = await actions.acceptInvite.invoke(h.portal, erin, { token: invite.token });
    expect(accepted.ok || accepted.error.message).toMatch(/has been withdrawn/);
  });

  it("a create retried through another task finds the first: create-once reads the user past the cache", async () => {
    // Another task with its own cache, which holds alice's record from before the create.
    const other: Portal = {
      ...h.portalWith(
        { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
        { readCacheTtlMs: undefined, readPolicy: uniformPolicy(600_000) },
      ),
      config: h.portal.config,
    };
    await actorFor(other, alice.userId, undefined, "warm-the-other-cache");
    const input = {
      teamId,
      environment: "sandbox" as const,
      name: "retried",
      idempotencyKey: randomUUID(),
    };
    const first = ok(await actions.createCredential.invoke(h.portal, alice, input));
    // The answer was lost; the browser retries and the ALB sends it to the other task, which
    // runs it as every server action (lib/session.ts `run`).
    const retried = ok(
      await withConsistentRecordReads(() => actions.createCredential.invoke(other, alice, input)),
    );
    expect(retried.clientId).toBe(first.clientId);
    const made = (await h.root.sandbox.clients.list({ per_page: 100 })).data.filter(
      (c) =>
        (c.client_metadata as { requestId?: string } | undefined)?.requestId ===
        input.idempotencyKey,
    );
    expect(made).toHaveLength(1);
  });

  it("a member removed through this portal loses the team on the next request", async () => {
    const dave = await h.newUser("dave");
    const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
    ok(await actions.acceptInvite.invoke(h.portal, dave, { token: invite.token }));
    expect((await h.refresh(dave)).teamId).toBe(teamId); // cached now
    ok(await actions.removeMember.invoke(h.portal, alice, { teamId, userId: dave.userId }));
    expect((await h.refresh(dave)).teamId).toBeUndefined();
  });

  it("an admin right removed elsewhere (another task, the dashboard) ends within the max age, though views keep coming", async () => {
    const frank = await h.newUser("frank", { permissions: [PORTAL_ADMIN_PERMISSION] });
    expect((await h.refresh(frank)).permissions).toContain(PORTAL_ADMIN_PERMISSION);
    const removedAt = Date.now();
    await h.root.production.users.update(frank.userId, { app_metadata: { permissions: [] } });
    // This portal did not make the change: its cached read still shows the right...
    expect((await h.refresh(frank)).permissions).toContain(PORTAL_ADMIN_PERMISSION);
    // ...until the TTL has passed, never later.
    let permissions = (await h.refresh(frank)).permissions;
    while (permissions.includes(PORTAL_ADMIN_PERMISSION) && Date.now() - removedAt < 5 * TTL_MS) {
      await sleep(50);
      permissions = (await h.refresh(frank)).permissions;
    }
    expect(permissions).not.toContain(PORTAL_ADMIN_PERMISSION);
    expect(Date.now() - removedAt).toBeLessThanOrEqual(TTL_MS + 250);
  });

  it("a change is decided on records as the tenant has them: in a server action a right removed elsewhere is gone at once", async () => {
    const grace = await h.newUser("grace", { permissions: [PORTAL_ADMIN_PERMISSION] });
    expect((await h.refresh(grace)).permissions).toContain(PORTAL_ADMIN_PERMISSION);
    await h.root.production.users.update(grace.userId, { app_metadata: { permissions: [] } });
    // A view may still show the kept answer (within the max age)...
    expect((await h.refresh(grace)).permissions).toContain(PORTAL_ADMIN_PERMISSION);
    // ...a server action (lib/session.ts `run`) reads the actor as the tenant has them now,
    const inAction = await withConsistentRecordReads(() => h.refresh(grace));
    expect(inAction.permissions).not.toContain(PORTAL_ADMIN_PERMISSION);
    // and that answer replaces the kept one.
    expect((await h.refresh(grace)).permissions).not.toContain(PORTAL_ADMIN_PERMISSION);
  });
});
