import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SLOW_FILES, slowRank } from "./support/test-order.mjs";

const root = path.resolve(__dirname, "..");

describe("test order (slow files first)", () => {
  it("names only test files that exist, each once", () => {
    for (const file of SLOW_FILES) expect(existsSync(path.join(root, file)), file).toBe(true);
    expect(new Set(SLOW_FILES).size).toBe(SLOW_FILES.length);
  });

  it("ranks a file by its place in the list, by path relative to the repository", () => {
    expect(slowRank(path.join(root, SLOW_FILES[0] as string), root)).toBe(0);
    expect(slowRank(path.join(root, SLOW_FILES[1] as string), root)).toBe(1);
    expect(slowRank(path.join(root, "tests/docs.unit.test.ts"), root)).toBe(-1);
  });
});
