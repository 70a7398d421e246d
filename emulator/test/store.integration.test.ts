/** Tenant state on disk: background writes in slices equal a plain write; newer writes win. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TenantStore } from "../src/store";

const dir = mkdtempSync(path.join(os.tmpdir(), "astral-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fill = (store: TenantStore, n: number, tag: string) => {
  for (let i = 0; i < n; i++) {
    store.users.put({
      user_id: `auth0|${i}`,
      email: `u${i}@x.example`,
      app_metadata: { teamId: tag },
    });
  }
  store.passwords.set("auth0|0", "scrypt$256$a$b");
  store.changed();
};
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};
const stateOf = (d: string) => JSON.parse(readFileSync(path.join(d, "state.json"), "utf8"));

describe("TenantStore persistence", () => {
  it("a background write (in slices) holds exactly what a plain write holds", async () => {
    const a = path.join(dir, "a");
    const store = new TenantStore(a, 1);
    fill(store, 1234, "t1");
    await until(() => readdirSync(a).includes("state.json"));
    const background = stateOf(a);
    store.changed();
    store.flush();
    expect(background).toEqual(stateOf(a));
    expect(background.users).toHaveLength(1234);
    const reloaded = new TenantStore(a);
    expect(reloaded.users.size).toBe(1234);
    expect([...(reloaded.users.lookup("app_metadata.teamId", "t1") ?? [])]).toHaveLength(1234);
  });

  it("a newer write supersedes one in progress, and reset is never undone", async () => {
    const b = path.join(dir, "b");
    const store = new TenantStore(b, 1);
    fill(store, 3000, "old");
    store.flush(true); // starts a background write of the "old" state...
    fill(store, 3000, "new");
    store.flush(); // ...that this plain write supersedes
    await new Promise((r) => setTimeout(r, 200));
    expect(stateOf(b).users[0].app_metadata.teamId).toBe("new");
    expect(readdirSync(b).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    fill(store, 3000, "again");
    store.flush(true);
    store.reset();
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(b).filter((f) => f.startsWith("state.json"))).toEqual([]);
  });
});
