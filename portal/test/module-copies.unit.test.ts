/**
 * Next's production build holds a module several times (the pages' and actions' chunk, the route
 * handlers', the proxy's), while the Portal is one per process (portal.ts, on globalThis): what
 * one copy made must mean the same to every other. Two copies are made here as the build makes
 * them: the same file imported again after `vi.resetModules()`.
 */
import { describe, expect, it, vi } from "vitest";
import { uniformPolicy } from "../lib/management/read-policy";

async function twoCopies<T>(load: () => Promise<T>): Promise<[T, T]> {
  vi.resetModules();
  const a = await load();
  vi.resetModules();
  return [a, await load()];
}

describe("what one copy of a module made, another copy knows", () => {
  it("a PortalError of one copy is a PortalError to another (a rate-limit refusal stays one)", async () => {
    const [a, b] = await twoCopies(() => import("../lib/errors"));
    expect(a.PortalError).not.toBe(b.PortalError);
    const refused = new a.PortalError("rate_limited", "The production tenant is rate limiting");
    expect(refused instanceof b.PortalError).toBe(true);
    expect(b.toPortalError(refused, "r1")).toBe(refused);
    expect(new Error("x") instanceof b.PortalError).toBe(false);
    expect({ code: "rate_limited" } instanceof b.PortalError).toBe(false);
    expect(b.toPortalError(new Error("x"), "r2").code).toBe("internal");
  });

  it("a server action's record reads are consistent however many copies: a cache of one copy sees withConsistentRecordReads of another", async () => {
    const [a, b] = await twoCopies(() => import("../lib/management/read-cache"));
    expect(a.withConsistentRecordReads).not.toBe(b.withConsistentRecordReads);
    let sent = 0;
    const transport: typeof fetch = async () => new Response(JSON.stringify({ n: ++sent }));
    const cache = a.cachingFetch(transport, { policy: uniformPolicy(60_000) });
    const url = "https://tenant.example/api/v2/users/u1";
    await cache.fetch(url);
    await cache.fetch(url); // a page view: from the cache
    expect(sent).toBe(1);
    await b.withConsistentRecordReads(() => cache.fetch(url)); // a server action: to the tenant
    expect(sent).toBe(2);
  });

  it("when a request began, set through one copy, is read through another (the buckets' order)", async () => {
    const [a, b] = await twoCopies(() => import("../lib/management/read-markers"));
    expect(a.requestStartedAt).not.toBe(b.requestStartedAt);
    expect(await b.withRequestStart(1234, async () => a.requestStartedAt())).toBe(1234);
    expect(a.requestStartedAt()).toBeUndefined();
  });
});
