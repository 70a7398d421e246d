/**
 * Bad input never kills the server and always gets an Auth0-shaped 4xx: a few hundred malformed
 * requests (bad JSON, wrong types, unknown fields, huge bodies, bad paths, bad queries, bad
 * tokens), then a valid call still works. Tokens, rate limits and faults:
 * auth-and-limits.integration.test.ts.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import type { SeededTenants } from "../test-support";
import { call, expectAuth0Error, managementToken, type Reply, sandboxApiForFile } from "./helpers";

let env: SeededTenants;
let base: string;
let token: string;

sandboxApiForFile((api) => {
  ({ env, base, token } = api);
});

const BODY_ROUTES: Array<[string, string]> = [
  ["POST", "/clients"],
  ["PATCH", "/clients/{client}"],
  ["POST", "/client-grants"],
  ["PATCH", "/client-grants/{grant}"],
  ["POST", "/users"],
  ["PATCH", "/users/{user}"],
  ["POST", "/resource-servers"],
  ["PATCH", "/resource-servers/{rs}"],
  ["PATCH", "/tenants/settings"],
];
const BAD_JSON = [
  "{",
  "[1,2",
  "nul",
  '{"name": }',
  "\u0000\u0001\u0002",
  "{'a':1}",
  '{"a":1}}',
  "😀",
];
const WRONG_TYPES: unknown[] = [
  [],
  "string",
  42,
  null,
  true,
  { name: 42 },
  { name: "" },
  { callbacks: "http://x" },
  { app_type: "spaceship" },
  { client_metadata: "x" },
  { client_metadata: { a: 1 } },
  { app_metadata: "x" },
  {
    email: "not-an-email",
    connection: "Username-Password-Authentication",
    password: "Passw0rd-long",
  },
  { connection: 5 },
  { scope: "read:x" },
  { audience: 7 },
  { identifier: ["x"] },
  { token_lifetime: "long" },
  { bogus_field: 1 },
  { name: "x", bogus_field: 1 },
  { grant_types: [1, 2] },
  { client_metadata: { a: "x".repeat(256) } },
];
const BAD_PATHS = [
  "/api/v2/nope",
  "/api/v2/clients/x/y/z",
  "/api/v2/clients/%ZZ",
  "/api/v2/users/%E0%A4%A",
  "/api/v2/../../etc/passwd",
  "/api/v2/client-grants/x/rotate",
  "/api/v2//clients",
  "/api/v3/clients",
  "/nope",
  "/api",
  "/api/v2/users-by-email/x",
  `/api/v2/${"a/".repeat(500)}`,
];
const BAD_QUERIES = [
  "/clients?per_page=-1",
  "/clients?per_page=abc",
  "/clients?per_page=101",
  "/clients?page=x",
  "/clients?include_totals=maybe",
  "/clients?app_type=spaceship",
  "/clients?fields=nope",
  "/clients?take=0",
  "/clients?from=-5",
  "/clients?q=(",
  '/clients?q="unterminated',
  "/clients?q=name:",
  "/clients?q=AND",
  '/clients?q=name:"robust"&take=5',
  "/clients?q=client_grant.allow_any_organization:true",
  "/clients?q=client_grant.allow_any_organization:true&take=5&per_page=5",
  "/clients/search?q=(",
  "/clients/search?q=name:",
  "/clients/search?q=secret:x",
  "/clients/search?take=101",
  "/clients/search?parser=xml",
  "/clients/search?from=nope",
  "/users?q=(a:b",
  "/users?q=)",
  "/users?per_page=1000",
  "/users?page=50&per_page=50",
  "/users?sort=nope",
  "/users-by-email",
  "/client-grants?per_page=0",
  "/resource-servers?per_page=abc",
];

async function ids() {
  const client = (await call(base, "POST", "/api/v2/clients", { token, body: { name: "robust" } }))
    .body as { client_id: string };
  const grant = (
    await call(base, "POST", "/api/v2/client-grants", {
      token,
      body: {
        client_id: client.client_id,
        audience: env.seed.sandbox.exampleApi.identifier,
        scope: [],
      },
    })
  ).body as { id: string };
  const user = (
    await call(base, "POST", "/api/v2/users", {
      token,
      body: {
        connection: "Username-Password-Authentication",
        email: "robust@example.com",
        password: "Passw0rd-long",
      },
    })
  ).body as { user_id: string };
  const rs = (
    await call(base, "POST", "/api/v2/resource-servers", {
      token,
      body: { identifier: "https://robust/" },
    })
  ).body as { id: string };
  return {
    client: client.client_id,
    grant: grant.id,
    user: encodeURIComponent(user.user_id),
    rs: rs.id,
  };
}

describe("malformed requests", () => {
  it("all get an Auth0-shaped 4xx and the server stays up", async () => {
    const known = await ids();
    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/, (_, k: keyof typeof known) => known[k]);
    const replies: Array<[string, Reply]> = [];
    const send = async (
      label: string,
      method: string,
      path: string,
      opts: Parameters<typeof call>[3] = {},
    ) => {
      replies.push([label, await call(base, method, path, { token, ...opts })]);
    };
    for (const [method, route] of BODY_ROUTES) {
      const path = `/api/v2${fill(route)}`;
      for (const raw of BAD_JSON)
        await send(`${method} ${route} ${JSON.stringify(raw)}`, method, path, { rawBody: raw });
      for (const body of WRONG_TYPES)
        await send(`${method} ${route} ${JSON.stringify(body).slice(0, 60)}`, method, path, {
          body,
        });
      await send(`${method} ${route} huge`, method, path, {
        rawBody: `{"name":"${"x".repeat(2 * 1024 * 1024)}"}`,
      });
    }
    for (const path of BAD_PATHS) {
      for (const method of ["GET", "POST", "PUT", "DELETE"])
        await send(`${method} ${path}`, method, path, { body: method === "GET" ? undefined : {} });
    }
    for (const q of BAD_QUERIES) await send(`GET ${q}`, "GET", `/api/v2${q}`);
    for (const auth of [
      "",
      "Bearer",
      "Bearer ",
      "Basic abc",
      "Bearer a.b.c",
      "Bearer \u00ff\u00fe",
      `Bearer ${token}x`,
      `Bearer ${token.split(".").slice(0, 2).join(".")}.`,
    ]) {
      await send(`auth ${auth.slice(0, 20)}`, "GET", "/api/v2/clients", {
        token: undefined,
        headers: auth ? { authorization: auth } : {},
      });
    }

    expect(replies.length).toBeGreaterThan(300);
    const accepted = replies
      .filter(([, r]) => r.status < 400 || r.status >= 500)
      .map(([l, r]) => `${r.status} ${l}`);
    expect(accepted).toEqual([]);
    for (const [label, reply] of replies) {
      expect(reply.status, label).toBeGreaterThanOrEqual(400);
      expect(reply.status, label).toBeLessThan(500);
      expect(() => expectAuth0Error(reply), label).not.toThrow();
    }
    // Still alive, and nothing half-made: only the records made above exist.
    const after = await call(base, "GET", "/api/v2/clients?per_page=100", { token });
    expect(after.status).toBe(200);
    expect((after.body as Array<{ name: string }>).filter((c) => c.name === "robust")).toHaveLength(
      1,
    );
  });

  it("answers odd request targets with an Auth0-shaped 4xx", async () => {
    const port = Number(new URL(base).port);
    for (const target of ["//", "//x", "*", "/%", "/api/v2/%", "http://elsewhere/api/v2/clients"]) {
      const raw = await new Promise<string>((resolve) => {
        let buf = "";
        const s = connect(port, "127.0.0.1", () =>
          s.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
        );
        s.on("data", (d) => (buf += d));
        s.on("close", () => resolve(buf));
      });
      const status = Number(raw.split(" ")[1]);
      expect(status, target).toBeGreaterThanOrEqual(400);
      expect(status, target).toBeLessThan(500);
      const body = JSON.parse(raw.split("\r\n\r\n")[1] ?? "");
      expect(
        () => expectAuth0Error({ status, headers: new Headers(), body }),
        target,
      ).not.toThrow();
    }
  });

  it("survives garbage at the socket level", async () => {
    const port = Number(new URL(base).port);
    for (const garbage of [
      "\u0016\u0003\u0001garbage",
      "GET / HTTP/9.9\r\n\r\n",
      "\r\n\r\n",
      "\u0000".repeat(1000),
    ]) {
      await new Promise<void>((resolve) => {
        const s = connect(port, "127.0.0.1", () => s.end(garbage));
        s.on("error", () => resolve());
        s.on("close", () => resolve());
        s.resume();
      });
    }
    expect((await call(base, "GET", "/api/v2/clients", { token })).status).toBe(200);
  });

  it("words validation failures as Auth0 does", async () => {
    const cases: Array<[string, string, unknown, string, string]> = [
      [
        "POST",
        "/clients",
        {},
        "Payload validation error: 'Missing required property: name'.",
        "invalid_body",
      ],
      [
        "POST",
        "/clients",
        { name: "x", foo: 1 },
        "Payload validation error: 'Additional properties not allowed: foo'.",
        "invalid_body",
      ],
      [
        "POST",
        "/clients",
        { name: 5 },
        "Payload validation error: 'Expected type string but found type integer' on property name.",
        "invalid_body",
      ],
      [
        "POST",
        "/client-grants",
        { client_id: "x", audience: "y", scope: "z" },
        "Payload validation error: 'Expected type array but found type string' on property scope.",
        "invalid_body",
      ],
      [
        "POST",
        "/users",
        { email: "a@b.co" },
        "Payload validation error: 'Missing required property: connection'.",
        "invalid_body",
      ],
      [
        "GET",
        "/clients?per_page=abc",
        undefined,
        "Query validation error: 'Expected type integer but found type string' on property per_page.",
        "invalid_query_string",
      ],
      [
        "GET",
        "/clients?per_page=101",
        undefined,
        "Query validation error: 'Value 101 is greater than the maximum of 100' on property per_page.",
        "invalid_query_string",
      ],
      [
        "GET",
        "/users-by-email",
        undefined,
        "Query validation error: 'Missing required property: email'.",
        "invalid_query_string",
      ],
    ];
    for (const [method, p, body, message, errorCode] of cases) {
      const reply = await call(base, method, `/api/v2${p}`, { token, body });
      expect(expectAuth0Error(reply), `${method} ${p}`).toEqual({
        statusCode: 400,
        error: "Bad Request",
        message,
        errorCode,
      });
    }
    const badJson = await call(base, "POST", "/api/v2/clients", { token, rawBody: "{" });
    expect(expectAuth0Error(badJson).message).toBe("Invalid request payload JSON format");
  });

  it("sets a client secret only with update:client_keys", async () => {
    const made = (await call(base, "POST", "/api/v2/clients", { token, body: { name: "keys" } }))
      .body as { client_id: string };
    const clientsOnly = await managementToken(env, "sandbox", ["update:clients"]);
    const refused = await call(base, "PATCH", `/api/v2/clients/${made.client_id}`, {
      token: clientsOnly,
      body: { client_secret: "x".repeat(48) },
    });
    expect(expectAuth0Error(refused)).toMatchObject({
      statusCode: 403,
      errorCode: "insufficient_scope",
    });
    const renamed = await call(base, "PATCH", `/api/v2/clients/${made.client_id}`, {
      token: clientsOnly,
      body: { name: "keys 2" },
    });
    expect(renamed.status).toBe(200);
    const keys = await managementToken(env, "sandbox", ["update:client_keys"]);
    const set = await call(base, "PATCH", `/api/v2/clients/${made.client_id}`, {
      token: keys,
      body: { client_secret: "y".repeat(48) },
    });
    expect(set.status).toBe(200);
  });

  it("the Management API refuses plain HTTP", async () => {
    const plain = await call(`http://${env.tenants.sandbox.domain}`, "GET", "/api/v2/clients", {
      token,
    });
    expect(expectAuth0Error(plain)).toMatchObject({ statusCode: 403, errorCode: "https_required" });
  });

  it("the token endpoint answers bad input in OAuth's shape", async () => {
    const bodies = [
      "{",
      "grant_type=",
      "grant_type=password",
      "grant_type=client_credentials",
      `{"grant_type":5}`,
    ];
    for (const raw of bodies) {
      const type = raw.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded";
      const r = await call(base, "POST", "/oauth/token", {
        rawBody: raw,
        headers: { "content-type": type },
      });
      expect(r.status, raw).toBeGreaterThanOrEqual(400);
      expect(r.status, raw).toBeLessThan(500);
      expect(typeof (r.body as { error: unknown }).error, raw).toBe("string");
    }
  });
});
