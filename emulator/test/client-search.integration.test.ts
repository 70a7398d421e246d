/**
 * `GET /clients/search` as Auth0 documents it, the `q` restrictions of `GET /clients`, and the
 * search lag (writes reach searches only after it; reads by id are consistent at once).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../test-support";
import { call, expectAuth0Error, managementToken } from "./helpers";

const LAG_MS = 400;
let env: SeededTenants;
let base: string;
let token: string;

interface SearchPage {
  clients: Array<Record<string, unknown>>;
  next?: string;
}

beforeAll(async () => {
  env = await startSeededTenants({ searchLagMs: LAG_MS });
  base = env.tenants.sandbox.baseUrl;
  token = await managementToken(env, "sandbox");
  for (const [name, teamId] of [
    ["search a1", "Team-A"],
    ["search a2", "Team-A"],
    ["search a3", "Team-A"],
    ["search b1", "team-a"],
    ["search long", "x".repeat(65)],
  ]) {
    const made = await call(base, "POST", "/api/v2/clients", {
      token,
      body: {
        name,
        app_type: "non_interactive",
        client_metadata: { teamId: teamId as string, astral: "credential" },
      },
    });
    expect(made.status).toBe(201);
  }
  await new Promise((r) => setTimeout(r, LAG_MS + 100));
});
afterAll(() => env?.close());

const search = (query: string, bearer = token) =>
  call(base, "GET", `/api/v2/clients/search?${query}`, { token: bearer });
const q = (expr: string) => `q=${encodeURIComponent(expr)}`;
const names = (body: unknown) => (body as SearchPage).clients.map((c) => c.name);

describe("GET /clients/search", () => {
  it("filters on metadata, case-sensitively, and never returns secrets", async () => {
    const reply = await search(q('metadata.teamId:"Team-A"'));
    expect(reply.status).toBe(200);
    expect(names(reply.body)).toEqual(["search a1", "search a2", "search a3"]);
    for (const client of (reply.body as SearchPage).clients) {
      for (const hidden of ["client_secret", "encryption_key", "signing_keys", "owners", "addons"])
        expect(client).not.toHaveProperty(hidden);
    }
    expect(names((await search(q('metadata.teamId:"team-a"'))).body)).toEqual(["search b1"]);
  });

  it("pages with take and an opaque next cursor, without totals", async () => {
    const first = await search(`${q("metadata.teamId:Team-A")}&take=2&include_totals=true`);
    expect(first.status).toBe(200);
    const body = first.body as SearchPage & Record<string, unknown>;
    expect(names(body)).toEqual(["search a1", "search a2"]);
    expect(body).not.toHaveProperty("total");
    expect(typeof body.next).toBe("string");
    const second = await search(
      `${q("metadata.teamId:Team-A")}&take=2&from=${encodeURIComponent(body.next as string)}`,
    );
    expect(names(second.body)).toEqual(["search a3"]);
    expect(second.body).not.toHaveProperty("next");
    expect((await search("take=101")).status).toBe(400);
    expect(expectAuth0Error(await search("from=garbage")).statusCode).toBe(400);
  });

  it("accepts SCIM filters and the documented fields and operators", async () => {
    const scim = await search(
      `parser=scim&${q('metadata.teamId eq "Team-A" and name ew "a2"')}&fields=name,client_id`,
    );
    expect(scim.status).toBe(200);
    expect((scim.body as SearchPage).clients).toEqual([
      { name: "search a2", client_id: expect.any(String) },
    ]);
    expect(names((await search(`${q("name:search*")}&sort=name&take=3`)).body)).toEqual([
      "search a1",
      "search a2",
      "search a3",
    ]);
    expect(names((await search(q("app_type:non_interactive AND name:*long"))).body)).toEqual([
      "search long",
    ]);
  });

  it("refuses more than 5 filter operations, unknown fields and long metadata values", async () => {
    const six = Array.from({ length: 6 }, (_, i) => `metadata.k${i}:v`).join(" OR ");
    const five = Array.from({ length: 5 }, (_, i) => `metadata.k${i}:v`).join(" OR ");
    expect((await search(q(five))).status).toBe(200);
    expect(expectAuth0Error(await search(q(six))).message).toMatch(/at most 5/);
    expect(expectAuth0Error(await search(q("description:x"))).message).toMatch(
      /cannot be searched/,
    );
    expect(expectAuth0Error(await search(q("metadata.a.b:x"))).statusCode).toBe(400);
    expect(expectAuth0Error(await search(q(`metadata.teamId:${"x".repeat(65)}`))).message).toMatch(
      /64 characters/,
    );
    // A stored value over 64 characters is not in the index: the client is not found by it.
    expect(
      names((await search(q('name:"search long" AND _exists_:metadata.teamId'))).body),
    ).toEqual([]);
    expect(
      names((await search(q('name:"search long" AND _exists_:metadata.astral'))).body),
    ).toEqual(["search long"]);
  });

  it("takes read:clients or read:client_summary, not read:client_keys alone", async () => {
    for (const scope of ["read:clients", "read:client_summary"]) {
      const t = await managementToken(env, "sandbox", [scope]);
      expect((await search("take=1", t)).status, scope).toBe(200);
    }
    const keys = await managementToken(env, "sandbox", ["read:client_keys"]);
    expect((await search("take=1", keys)).status).toBe(403);
    expect((await call(base, "GET", "/api/v2/clients/search")).status).toBe(401);
  });
});

describe("GET /clients?q=", () => {
  it("permits only the two client_grant queries, alone, with checkpoint paging", async () => {
    const list = (query: string) => call(base, "GET", `/api/v2/clients?${query}`, { token });
    for (const bad of [
      q('name:"search a1"'),
      q('client_metadata.teamId:"Team-A"'),
      `${q("client_grant.allow_any_organization:true")}`,
      `${q("client_grant.allow_any_organization:true")}&take=5&app_type=spa`,
      `${q("client_grant.allow_any_organization:true")}&take=5&page=0`,
    ]) {
      expect(expectAuth0Error(await list(bad)).statusCode, bad).toBe(400);
    }
    const ok = await list(`${q("client_grant.allow_any_organization:true")}&take=5`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ clients: [] });
    const org = await list(`${q("client_grant.organization_id:org_abc")}&take=5`);
    expect(org.body).toEqual({ clients: [] });
  });
});

describe("search lag", () => {
  it("shows a write to searches only after the lag; a read by id sees it at once", async () => {
    const made = await call(base, "POST", "/api/v2/clients", {
      token,
      body: { name: "lagging", client_metadata: { teamId: "Lag" } },
    });
    const id = (made.body as { client_id: string }).client_id;
    expect((await call(base, "GET", `/api/v2/clients/${id}`, { token })).status).toBe(200);
    expect(names((await search(q("metadata.teamId:Lag"))).body)).toEqual([]);
    await new Promise((r) => setTimeout(r, LAG_MS + 100));
    expect(names((await search(q("metadata.teamId:Lag"))).body)).toEqual(["lagging"]);

    await call(base, "DELETE", `/api/v2/clients/${id}`, { token });
    expect(names((await search(q("metadata.teamId:Lag"))).body)).toEqual(["lagging"]);
    await new Promise((r) => setTimeout(r, LAG_MS + 100));
    expect(names((await search(q("metadata.teamId:Lag"))).body)).toEqual([]);
  });

  it("lags user search too, but not users-by-email", async () => {
    const email = `lag-${Date.now()}@example.com`;
    const made = await call(base, "POST", "/api/v2/users", {
      token,
      body: { connection: "Username-Password-Authentication", email, password: "Lag-Pass-2026!" },
    });
    expect(made.status).toBe(201);
    const byQuery = () =>
      call(base, "GET", `/api/v2/users?q=${encodeURIComponent(`email:"${email}"`)}`, { token });
    expect((await byQuery()).body).toEqual([]);
    const byEmail = await call(
      base,
      "GET",
      `/api/v2/users-by-email?email=${encodeURIComponent(email)}`,
      { token },
    );
    expect(byEmail.body).toHaveLength(1);
    await new Promise((r) => setTimeout(r, LAG_MS + 100));
    expect((await byQuery()).body).toHaveLength(1);
  });

  it("can be turned off and survives a reset", async () => {
    env.control.setSearchLag(0);
    await env.control.reset("sandbox");
    token = await managementToken(env, "sandbox");
    const made = await call(base, "POST", "/api/v2/clients", {
      token,
      body: { name: "at once", client_metadata: { teamId: "Now" } },
    });
    expect(made.status).toBe(201);
    expect(names((await search(q("metadata.teamId:Now"))).body)).toEqual(["at once"]);
    env.control.setSearchLag(LAG_MS);
    await env.control.reset("sandbox");
    token = await managementToken(env, "sandbox");
    await call(base, "POST", "/api/v2/clients", {
      token,
      body: { name: "later", client_metadata: { teamId: "Now" } },
    });
    expect(names((await search(q("metadata.teamId:Now"))).body)).toEqual([]);
  });
});
