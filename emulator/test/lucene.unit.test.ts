import { describe, expect, it } from "vitest";
import { Collection, type Doc } from "../src/collection";
import { ApiError } from "../src/errors";
import { parseLucene, search } from "../src/lucene";

const users = new Collection<Doc>(
  (u) => u.user_id as string,
  ["email", "app_metadata.teamId", "app_metadata.permissions"],
);
const docs: Doc[] = [
  {
    user_id: "1",
    email: "ada@example.com",
    name: "Ada Lovelace",
    app_metadata: { teamId: "t1", permissions: ["portal-admin"] },
  },
  {
    user_id: "2",
    email: "bob@example.com",
    name: "Bob",
    app_metadata: { teamId: "t1", permissions: [] },
  },
  { user_id: "3", email: "cy@other.org", name: "Cy Young", app_metadata: { teamId: "t2" } },
  { user_id: "4", email: "dee@other.org", name: "Dee" },
];
for (const d of docs) users.put(d);
const ids = (q: string) => search(users, q, ["email", "name"]).map((u) => u.user_id);

describe("Lucene q", () => {
  it.each([
    ['app_metadata.teamId:"t1"', ["1", "2"]],
    ["app_metadata.teamId:t1", ["1", "2"]],
    ["app_metadata.teamId:T1", ["1", "2"]],
    ['app_metadata.permissions:"portal-admin"', ["1"]],
    ['app_metadata.teamId:"t1" AND app_metadata.permissions:"portal-admin"', ["1"]],
    ["app_metadata.teamId:t1 OR app_metadata.teamId:t2", ["1", "2", "3"]],
    ["app_metadata.teamId:t1 app_metadata.teamId:t2", ["1", "2", "3"]],
    ["app_metadata.teamId:(t1 OR t2)", ["1", "2", "3"]],
    ["email:*@other.org", ["3", "4"]],
    ["email:?da@example.com", ["1"]],
    ['name:"Cy Young"', ["3"]],
    ["_exists_:app_metadata.teamId", ["1", "2", "3"]],
    ["NOT _exists_:app_metadata.teamId", ["4"]],
    ["-app_metadata.teamId:t1 AND email:*@*", ["3", "4"]],
    [
      "(app_metadata.teamId:t1 AND NOT app_metadata.permissions:portal-admin) OR email:dee@other.org",
      ["2", "4"],
    ],
    ["bob@example.com", ["2"]],
    ['email:"ADA@EXAMPLE.COM"', ["1"]],
    ["app_metadata.teamId:t9", []],
  ])("%s", (q, expected) => {
    expect(ids(q)).toEqual(expected);
  });

  it.each(["(", ")", 'name:"x', "AND", "name:", "a AND", "_exists_:(x)"])(
    "rejects %s with a 400",
    (q) => {
      expect(() => parseLucene(q)).toThrow(ApiError);
      try {
        parseLucene(q);
      } catch (err) {
        expect((err as ApiError).statusCode).toBe(400);
      }
    },
  );

  it("compares case-sensitively where the caller says so (user search: metadata)", () => {
    const sensitive = (q: string) =>
      search(users, q, ["email", "name"], { caseInsensitive: (f) => f === "email" }).map(
        (u) => u.user_id,
      );
    expect(sensitive("app_metadata.teamId:T1")).toEqual([]);
    expect(sensitive("app_metadata.teamId:t1")).toEqual(["1", "2"]);
    expect(sensitive('email:"ADA@EXAMPLE.COM"')).toEqual(["1"]);
    expect(sensitive("name:ada*")).toEqual([]);
  });

  it("keeps indexes right through updates and deletes", () => {
    const c = new Collection<Doc>((d) => d.id as string, ["tag"]);
    c.put({ id: "a", tag: "x" });
    c.put({ id: "b", tag: "x" });
    c.put({ id: "a", tag: "y" });
    expect([...(c.lookup("tag", "x") ?? [])]).toEqual(["b"]);
    c.delete("b");
    expect(c.lookup("tag", "x")?.size).toBe(0);
    expect(search(c, "tag:y", []).map((d) => d.id)).toEqual(["a"]);
  });

  it("returns index hits in insertion order, updates keeping their place", () => {
    const c = new Collection<Doc>((d) => d.id as string, ["tag"]);
    for (let i = 0; i < 100; i++) c.put({ id: `d${i}`, tag: i % 25 === 0 ? "rare" : "common" });
    c.put({ id: "d50", tag: "rare", touched: true }); // update: keeps its place
    c.delete("d25");
    c.put({ id: "d25", tag: "rare" }); // re-created: goes last
    expect(search(c, "tag:rare", []).map((d) => d.id)).toEqual(["d0", "d50", "d75", "d25"]);
  });
});
