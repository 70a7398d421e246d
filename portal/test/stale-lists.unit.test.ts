/**
 * Lists served past their lifetime or after a write (read-cache.ts): to page views, while the
 * tenant's budget is busy or when the read they wait for is refused, up to
 * LIST_STALE_IF_BUSY_MS; never to a server action, never a record.
 */
import { describe, expect, it, vi } from "vitest";
import {
  BACKGROUND_HEADER,
  cachingFetch,
  withConsistentRecordReads,
} from "../lib/management/read-cache";
import { LIST_STALE_IF_BUSY_MS, uniformPolicy } from "../lib/management/read-policy";
import { API, body, transport } from "./fake-transport";

describe("a list past its lifetime, or after a write: for page views while the budget is busy or their read is refused", () => {
  const list = `${API}/clients/search?q=${encodeURIComponent('metadata.teamId:"A"')}`;
  function setup() {
    const t = transport();
    let clock = 0;
    let busy = false;
    const c = cachingFetch(t.fetch, {
      policy: uniformPolicy(60_000),
      now: () => clock,
      busy: () => busy,
    });
    return {
      t,
      c,
      at: (ms: number) => {
        clock = ms;
      },
      setBusy: (b: boolean) => {
        busy = b;
      },
    };
  }

  it("after a write to its team: the kept list while busy (and a refresh), a new read when not", async () => {
    const { t, c, setBusy } = setup();
    expect(await body(await c.fetch(list))).toBe(1);
    await c.fetch(`${API}/clients`, {
      method: "POST",
      body: JSON.stringify({ client_metadata: { teamId: "A" } }),
    });
    setBusy(true);
    expect(await body(await c.fetch(list))).toBe(1); // the kept list, at once
    await vi.waitFor(() => expect(t.seen.filter((r) => r.startsWith("GET")).length).toBe(2));
    setBusy(false);
    expect(await body(await c.fetch(list))).toBe(3); // the background refresh's answer
    // A server action (its counts allow for a list's lifetime only) never gets a stale list.
    await c.fetch(`${API}/clients`, {
      method: "POST",
      body: JSON.stringify({ client_metadata: { teamId: "A" } }),
    });
    setBusy(true);
    expect(await body(await withConsistentRecordReads(() => c.fetch(list)))).toBe(5);
  });

  it("past its lifetime: a page view whose read of it is refused (or lost) gets the kept list; its refresh goes as a page view's", async () => {
    const { t, c, at, setBusy } = setup();
    expect(await body(await c.fetch(list))).toBe(1);
    at(60_000); // past the list's lifetime
    setBusy(true);
    t.holdNext();
    expect(await body(await c.fetch(list))).toBe(1); // at once; its refresh is held
    await vi.waitFor(() => expect(t.seen).toHaveLength(2));
    expect(t.headers[1]?.has(BACKGROUND_HEADER)).toBe(false); // overdue: not in the background
    setBusy(false);
    const shared = c.fetch(list); // not busy: waits for the read in flight
    t.refuseHeld(); // which the bucket refuses after its wait
    expect(await body(await shared)).toBe(1); // the kept list, not the refusal
    // A server action's read is refused as it is (its counts assume the list's lifetime).
    t.refuseNext();
    await expect(withConsistentRecordReads(() => c.fetch(list))).rejects.toThrow("refused");
    expect(await body(await c.fetch(list))).toBe(2); // the next read goes to the tenant
  });

  it("past its lifetime: served while busy up to LIST_STALE_IF_BUSY_MS, never a record", async () => {
    const { t, c, at, setBusy } = setup();
    expect(await body(await c.fetch(list))).toBe(1);
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(2);
    setBusy(true);
    t.holdNext(); // what is sent now stays in flight until released
    at(LIST_STALE_IF_BUSY_MS - 1);
    expect(await body(await c.fetch(list))).toBe(1); // stale, while its refresh is held
    const record = c.fetch(`${API}/users/u1`); // a record past its lifetime waits for the tenant
    await vi.waitFor(() => expect(t.seen).toHaveLength(4));
    t.release();
    expect(await body(await record)).toBeGreaterThan(2);
    // The list's refresh was kept at LIST_STALE_IF_BUSY_MS - 1; past the cap from then, busy
    // or not, the list is read again.
    at(2 * LIST_STALE_IF_BUSY_MS);
    expect(await body(await c.fetch(list))).toBe(5);
    expect(t.seen).toHaveLength(5);
  });
});
