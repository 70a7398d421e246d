/**
 * A write answered with its record (write-answers.ts) is kept as the read by id of that record:
 * as each query the portal reads the collection with, never with a secret, never when another
 * write overlapped it or the write failed.
 */
import { describe, expect, it } from "vitest";
import { cachingFetch } from "../lib/management/read-cache";
import { uniformPolicy } from "../lib/management/read-policy";
import { projected, recordAnswered } from "../lib/management/write-answers";

const API = "https://tenant.example/api/v2";
const FIELDS = "?fields=client_id%2Cname%2Cclient_metadata&include_fields=true";

/** A tenant stand-in: answers from `answer(method, path)`, after `release()` when held. */
function tenant(answer: (method: string, path: string) => { status?: number; doc: unknown }) {
  const seen: string[] = [];
  const headers: Headers[] = [];
  let held: Array<() => void> | undefined;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const path = String(input).slice(API.length);
    const method = init?.method ?? "GET";
    seen.push(`${method} ${path}`);
    headers.push(new Headers(init?.headers));
    if (held) await new Promise<void>((resolve) => held?.push(resolve));
    const { status = 200, doc } = answer(method, path);
    return new Response(JSON.stringify(doc), { status });
  };
  return {
    fetch,
    seen,
    headers,
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const r of waiting) r();
    },
  };
}
const json = async (r: Response) => (await r.json()) as Record<string, unknown>;

describe("writes answered with their record", () => {
  it("a created client is kept as the reads by id the portal makes, without its secret; a read that would show the secret goes to the tenant", async () => {
    const made = { client_id: "new", name: "n", client_secret: "s3cret", client_metadata: {} };
    const t = tenant((method, path) =>
      method === "POST" ? { status: 201, doc: made } : { doc: { client_id: path, read: true } },
    );
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    await c.fetch(`${API}/clients/other${FIELDS}`); // the portal's query, noted
    await c.fetch(`${API}/clients/other`); // a whole read, noted too
    const created = await c.fetch(`${API}/clients`, { method: "POST", body: "{}" });
    expect((await json(created)).client_secret).toBe("s3cret"); // the caller gets it as sent
    expect(await json(await c.fetch(`${API}/clients/new${FIELDS}`))).toEqual({
      client_id: "new",
      name: "n",
      client_metadata: {},
    });
    expect(t.seen).not.toContain(`GET /clients/new${FIELDS}`);
    expect(await json(await c.fetch(`${API}/clients/new`))).toEqual({
      client_id: "/clients/new",
      read: true,
    });
    expect(t.seen.at(-1)).toBe("GET /clients/new");
  });

  it("a user's PATCH answer is their record; a refresh of it reads it by id with the write's token", async () => {
    let clock = 0;
    const t = tenant((method) => ({ doc: { user_id: "u1", v: method } }));
    const policy = { record: { freshMs: 10, maxAgeMs: 100 }, list: { freshMs: 10, maxAgeMs: 10 } };
    const c = cachingFetch(t.fetch, { policy, now: () => clock });
    await c.fetch(`${API}/users/u1`);
    await c.fetch(`${API}/users/u1`, {
      method: "PATCH",
      body: "{}",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
    });
    expect(await json(await c.fetch(`${API}/users/u1`))).toEqual({ user_id: "u1", v: "PATCH" });
    expect(t.seen).toEqual(["GET /users/u1", "PATCH /users/u1"]);
    clock = 50; // past freshMs: served, and read again in the background
    expect((await json(await c.fetch(`${API}/users/u1`))).v).toBe("PATCH");
    await new Promise((r) => setTimeout(r, 0));
    expect(t.seen.at(-1)).toBe("GET /users/u1");
    expect(t.headers.at(-1)?.get("authorization")).toBe("Bearer t");
    expect(t.headers.at(-1)?.has("content-type")).toBe(false);
    expect((await json(await c.fetch(`${API}/users/u1`))).v).toBe("GET");
  });

  it("a rotation's answer is kept without the new secret", async () => {
    const t = tenant((method) => ({
      doc: { client_id: "c1", name: method, client_secret: "new", client_metadata: {} },
    }));
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    await c.fetch(`${API}/clients/c1${FIELDS}`);
    await c.fetch(`${API}/clients/c1/rotate-secret`, { method: "POST" });
    const kept = await json(await c.fetch(`${API}/clients/c1${FIELDS}`));
    expect(kept).toEqual({ client_id: "c1", name: "POST", client_metadata: {} });
    expect(t.seen).toHaveLength(2);
  });

  it("two writes of one record at once, or a failed write, keep nothing: the next read goes to the tenant", async () => {
    let status = 200;
    const t = tenant((method) => ({ status: method === "GET" ? 200 : status, doc: { m: method } }));
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    await c.fetch(`${API}/users/u1`);
    t.hold();
    const writes = [1, 2].map(() => c.fetch(`${API}/users/u1`, { method: "PATCH", body: "{}" }));
    await new Promise((r) => setTimeout(r, 0));
    t.release();
    await Promise.all(writes);
    expect((await json(await c.fetch(`${API}/users/u1`))).m).toBe("GET");
    status = 409;
    await c.fetch(`${API}/users/u1`, { method: "PATCH", body: "{}" });
    expect((await json(await c.fetch(`${API}/users/u1`))).m).toBe("GET");
    expect(t.seen.filter((s) => s === "GET /users/u1")).toHaveLength(3);
  });

  it("names the writes whose answer is the record, and projects only what a read by id answers", () => {
    expect(recordAnswered("PATCH", "/api/v2/users/auth0%7C1")).toEqual({
      collection: "users",
      id: "auth0%7C1",
    });
    expect(recordAnswered("POST", "/api/v2/clients")).toEqual({ collection: "clients" });
    expect(recordAnswered("POST", "/api/v2/clients/c1/rotate-secret")).toEqual({
      collection: "clients",
      id: "c1",
    });
    for (const [method, path] of [
      ["POST", "/api/v2/users"],
      ["DELETE", "/api/v2/clients/c1"],
      ["POST", "/api/v2/client-grants"],
      ["PATCH", "/api/v2/clients/c1/credentials/k1"],
    ] as const)
      expect(recordAnswered(method, path), `${method} ${path}`).toBeUndefined();
    const doc = { client_id: "c", name: "n", client_secret: "s" };
    expect(projected(doc, "?fields=name&include_fields=true")).toBe('{"name":"n"}');
    expect(projected(doc, "")).toBeUndefined();
    expect(projected(doc, "?fields=client_secret&include_fields=true")).toBeUndefined();
    expect(projected(doc, "?fields=name&include_fields=false")).toBeUndefined();
    expect(projected(doc, "?fields=name&include_fields=true&x=1")).toBeUndefined();
    expect(projected({ user_id: "u" }, "")).toBe('{"user_id":"u"}');
  });
});
