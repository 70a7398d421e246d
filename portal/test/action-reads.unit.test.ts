/**
 * A server action's record reads (read-markers.ts `withConsistentRecordReads`): from the tenant,
 * once per record while this process does not write it, so that the action's steps share one
 * view of it (the actor lookup and create-once's idempotency check read the same user).
 */
import { describe, expect, it } from "vitest";
import { cachingFetch, FRESH_READ, withConsistentRecordReads } from "../lib/management/read-cache";
import { uniformPolicy } from "../lib/management/read-policy";

const API = "https://tenant.example/api/v2";

/** A tenant that answers each request with a counter. */
function transport() {
  let n = 0;
  const fetch: typeof globalThis.fetch = async () => new Response(JSON.stringify({ n: ++n }));
  return { fetch };
}
const body = async (r: Response) => ((await r.json()) as { n: number }).n;

describe("a server action's record reads", () => {
  it("a server action reads a record from the tenant once while this process does not write it; a fresh read and a write make it read again", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    const u1 = `${API}/users/u1`;
    const reads = await withConsistentRecordReads(async () => {
      const seen = [await body(await c.fetch(u1)), await body(await c.fetch(u1))];
      seen.push(await body(await c.fetch(u1, FRESH_READ)));
      seen.push(await body(await c.fetch(u1)));
      await c.fetch(`${API}/users/u1/roles`, { method: "POST", body: "{}" }); // writes u1: 3
      seen.push(await body(await c.fetch(u1)));
      return seen;
    });
    expect(reads).toEqual([1, 1, 2, 2, 4]);
    // Another action has its own view: it reads the record again.
    expect(await withConsistentRecordReads(async () => body(await c.fetch(u1)))).toBe(5);
  });
});
