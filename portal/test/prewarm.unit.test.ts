/**
 * Reads made ahead of the first page views (domain/prewarm.ts) in the read cache: sent last
 * (PREWARM, a background mark), kept as unused, so that the early refresh reads nothing again
 * for nobody; a page's read of the same URL then uses it.
 */
import { describe, expect, it } from "vitest";
import { BACKGROUND_HEADER, cachingFetch } from "../lib/management/read-cache";
import { PREWARM, withPrewarmReads } from "../lib/management/read-markers";
import { uniformPolicy } from "../lib/management/read-policy";
import { API, body, transport } from "./fake-transport";

const record = `${API}/clients/team-1`;
const early = { minAgeMs: 0, activeMs: 60_000 };

function setup() {
  const t = transport();
  let clock = 1_000;
  const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000), now: () => clock });
  return { t, c, at: (ms: number) => (clock = ms) };
}

describe("a read ahead of the first page views", () => {
  it("goes out marked PREWARM (the token bucket serves it last) and is kept", async () => {
    const { t, c } = setup();
    expect(await body(await withPrewarmReads(() => c.fetch(record)))).toBe(1);
    expect(t.headers[0]?.get(BACKGROUND_HEADER)).toBe(PREWARM);
    // The page's read of the same URL: from the cache, no call.
    expect(await body(await c.fetch(record))).toBe(1);
    expect(t.seen).toHaveLength(1);
  });

  it("is not in use until a page reads it: the early refresh passes it by, then takes it", async () => {
    const { c, at } = setup();
    await withPrewarmReads(() => c.fetch(record));
    at(2_000);
    expect(c.refreshOldestRecord(early)).toBe(false);
    await c.fetch(record); // a page view
    expect(c.refreshOldestRecord(early)).toBe(true);
  });

  it("leaves what is kept as it is: no second call, and a page's use stays a use", async () => {
    const { t, c, at } = setup();
    await c.fetch(record); // a page view
    at(2_000);
    expect(await body(await withPrewarmReads(() => c.fetch(record)))).toBe(1);
    expect(t.seen).toHaveLength(1);
    expect(c.refreshOldestRecord(early)).toBe(true);
  });
});
