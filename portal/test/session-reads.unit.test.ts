/**
 * A server action (lib/session.ts `run`) looks its actor up and runs with consistent record
 * reads (read-cache.ts `withConsistentRecordReads`); a page's data read (`load`) does not. The
 * read cache's own tests prove what consistent reads do; this proves the actions get them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Invocable } from "../lib/session";

const seen = vi.hoisted(() => [] as Array<[string, boolean]>);
/** What the actor lookup does next: its actor, or a failure that is not the portal's own. */
const lookup = vi.hoisted(() => ({ fails: undefined as Error | undefined }));
const ORIGIN = "https://portal.example.com";

vi.mock("next/headers", () => ({ headers: async () => new Headers({ origin: ORIGIN }) }));
vi.mock("../lib/auth0", () => ({
  auth0: () => ({
    getSession: async () => ({
      user: { sub: "auth0|u1", email: "u1@example.com" },
      internal: { createdAt: 1 },
    }),
  }),
}));
vi.mock("../lib/portal", () => ({ portal: () => ({ audit: () => {} }) }));
vi.mock("../lib/domain/actor", async () => {
  const { readsAreConsistent } = await import("../lib/management/read-cache");
  return {
    actorFor: async () => {
      if (lookup.fails) throw lookup.fails;
      seen.push(["actor", readsAreConsistent()]);
      return { userId: "auth0|u1", email: "u1@example.com", permissions: [] };
    },
  };
});

const action = {
  name: "probe",
  invoke: async () => {
    const { readsAreConsistent } = await import("../lib/management/read-cache");
    seen.push(["action", readsAreConsistent()]);
    return { ok: true as const, data: 1, requestId: "r" };
  },
} as unknown as Invocable<number>;

beforeAll(() => {
  vi.stubEnv("APP_BASE_URL", ORIGIN);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe("which reads go past the read cache", () => {
  it("a server action: the actor lookup and the action itself", async () => {
    const { run } = await import("../lib/session");
    seen.length = 0;
    expect(await run(action, {})).toMatchObject({ ok: true });
    expect(seen).toEqual([
      ["actor", true],
      ["action", true],
    ]);
  });

  it("a page's data read: neither (views may show a record up to its maximum age)", async () => {
    const { load } = await import("../lib/session");
    seen.length = 0;
    expect(await load(action, {})).toMatchObject({ ok: true });
    expect(seen).toEqual([
      ["actor", false],
      ["action", false],
    ]);
  });

  it("a lookup that fails otherwise than with the portal's refusal: the request id shown, the cause logged", async () => {
    const { load } = await import("../lib/session");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    lookup.fails = new TypeError("fetch failed");
    const result = await load(action, {});
    lookup.fails = undefined;
    expect(result.ok).toBe(false);
    const { error } = result as { error: { code: string; message: string; requestId: string } };
    expect(error.code).toBe("internal");
    expect(error.message).toBe(`Session lookup failed. Quote request id ${error.requestId}.`);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(logged.mock.calls[0]?.[0]))).toMatchObject({
      type: "error",
      requestId: error.requestId,
      action: "probe",
      code: "internal",
      message: "session lookup: TypeError: fetch failed",
    });
    logged.mockRestore();
  });
});
