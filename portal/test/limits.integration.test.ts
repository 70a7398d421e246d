/**
 * The limits of portal.config.js (`limits`, ADR 0700) against the local tenants with their
 * search lag on: credentials per team and environment (client secrets and key pairs count
 * together) and team records per user per day. Each refusal names the limit and leaves nothing
 * half-made; concurrent creates of one user never take a team past it.
 */
import type { Environment } from "@astral/contract";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { actions } from "../lib/actions";
import type { Actor, Portal } from "../lib/domain/context";
import { newRsaKeyPair } from "./key-pairs";
import { allClients, newKey, ok, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
/** The harness's portal with small limits (same tenants, same config otherwise). */
let portal: Portal;
const CREDENTIALS = 3;
const TEAMS = 2;
const pair = newRsaKeyPair();

beforeAll(async () => {
  h = await startPortalHarness();
  portal = {
    ...h.portal,
    config: () => ({
      ...h.portal.config(),
      limits: {
        ...h.portal.config().limits,
        credentialsPerTeam: CREDENTIALS,
        teamsPerUserPerDay: TEAMS,
      },
    }),
  };
}, 120_000);
afterAll(async () => h?.close());

async function newTeam(name: string): Promise<{ owner: Actor; teamId: string }> {
  const owner = await h.newUser(name);
  const teamId = ok(await actions.createTeam.invoke(portal, owner, { name })).teamId;
  return { owner: await h.refresh(owner), teamId };
}

const secret = (actor: Actor, teamId: string, environment: Environment = "sandbox", extra = {}) =>
  actions.createCredential.invoke(portal, actor, {
    teamId,
    environment,
    name: `svc-${newKey().slice(0, 6)}`,
    idempotencyKey: newKey(),
    ...extra,
  });
const keyPair = (actor: Actor, teamId: string, extra = {}) =>
  actions.createKeyPairCredential.invoke(portal, actor, {
    teamId,
    environment: "sandbox",
    name: `kp-${newKey().slice(0, 6)}`,
    idempotencyKey: newKey(),
    publicKeyPem: pair.publicKeyPem,
    alg: "RS256",
    ...extra,
  });

/** The team's credentials as the tenant holds them (GET /clients, consistent). */
const credentialsOf = async (teamId: string, environment: Environment = "sandbox") =>
  (await allClients(h.root[environment])).filter(
    (c) => c.client_metadata?.astral === "credential" && c.client_metadata?.teamId === teamId,
  );

const refusedOverLimit = (r: { ok: boolean; error?: { code: string; message: string } }) => {
  expect(r.ok).toBe(false);
  expect(r.error).toMatchObject({
    code: "conflict",
    message: expect.stringMatching(
      new RegExp(
        `This team has ${CREDENTIALS} Sandbox credentials, the most portal.config.js allows \\(limits.credentialsPerTeam = ${CREDENTIALS}\\); revoke one first`,
      ),
    ),
  });
};

describe("credentials per team and environment", () => {
  it("both kinds count; the next of either kind is refused, naming the limit, nothing made", async () => {
    // All within the search lag: the index shows none of them yet.
    const { owner, teamId } = await newTeam("Limited");
    ok(await secret(owner, teamId));
    ok(await keyPair(owner, teamId));
    const third = ok(await secret(owner, teamId));
    refusedOverLimit(await secret(owner, teamId));
    refusedOverLimit(await keyPair(owner, teamId));
    expect(await credentialsOf(teamId)).toHaveLength(CREDENTIALS);
    // Per environment: production has room.
    ok(await secret(owner, teamId, "production"));
    // Revoking one makes room at once (the browser passes the id it revoked: re-read by id).
    ok(
      await actions.revokeCredential.invoke(portal, owner, {
        teamId,
        environment: "sandbox",
        clientId: third.clientId,
      }),
    );
    ok(await keyPair(owner, teamId, { recent: [third.clientId] }));
    expect(await credentialsOf(teamId)).toHaveLength(CREDENTIALS);
  });

  it("another member's credentials count once the index has them", async () => {
    const { owner, teamId } = await newTeam("Shared");
    for (let i = 0; i < CREDENTIALS; i++) ok(await secret(owner, teamId));
    const colleague = await h.newUser("colleague");
    const link = ok(await actions.createTeamInvite.invoke(portal, owner, { teamId }));
    ok(await actions.acceptInvite.invoke(portal, colleague, { token: link.token }));
    await new Promise((resolve) => setTimeout(resolve, portal.searchLagMs));
    refusedOverLimit(await secret(await h.refresh(colleague), teamId));
    expect(await credentialsOf(teamId)).toHaveLength(CREDENTIALS);
  });

  it("one user's parallel creates (several tabs) never take the team past the limit", async () => {
    for (let round = 0; round < 2; round++) {
      const { owner, teamId } = await newTeam(`Racing${round}`);
      const first = ok(await secret(owner, teamId)).clientId;
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          i % 2 ? keyPair(owner, teamId) : secret(owner, teamId),
        ),
      );
      const made = (await credentialsOf(teamId)).map((c) => c.client_id ?? "");
      expect(made.length, `round ${round}`).toBeLessThanOrEqual(CREDENTIALS);
      // The tenant holds exactly what the answers say: refused creates were undone.
      const kept = results.flatMap((r) => (r.ok ? [r.data.clientId] : []));
      expect(made.sort()).toEqual([first, ...kept].sort());
      for (const r of results) if (!r.ok) expect(r.error.message).toMatch(/credentialsPerTeam/);
      // Nothing half-made: every kept credential has its grant.
      for (const id of kept) {
        const grants = await h.root.sandbox.clientGrants.list({ client_id: id });
        expect(grants.data.length).toBeGreaterThan(0);
      }
    }
  }, 60_000);
});

describe("credentials per team under Free rate limits (issue 15)", () => {
  it("10 parallel creates of one user at limit − 1: the team ends at the limit, nothing extra left", async () => {
    // Slow creates (429 waits of seconds): each finishes long after the others started, and
    // after the search lag; the re-check must still count them (fresh reads, own records).
    const { owner, teamId } = await newTeam("Throttled");
    const held = [
      ok(await secret(owner, teamId)).clientId,
      ok(await secret(owner, teamId)).clientId,
    ];
    for (const tenant of ["production", "sandbox"] as const)
      h.env.control.setRateLimitProfile(tenant, "free");
    onTestFinished(() => {
      for (const tenant of ["production", "sandbox"] as const)
        h.env.control.setRateLimitProfile(tenant, "test");
    });
    const started = Date.now();
    // The production retry policy's shape, with room for ten callers sharing 2 requests/s.
    const patient = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { retry: { maxAttempts: 12, maxWaitMs: 30_000, baseDelayMs: 200, rateLimitBackoffMs: 500 } },
    );
    const throttled: Portal = { ...patient, config: portal.config };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        actions.createCredential.invoke(throttled, owner, {
          teamId,
          environment: "sandbox",
          name: `svc-${newKey().slice(0, 6)}`,
          idempotencyKey: newKey(),
        }),
      ),
    );
    const took = Date.now() - started;
    for (const tenant of ["production", "sandbox"] as const)
      h.env.control.setRateLimitProfile(tenant, "test");
    const made = (await credentialsOf(teamId)).map((c) => c.client_id ?? "");
    const kept = results.flatMap((r) => (r.ok ? [r.data.clientId] : []));
    const refusals = results.flatMap((r) => (r.ok ? [] : [r.error.code]));
    console.info(
      `10 parallel creates at ${CREDENTIALS - 1}/${CREDENTIALS} under Free rate limits: ${kept.length} kept, refused ${refusals.join(", ")}; ${took} ms`,
    );
    expect(made).toHaveLength(CREDENTIALS);
    expect(kept).toHaveLength(1);
    expect(made.sort()).toEqual([...held, ...kept].sort());
    for (const r of results)
      if (!r.ok) expect(r.error.message).toMatch(/credentialsPerTeam|rate limit|try again/i);
    for (const id of kept) {
      const grants = await h.root.sandbox.clientGrants.list({ client_id: id });
      expect(grants.data.length).toBeGreaterThan(0);
    }
    // The owner's records hold nothing pending: every create is done or forgotten.
    const record = (await h.root.production.users.get(owner.userId)).app_metadata ?? {};
    const pending = Object.entries(record).filter(
      ([k, v]) => k.startsWith("astral_create_") && !(v as { clientId?: string }).clientId,
    );
    expect(pending).toEqual([]);
  }, 300_000);
});

describe("credentials per team: one user's creates spread over two portal processes", () => {
  it("never pass the limit (the record re-check, not the in-process queue, holds it)", async () => {
    const { owner, teamId } = await newTeam("TwoProcesses");
    ok(await secret(owner, teamId));
    // Two Portals over the same tenants, each with its own queue and its own read cache (a TTL
    // far past the test, so only reads that bypass it see the other task's writes), as two
    // tasks would have; under Free rate limits, so that creates take seconds and outlast the
    // search lag.
    const task = (): Portal => ({
      ...h.portalWith(
        { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
        {
          retry: { maxAttempts: 12, maxWaitMs: 30_000, baseDelayMs: 200, rateLimitBackoffMs: 500 },
          readCacheTtlMs: 600_000,
        },
      ),
      config: portal.config,
    });
    const tasks = [task(), task()];
    for (const tenant of ["production", "sandbox"] as const)
      h.env.control.setRateLimitProfile(tenant, "free");
    onTestFinished(() => {
      for (const tenant of ["production", "sandbox"] as const)
        h.env.control.setRateLimitProfile(tenant, "test");
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        actions.createCredential.invoke(tasks[i % 2] as Portal, owner, {
          teamId,
          environment: "sandbox",
          name: `two-${newKey().slice(0, 6)}`,
          idempotencyKey: newKey(),
        }),
      ),
    );
    for (const tenant of ["production", "sandbox"] as const)
      h.env.control.setRateLimitProfile(tenant, "test");
    const made = (await credentialsOf(teamId)).map((c) => c.client_id ?? "");
    const kept = results.flatMap((r) => (r.ok ? [r.data.clientId] : []));
    console.info(
      `6 creates over two tasks at 1/${CREDENTIALS}: ${kept.length} kept, ${made.length} held`,
    );
    expect(made.length).toBeLessThanOrEqual(CREDENTIALS);
    expect(made).toEqual(expect.arrayContaining(kept));
    for (const r of results) if (!r.ok) expect(r.error.message).toMatch(/credentialsPerTeam/);
  }, 180_000);
});

describe("credentials per team: members creating at the same moment", () => {
  it("exceed the limit by at most the room left, once per other member (ADR 0700)", async () => {
    const { owner, teamId } = await newTeam("Crowded");
    const colleague = await h.newUser("crowd-colleague");
    const link = ok(await actions.createTeamInvite.invoke(portal, owner, { teamId }));
    ok(await actions.acceptInvite.invoke(portal, colleague, { token: link.token }));
    const member = await h.refresh(colleague);
    ok(await secret(owner, teamId));
    await new Promise((resolve) => setTimeout(resolve, portal.searchLagMs)); // indexed
    const room = CREDENTIALS - 1;
    await Promise.all(
      [owner, member].flatMap((actor) => Array.from({ length: 3 }, () => secret(actor, teamId))),
    );
    // Each member alone stays within the room; neither sees the other's creates yet.
    const made = await credentialsOf(teamId);
    expect(made.length).toBeLessThanOrEqual(CREDENTIALS + room);
    const by = (actor: Actor) => made.filter((c) => c.client_metadata?.createdBy === actor.userId);
    expect(by(member).length).toBeLessThanOrEqual(room);
    expect(by(owner).length).toBeLessThanOrEqual(room + 1);
  }, 60_000);
});

describe("teams per user per day", () => {
  it("portal admins, who create teams for others, are not limited", async () => {
    const admin = await h.newUser("busy-admin", { permissions: ["portal-admin"] });
    for (let i = 0; i <= TEAMS; i++)
      ok(await actions.adminCreateTeam.invoke(portal, admin, { name: `For others ${i}` }));
  });

  it("parallel creates in the last room leave one team, and the next create is refused", async () => {
    let user = await h.newUser("last-room");
    const leave = async (teamId: string) => {
      user = await h.refresh(user);
      ok(await actions.removeMember.invoke(portal, user, { teamId, userId: user.userId }));
      user = await h.refresh(user);
    };
    for (let i = 0; i < TEAMS - 1; i++)
      await leave(
        ok(await actions.createTeam.invoke(portal, user, { name: `Before ${i}` })).teamId,
      );
    const parallel = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        actions.createTeam.invoke(portal, user, { name: `Last ${i}`, idempotencyKey: newKey() }),
      ),
    );
    for (const r of parallel) expect(r.ok || r.error.code).not.toBe("internal");
    user = await h.refresh(user);
    const records = (await allClients(h.root.production)).filter(
      (c) => c.client_metadata?.astral === "team" && c.client_metadata?.createdBy === user.userId,
    );
    // The ones left before, and the one the user is in.
    expect(records).toHaveLength(TEAMS);
    expect(records.map((c) => c.client_id)).toContain(user.teamId);
    await leave(user.teamId ?? "");
    const refused = await actions.createTeam.invoke(portal, user, { name: "One more" });
    expect(refused.ok || refused.error).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        new RegExp(
          `You created ${TEAMS} teams in the last 24 hours.*teamsPerUserPerDay = ${TEAMS}`,
        ),
      ),
    });
  }, 60_000);

  it("a user who created and left teams is refused another, naming the limit", async () => {
    let user = await h.newUser("team-hopper");
    for (let i = 0; i < TEAMS; i++) {
      const team = ok(await actions.createTeam.invoke(portal, user, { name: `Hop ${i}` }));
      user = await h.refresh(user);
      ok(
        await actions.removeMember.invoke(portal, user, {
          teamId: team.teamId,
          userId: user.userId,
        }),
      );
      user = await h.refresh(user);
    }
    const refused = await actions.createTeam.invoke(portal, user, { name: "Hop again" });
    expect(refused.ok || refused.error).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        /You created 2 teams in the last 24 hours.*teamsPerUserPerDay/,
      ),
    });
    expect((await h.refresh(user)).teamId).toBeUndefined();
  });
});

describe("the whole tenant's cap (limits.applicationsPerTenant)", () => {
  it("refuses new teams and credentials before the plan's limit, keeping the reserve, and admins see the count", async () => {
    const { owner, teamId } = await newTeam("Capped");
    const held = (await allClients(h.root.sandbox)).length;
    // Room for exactly one more client in sandbox, with 2 kept for the backend's own clients.
    const capped: Portal = {
      ...portal,
      config: () => ({
        ...portal.config(),
        limits: {
          ...portal.config().limits,
          applicationsPerTenant: held + 3,
          reservedApplications: 2,
        },
      }),
    };
    const create = () =>
      actions.createCredential.invoke(capped, owner, {
        teamId,
        environment: "sandbox",
        name: `cap-${newKey().slice(0, 6)}`,
        idempotencyKey: newKey(),
      });
    ok(await create());
    const refused = await create();
    expect(refused.ok || refused.error).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        /The sandbox tenant holds \d+ applications; portal.config.js keeps the last 2 of its \d+ .*for the portal's own clients/,
      ),
    });
    expect(await allClients(h.root.sandbox)).toHaveLength(held + 1);
    const usage = ok(await actions.adminTenantUsage.invoke(capped, h.admin, {}));
    expect(usage).toContainEqual({
      environment: "sandbox",
      applications: held + 1,
      cap: held + 1,
      limit: held + 3,
    });
  });
});
