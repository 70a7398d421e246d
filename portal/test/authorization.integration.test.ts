/**
 * The authorisation matrix: every registered action (pages read through them, every server
 * action calls one) × anonymous / member of another team / member / portal admin, against the
 * local tenants. Denied calls must be refused by the guard before any Management API call.
 * A new action without a sample here fails the test, so the enumeration stays complete.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SampleApi } from "../../sample-api/server";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { type Access, registry } from "../lib/guard";
import { newRsaKeyPair, signAssertion } from "./key-pairs";
import { SAMPLE_API_ID, withSampleApi } from "./reference";
import { newKey, ok, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
let member: Actor;
let outsider: Actor;
let teamId: string;
let sampleApi: SampleApi | undefined;

type Sample = () => Promise<Record<string, unknown>>;
const samples: Record<string, Sample> = {};

async function freshCredential(environment: "sandbox" | "production" = "sandbox") {
  return ok(
    await actions.createCredential.invoke(h.portal, member, {
      teamId,
      environment,
      name: "matrix",
      idempotencyKey: newKey(),
    }),
  );
}

const keyPair = newRsaKeyPair();
async function freshKeyPair(environment: "sandbox" | "production" = "sandbox") {
  return ok(
    await actions.createKeyPairCredential.invoke(h.portal, member, {
      teamId,
      environment,
      name: "matrix key",
      idempotencyKey: newKey(),
      publicKeyPem: keyPair.publicKeyPem,
      alg: "RS256",
    }),
  );
}

beforeAll(async () => {
  h = await startPortalHarness();
  sampleApi = await withSampleApi(h);
  member = await h.newUser("member");
  outsider = await h.newUser("outsider");
  teamId = ok(await actions.createTeam.invoke(h.portal, member, { name: "Team A" })).teamId;
  ok(await actions.createTeam.invoke(h.portal, outsider, { name: "Team B" }));
  member = await h.refresh(member);
  outsider = await h.refresh(outsider);

  Object.assign(samples, {
    whoAmI: async () => ({}),
    getTeam: async () => ({ teamId }),
    listMembers: async () => ({ teamId }),
    removeMember: async () => {
      const u = await h.newUser("removable");
      const invite = ok(await actions.createTeamInvite.invoke(h.portal, member, { teamId }));
      ok(await actions.acceptInvite.invoke(h.portal, u, { token: invite.token }));
      return { teamId, userId: u.userId };
    },
    createTeam: async () => ({ name: "Another team" }),
    createTeamInvite: async () => ({ teamId }),
    // Team access: the team's members, and portal admins (who manage every team) may reset.
    resetTeamInvites: async () => ({ teamId }),
    acceptInvite: async () => ({
      token: ok(await actions.createTeamInvite.invoke(h.portal, member, { teamId })).token,
    }),
    listCredentials: async () => ({ teamId, environment: "sandbox" }),
    createCredential: async () => ({
      teamId,
      environment: "sandbox",
      name: "matrix",
      idempotencyKey: newKey(),
    }),
    createKeyPairCredential: async () => ({
      teamId,
      environment: "production",
      name: "matrix key",
      idempotencyKey: newKey(),
      publicKeyPem: keyPair.publicKeyPem,
      alg: "PS256",
      replaces: (await freshKeyPair("production")).clientId,
    }),
    tryKeyPairCredential: async () => {
      const c = await freshKeyPair();
      return {
        teamId,
        clientId: c.clientId,
        clientAssertion: await signAssertion(c.clientId, keyPair.privateKey, c.assertionAudience),
        audience: c.audiences[0],
      };
    },
    rotateCredentials: async () => ({
      teamId,
      credentials: [{ environment: "sandbox", clientId: (await freshCredential()).clientId }],
    }),
    rotateCredential: async () => ({
      teamId,
      environment: "sandbox",
      clientId: (await freshCredential()).clientId,
    }),
    revokeCredential: async () => ({
      teamId,
      environment: "production",
      clientId: (await freshCredential("production")).clientId,
    }),
    tryCredential: async () => {
      const c = await freshCredential();
      return {
        teamId,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        audience: c.audiences[0],
      };
    },
    // A real request to the sample API with a token from a fresh Sandbox credential.
    tryApiRequest: async () => {
      const c = await freshCredential();
      const token = ok(
        await actions.tryCredential.invoke(h.portal, member, {
          teamId,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
          audience: c.audiences[0],
        }),
      );
      return {
        teamId,
        clientId: c.clientId,
        api: SAMPLE_API_ID,
        operationId: "listExamples",
        path: "/examples",
        accessToken: token.accessToken,
      };
    },
    adminListTeams: async () => ({}),
    adminCreateTeam: async () => ({ name: "Admin made" }),
    adminDeleteTeam: async () => ({
      teamId: ok(await actions.adminCreateTeam.invoke(h.portal, h.admin, { name: "To delete" }))
        .teamId,
    }),
    adminCreateAdminInvite: async () => ({ email: "Invitee@Example.test" }),
    adminListAdminInvites: async () => ({}),
    adminRevokeAdminInvite: async () => {
      const invite = ok(
        await actions.adminCreateAdminInvite.invoke(h.portal, h.admin, { email: "r@example.test" }),
      );
      return { issuerId: h.admin.userId, inviteId: decodeJwt(invite.token).jti };
    },
    adminTenantUsage: async () => ({}),
    adminListAdmins: async () => ({}),
    adminRemoveAdmin: async () => {
      const u = await h.newUser("temp-admin", { permissions: ["portal-admin"] });
      return { userId: u.userId };
    },
  } satisfies Record<keyof typeof actions, Sample>);
}, 120_000);
afterAll(async () => {
  await sampleApi?.close();
  await h?.close();
});

type Who = "anonymous" | "otherTeamMember" | "member" | "admin";
const WHO: Who[] = ["anonymous", "otherTeamMember", "member", "admin"];

function allowed(access: Access, who: Who): boolean {
  if (who === "anonymous") return false;
  if (access === "user" || who === "admin") return true;
  if (access === "admin") return false;
  return who === "member"; // team access: the input's team is the member's
}

describe("authorisation matrix", () => {
  it("covers every registered action", () => {
    expect(Object.keys(samples).sort()).toEqual([...registry.keys()].sort());
  });

  for (const [name, action] of Object.entries(actions)) {
    for (const who of WHO) {
      const expectation = allowed(action.access, who) ? "allowed" : "denied";
      it(`${name} (${action.access}) × ${who}: ${expectation}`, async () => {
        const sample = samples[name];
        if (!sample) throw new Error(`no sample for ${name}`);
        const input = await sample();
        const actor =
          who === "anonymous"
            ? null
            : who === "otherTeamMember"
              ? await h.refresh(outsider)
              : who === "member"
                ? await h.refresh(member)
                : h.admin;
        const before =
          (h.portal.tenants.production?.calls.api ?? 0) +
          (h.portal.tenants.sandbox?.calls.api ?? 0);
        const result = await action.invoke(h.portal, actor, input);
        const after =
          (h.portal.tenants.production?.calls.api ?? 0) +
          (h.portal.tenants.sandbox?.calls.api ?? 0);
        if (expectation === "denied") {
          expect(result.ok).toBe(false);
          if (!result.ok)
            expect(result.error.code).toBe(who === "anonymous" ? "unauthenticated" : "forbidden");
          expect(after - before).toBe(0); // refused before touching the tenants
        } else if (!result.ok) {
          // Allowed by the guard; a domain rule may still say no (e.g. one team per user).
          expect(["unauthenticated", "forbidden"]).not.toContain(result.error.code);
          expect(["conflict"]).toContain(result.error.code);
        }
      });
    }
  }

  it("a team id in the input cannot widen access: a member naming another team is refused", async () => {
    const result = await actions.listCredentials.invoke(h.portal, member, {
      teamId: outsider.teamId,
      environment: "sandbox",
    });
    expect(result.ok || result.error.code).toBe("forbidden");
  });

  it("a credential of another team cannot be rotated by naming it under one's own team", async () => {
    const foreign = ok(
      await actions.createCredential.invoke(h.portal, outsider, {
        teamId: outsider.teamId,
        environment: "sandbox",
        name: "foreign",
        idempotencyKey: newKey(),
      }),
    );
    const result = await actions.rotateCredential.invoke(h.portal, member, {
      teamId,
      environment: "sandbox",
      clientId: foreign.clientId,
    });
    expect(result.ok || result.error.code).toBe("not_found");
  });

  it("replaying another user's team-creation key does not join their team", async () => {
    const owner = await h.newUser("key-owner");
    const key = newKey();
    const created = ok(
      await actions.createTeam.invoke(h.portal, owner, { name: "Keyed", idempotencyKey: key }),
    );
    const intruder = await h.newUser("key-replayer");
    const replay = await actions.createTeam.invoke(h.portal, intruder, {
      name: "Anything",
      idempotencyKey: key,
    });
    // Keys are recorded per user (ADR 0600): the replay is the intruder's own create, never a
    // way into the owner's team.
    if (replay.ok) expect(replay.data.teamId).not.toBe(created.teamId);
    expect((await h.refresh(intruder)).teamId).not.toBe(created.teamId);
    expect((await h.refresh(owner)).teamId).toBe(created.teamId);
  });
});

describe("routes and server actions", () => {
  const appDir = path.join(__dirname, "..", "app");
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });

  it("the route handlers are the public health and readiness checks, which reveal nothing, and the signed-in rate-limit wait", async () => {
    const routes = walk(appDir)
      .filter((f) => /route\.tsx?$/.test(f))
      .map((f) => path.relative(appDir, f))
      .sort();
    // api/rate-wait: refused without a session (rate-wait.unit.test.ts).
    expect(routes).toEqual(["api/health/route.ts", "api/rate-wait/route.ts", "api/ready/route.ts"]);
    process.env.PORTAL_CONFIG = h.configFile;
    try {
      const { GET } = await import("../app/api/health/route");
      const res = GET();
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
      // Readiness (lib/readiness.ts, tested in readiness.unit): "ok" once warm, nothing more.
      (await import("../lib/readiness")).markWarm();
      const ready = (await import("../app/api/ready/route")).GET();
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ok" });
    } finally {
      delete process.env.PORTAL_CONFIG;
    }
  });

  it("every server action goes through the guard with a registered action", () => {
    // Any "use server" directive, in either quote style, file-level or inline in a component or
    // page, makes a server action: the only one allowed is the top of app/actions.ts.
    const portalDir = path.join(appDir, "..");
    const sources = ["app", "components", "lib"]
      .flatMap((d) => walk(path.join(portalDir, d)))
      .filter((f) => /\.(ts|tsx|js|jsx|mjs)$/.test(f));
    const directives = sources.flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/(^|[{;\s])(["'])use server\2/g)].map(
        (m) => `${path.relative(portalDir, f)}@${m.index}`,
      ),
    );
    expect(directives).toEqual(["app/actions.ts@0"]);
    const files = walk(appDir).filter((f) => readFileSync(f, "utf8").startsWith('"use server"'));
    expect(files.map((f) => path.relative(appDir, f))).toEqual(["actions.ts"]);
    for (const file of files) {
      const source = readFileSync(file, "utf8");
      const exported = [
        ...source.matchAll(
          /export async function (\w+)\(input: unknown\) \{\n\s+return run\(actions\.(\w+), input\);\n\}/g,
        ),
      ];
      const allExports = [...source.matchAll(/^export /gm)];
      expect(exported.length).toBe(allExports.length);
      for (const [, , action] of exported) expect(registry.has(action as string)).toBe(true);
    }
  });

  it("pages and components read data only through the guard, never the domain or the SDK", () => {
    const portalDir = path.join(appDir, "..");
    const offenders = ["app", "components"]
      .flatMap((d) => walk(path.join(portalDir, d)))
      .filter((f) =>
        /from "(@\/lib\/(management|domain\/(?!context")[^"]*)|auth0|\.\.?\/[^"]*(management|domain)\/[^"]*)"/.test(
          readFileSync(f, "utf8"),
        ),
      )
      .map((f) => path.relative(portalDir, f));
    expect(offenders).toEqual([]);
    // Actions are defined in the registry this matrix imports (actions.ts, which spreads the
    // admin pages' admin-actions.ts): none escapes it.
    const definers = ["app", "components", "lib"]
      .flatMap((d) => walk(path.join(portalDir, d)))
      .filter((f) => /\bdefineAction\(/.test(readFileSync(f, "utf8")))
      .map((f) => path.relative(portalDir, f));
    expect(definers).toEqual(["lib/actions.ts", "lib/admin-actions.ts"]);
  });
});
