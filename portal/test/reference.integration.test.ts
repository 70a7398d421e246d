/**
 * "Try it" through the portal (tryApiRequest) against the sample API and the local tenants: a
 * real 200 with the credential's scope, a 403 explained as a missing scope, and the limits that
 * keep it from being an open proxy (only the configured Sandbox base URL, only the document's
 * operations and query parameters, only this credential's token, never Production).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SampleApi } from "../../sample-api/server";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { addApisToConfig, SAMPLE_API_ID, SAMPLE_OPENAPI, withSampleApi } from "./reference";
import { newKey, ok, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
let api: SampleApi;
let member: Actor;
let teamId: string;
let clientId: string;
let accessToken: string;
// A server the proxy must never reach: any hit fails the open-proxy test.
let trap: Server;
let trapHits = 0;
let trapUrl: string;

const request = (input: Record<string, unknown>, actor: Actor = member) =>
  actions.tryApiRequest.invoke(h.portal, actor, {
    teamId,
    clientId,
    api: SAMPLE_API_ID,
    accessToken,
    ...input,
  });

beforeAll(async () => {
  h = await startPortalHarness();
  api = await withSampleApi(h);
  trap = createServer((_req, res) => {
    trapHits++;
    res.end("trapped");
  });
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  member = await h.newUser("try-it");
  teamId = ok(await actions.createTeam.invoke(h.portal, member, { name: "Try it" })).teamId;
  member = await h.refresh(member);
  const credential = ok(
    await actions.createCredential.invoke(h.portal, member, {
      teamId,
      environment: "sandbox",
      name: "try it",
      idempotencyKey: newKey(),
    }),
  );
  clientId = credential.clientId;
  accessToken = ok(
    await actions.tryCredential.invoke(h.portal, member, {
      teamId,
      clientId,
      clientSecret: credential.clientSecret,
      audience: credential.audiences[0],
    }),
  ).accessToken;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => trap?.close(resolve));
  await h?.close();
});

describe("Try it through the portal", () => {
  it("sends the operation to the Sandbox base URL with the token: 200 from the sample API", async () => {
    const list = ok(
      await request({ operationId: "listExamples", path: "/examples", query: { limit: "1" } }),
    );
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toMatchObject({ examples: [{ id: "ex_1" }] });
    expect(list.explanation).toBeUndefined();
    const one = ok(await request({ operationId: "getExample", path: "/examples/ex_1" }));
    expect(one.status).toBe(200);
  });

  it("explains a 403 as the missing scope, naming it and what the token has", async () => {
    const result = ok(
      await request({ operationId: "createExample", path: "/examples", body: '{"name":"x"}' }),
    );
    expect(result.status).toBe(403);
    expect(result.explanation).toContain("missing scope");
    expect(result.explanation).toContain("write:examples");
    expect(result.explanation).toContain("read:examples");
  });

  it("forwards only paths that fit the operation: no traversal, no other host", async () => {
    for (const path of [
      "/examples/..",
      "/examples/%2E%2E",
      "/examples/a%2Fb",
      "/examples/a/b",
      `//127.0.0.1:${new URL(trapUrl).port}/examples`,
      "/other",
    ]) {
      const result = await request({ operationId: "getExample", path });
      expect(result.ok ? "sent" : result.error.code, path).toBe("invalid_input");
    }
    expect(ok(await request({ operationId: "listExamples", path: "/examples" })).status).toBe(200);
    expect(trapHits).toBe(0);
  });

  it("refuses an operation the document does not have and query parameters it does not declare", async () => {
    const unknown = await request({ operationId: "deleteEverything", path: "/examples" });
    expect(unknown.ok || unknown.error.code).toBe("not_found");
    const query = await request({
      operationId: "listExamples",
      path: "/examples",
      query: { url: trapUrl },
    });
    expect(query.ok || query.error.message).toContain("Not a query parameter");
  });

  it("refuses a token that is not this credential's", async () => {
    const other = ok(
      await actions.createCredential.invoke(h.portal, member, {
        teamId,
        environment: "sandbox",
        name: "other",
        idempotencyKey: newKey(),
      }),
    );
    const result = await request({
      clientId: other.clientId,
      operationId: "listExamples",
      path: "/examples",
    });
    expect(result.ok || result.error.message).toContain("not this credential's token");
  });

  it("never sends to an API without a Sandbox (Production is never a target)", async () => {
    const audience = h.env.seed.sandbox.exampleApi.identifier;
    addApisToConfig(h.configFile, [
      {
        id: SAMPLE_API_ID,
        title: "Example API",
        openapi: SAMPLE_OPENAPI,
        environments: { production: { audience, baseUrl: trapUrl.replace("http:", "https:") } },
      },
    ]);
    try {
      const result = await request({ operationId: "listExamples", path: "/examples" });
      expect(result.ok || result.error.message).toBe("This API has no Sandbox to try it on.");
      expect(trapHits).toBe(0);
    } finally {
      addApisToConfig(h.configFile, [
        {
          id: SAMPLE_API_ID,
          title: "Example API",
          openapi: SAMPLE_OPENAPI,
          environments: { sandbox: { audience, baseUrl: api.url } },
        },
      ]);
    }
  });
});
