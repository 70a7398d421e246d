/**
 * Least privilege, measured rather than asserted by hand, for the grant `backendScopes` derives
 * from the credential kinds an environment offers (the 20 scopes, plus `create:client_credentials`
 * where key pairs are offered; this harness offers both kinds):
 *  1. with exactly those scopes every portal flow passes, and we record which
 *     Management API operations the portal called;
 *  2. from Auth0's OpenAPI document (each operation's scopes, any one allows it) we predict which
 *     scopes are individually needed: those that are the only contract scope allowing one of the
 *     called operations;
 *  3. for each scope we run every flow with a backend holding the others: a flow fails with the
 *     tenant's 403 exactly when the scope is predicted needed (`create:client_credentials`: by
 *     the body rule of POST /clients with client_authentication_methods, not the operation's).
 * An offer of client secrets only works with exactly the 20 scopes, and there a key-pair create
 * is refused.
 * Scopes that no flow needs are reported (printed and asserted), not hidden. The key-pair flows
 * (create, try, Replace…, revoke; ADR 0800) are also measured alone, in a team set up with every
 * scope, so that the table says what key pairs need and not only what fails first.
 */
import {
  backendScopes,
  type Environment,
  KEY_PAIR_SCOPES,
  MANAGEMENT_API_SCOPES,
  managementApiAudience,
} from "@astral/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManagementApi } from "../../emulator/src/openapi";
import { startSeededTenants } from "../../emulator/test-support";
import { atMost } from "../../tests/support/at-most";
import type { Portal } from "../lib/domain/context";
import { runAllFlows, runKeyPairFlows } from "./flows";
import { type PortalHarness, startPortalHarness } from "./support";

type OpenApi = {
  paths: Record<string, Record<string, { security?: Array<Record<string, string[] | undefined>> }>>;
};

/** "GET /api/v2/clients/abc" → the OpenAPI operation "GET /clients/{id}" and its scopes. */
function operationScopes(doc: OpenApi, called: string): { template: string; scopes: string[] } {
  const [method, fullPath] = called.split(" ") as [string, string];
  const pathname = fullPath.replace(/^\/api\/v2/, "");
  // Literal paths first, so that `/clients/search` never reads as `/clients/{id}`.
  const templates = Object.entries(doc.paths).sort(
    ([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0),
  );
  for (const [template, ops] of templates) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (!re.test(pathname)) continue;
    const op = ops[method.toLowerCase()];
    if (!op) continue;
    const scopes = (op.security ?? []).flatMap((s) => s.oAuth2ClientCredentials ?? []);
    return { template: `${method} ${template}`, scopes };
  }
  throw new Error(`no OpenAPI operation for ${called}`);
}

/** The grant where both kinds are offered (this harness's portal config). */
const FULL_SCOPES = backendScopes(["client_secret", "key_pair"]);

let h: PortalHarness;
const calledOperations = new Map<string, string[]>();
const keyPairOperations = new Map<string, string[]>();

/** The OpenAPI operations a portal called, each with the contract scopes that allow it. */
function recordOperations(portal: Portal, into: Map<string, string[]>) {
  // Auth0's document with the local supplements it predates (GET /clients/search).
  const doc = loadManagementApi() as unknown as OpenApi;
  for (const tenant of Object.values(portal.tenants))
    for (const called of tenant.operations.keys()) {
      const { template, scopes } = operationScopes(doc, called);
      into.set(
        template,
        scopes.filter((s) => FULL_SCOPES.includes(s)),
      );
    }
}

/** Scopes that are the only contract scope allowing one of the operations. */
const onlyScopes = (operations: Map<string, string[]>) =>
  [
    ...new Set([...operations.values()].filter((s) => s.length === 1).map((s) => s[0] as string)),
  ].sort();

const table = (title: string, operations: Map<string, string[]>) =>
  [title, ...[...operations].sort().map(([op, s]) => `  ${op.padEnd(40)} ${s.join(" | ")}`)].join(
    "\n",
  );

async function backendWithout(missing: string[], from: readonly string[] = FULL_SCOPES) {
  const scope = from.filter((s) => !missing.includes(s));
  const creds: Partial<Record<Environment, { clientId: string; clientSecret: string }>> = {};
  for (const environment of ["production", "sandbox"] as const) {
    const client = await h.root[environment].clients.create({
      name: `Backend without ${missing.join("+")}`,
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
    });
    await h.root[environment].clientGrants.create({
      client_id: client.client_id as string,
      audience: managementApiAudience(h.env.tenants[environment].domain),
      scope,
    });
    creds[environment] = {
      clientId: client.client_id as string,
      clientSecret: client.client_secret as string,
    };
  }
  return h.portalWith(creds);
}

beforeAll(async () => {
  // This file takes scopes away on purpose: the 403s it provokes are the test's, not requests the
  // product makes with its real grant, so they stay out of the conformance record.
  h = await startPortalHarness(await startSeededTenants({ recordConformance: false }));
}, 120_000);
afterAll(async () => h?.close());

describe("least privilege: the contract's scopes for the offered kinds", () => {
  let predictedNeeded: string[] = [];
  let alternatives: string[][] = [];

  it("client secrets only: every flow passes with exactly the 20 scopes, and a key-pair create is refused for create:client_credentials", async () => {
    expect(backendScopes(["client_secret"])).toEqual([...MANAGEMENT_API_SCOPES]);
    const portal = await backendWithout([], MANAGEMENT_API_SCOPES);
    expect(await runAllFlows(h, portal, { keyPairs: false })).toEqual({ ok: true });
    const keyPairs = await runKeyPairFlows(h, portal);
    expect(keyPairs).toMatchObject({
      ok: false,
      step: "create key pair",
      code: "upstream_forbidden",
    });
  }, 120_000);

  it("every flow passes with exactly the 21 scopes where key pairs are offered", async () => {
    expect(FULL_SCOPES).toHaveLength(21);
    const portal = await backendWithout([]);
    const outcome = await runAllFlows(h, portal);
    expect(outcome).toEqual({ ok: true });
    recordOperations(portal, calledOperations);
    const keyPairs = await backendWithout([]);
    expect(await runKeyPairFlows(h, keyPairs)).toEqual({ ok: true });
    recordOperations(keyPairs, keyPairOperations);
    const allowedBy = [...calledOperations.values()];
    // The body rule: client_authentication_methods on POST /clients needs create:client_credentials.
    predictedNeeded = [...onlyScopes(calledOperations), ...KEY_PAIR_SCOPES].sort();
    alternatives = allowedBy.filter((s) => s.length > 1).map((s) => [...s].sort());
    alternatives = [...new Map(alternatives.map((a) => [a.join("|"), a])).values()];
    console.log(
      table(
        "Management API operations the portal calls (contract scopes that allow each):",
        calledOperations,
      ),
    );
    console.log(
      table(
        "Of these, the key-pair flows call (create, try, Replace…, revoke):",
        keyPairOperations,
      ),
    );
  });

  it("each scope: removing it makes a flow fail with 403 exactly when it is the only scope for an operation the portal calls", async () => {
    const observedNeeded: string[] = [];
    const report: string[] = [];
    const keyPairNeeded: string[] = [];
    // Each scope's run has its own backend, users and teams: four at once (tests/support/at-most.ts).
    const runs = await atMost(4, FULL_SCOPES, async (scope) => {
      const backend = await backendWithout([scope]);
      return {
        scope,
        outcome: await runAllFlows(h, backend),
        keyPairs: await runKeyPairFlows(h, backend),
      };
    });
    for (const { scope, outcome, keyPairs } of runs) {
      let forKeyPairs = "key pairs: not needed";
      if (!keyPairs.ok) {
        expect(keyPairs.code, `${scope}: ${keyPairs.step}: ${keyPairs.message}`).toBe(
          "upstream_forbidden",
        );
        keyPairNeeded.push(scope);
        forKeyPairs = `key pairs: "${keyPairs.step}" gets 403`;
      }
      if (!outcome.ok) {
        // The only acceptable failure is the tenant refusing the portal for lack of a scope.
        expect(outcome.code, `${scope}: ${outcome.step}: ${outcome.message}`).toBe(
          "upstream_forbidden",
        );
        observedNeeded.push(scope);
        report.push(
          `  needed      ${scope.padEnd(26)} without it: "${outcome.step}" gets 403; ${forKeyPairs}`,
        );
      } else {
        const alt = alternatives.find((a) => a.includes(scope));
        report.push(
          `  not needed  ${scope.padEnd(26)} ${alt ? `alternative: ${alt.filter((s) => s !== scope).join(", ")} allows the same operations` : "gates no operation the portal calls"}; ${forKeyPairs}`,
        );
      }
    }
    console.log(["Least privilege, one scope removed at a time:", ...report].join("\n"));
    expect(observedNeeded.sort()).toEqual(predictedNeeded);
    expect(keyPairNeeded.sort()).toEqual(
      [...onlyScopes(keyPairOperations), ...KEY_PAIR_SCOPES].sort(),
    );
    // Key pairs need create:client_credentials beyond the secrets' scopes, and no other
    // *:client_credentials (ADR 0800).
    expect(keyPairNeeded).toEqual([
      "create:client_credentials",
      "create:client_grants",
      "create:clients",
      "delete:clients",
      "read:clients", // the look-alike names search; GET /clients/{id} also takes read:client_keys
      "read:users", // the create-once record on the acting user
    ]);
    // Pinned, so that a change in what the portal calls shows up in review.
    expect(observedNeeded).toEqual([
      "create:client_credentials",
      "create:client_grants",
      "create:clients",
      "delete:clients",
      "read:client_grants",
      "read:clients", // GET /clients/search takes read:clients (or read:client_summary) only
      "read:users",
      "update:client_keys",
    ]);
  }, 120_000);

  it("alternatives: removing both scopes of a pair makes a flow fail with 403", async () => {
    expect(alternatives.map((a) => a.join("|")).sort()).toEqual([
      "read:client_keys|read:clients",
      "update:client_keys|update:clients", // PATCH /clients/{id}: marking a team being deleted, invite epochs
      "update:users|update:users_app_metadata",
    ]);
    const outcomes = await atMost(4, alternatives, async (pair) =>
      runAllFlows(h, await backendWithout(pair)),
    );
    outcomes.forEach((outcome, i) => {
      const pair = alternatives[i] ?? [];
      expect(outcome.ok ? "passed" : outcome.code, pair.join("+")).toBe("upstream_forbidden");
    });
  }, 60_000);
});
