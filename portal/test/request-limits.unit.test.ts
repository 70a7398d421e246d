/**
 * Issue 15: a 2 MB body or a 5000-deep JSON reached Next's server-action decoder (next dev: 500
 * with the error's text). The proxy answers 413 / 400 with a fixed message first. The built
 * server is checked too (standalone.e2e.test.ts).
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_NESTING, nestingDepth } from "../lib/request-limits";
import { proxy } from "../proxy";

const BASE = "https://portal.example.com";
const env: Record<string, string> = {
  AUTH0_DOMAIN: "example.eu.auth0.com",
  AUTH0_CLIENT_ID: "client-id",
  AUTH0_CLIENT_SECRET: "client-secret",
  AUTH0_SECRET: "unit-limits-secret-0123456789abcdef0123456789",
  APP_BASE_URL: BASE,
};
beforeAll(() => {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  proxy(
    new NextRequest(`${BASE}/`, {
      method: "POST",
      body,
      headers: {
        origin: BASE,
        "next-action": "a".repeat(42),
        "content-type": "text/plain",
        ...headers,
      },
    }),
  );

describe("mutation bodies over the limits", () => {
  it("a 2 MB body gets 413 with a fixed message", async () => {
    const res = await post("x".repeat(2 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      code: "payload_too_large",
      message: "The request body is larger than 1 MB.",
    });
  });

  it("a 5000-deep JSON gets 400 with a fixed message", async () => {
    const res = await post(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: "invalid_input",
      message: `The request body nests deeper than ${MAX_NESTING} levels.`,
    });
  });

  it("an ordinary action body passes on to Next", async () => {
    const res = await post(JSON.stringify([{ teamId: "t", name: "a [b] {c}", deep: [[["ok"]]] }]));
    expect(res.status).not.toBe(413);
    expect(res.status).not.toBe(400);
  });

  it("counts nesting outside strings only", () => {
    expect(nestingDepth('[{"a":[1]}]')).toBe(3);
    expect(nestingDepth('["[[[[[[", "\\"[["]')).toBe(1);
  });
});
