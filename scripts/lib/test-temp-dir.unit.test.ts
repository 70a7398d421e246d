import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { leftoversIn } from "./test-temp-dir";

describe("leftoversIn", () => {
  it("names every folder and file a run left, except the tool caches", () => {
    const dir = testTempDir("astral-leftovers-");
    mkdirSync(path.join(dir, "astral-preview-AbC123"));
    mkdirSync(path.join(dir, "portal-config-x"));
    writeFileSync(path.join(dir, "stray.json"), "{}");
    mkdirSync(path.join(dir, "node-compile-cache"));
    mkdirSync(path.join(dir, "tsx-0"));
    mkdirSync(path.join(dir, `ts-node-${"a".repeat(64)}`));
    mkdirSync(path.join(dir, "tsx-evil")); // not tsx's name: a leftover
    expect(leftoversIn(dir)).toEqual([
      "astral-preview-AbC123",
      "portal-config-x",
      "stray.json",
      "tsx-evil",
    ]);
  });

  it("finds nothing in a clean temp dir", () => {
    expect(leftoversIn(testTempDir("astral-leftovers-"))).toEqual([]);
  });
});
