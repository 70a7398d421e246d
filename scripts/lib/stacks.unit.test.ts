import { describe, expect, it } from "vitest";
import { CONFIG_KEYS as SCHEMA_KEYS } from "../../stacks/config";
import { INHERITED_ASTRAL_KEYS } from "../preview/preview";
import { CONFIG_KEYS, SANDBOX_KEYS } from "./stacks";

describe("config keys the scripts use", () => {
  it("are all keys of the program's config schema (a rename in stacks/config.ts fails here)", () => {
    const used = [
      ...Object.values(CONFIG_KEYS),
      ...Object.values(SANDBOX_KEYS),
      ...INHERITED_ASTRAL_KEYS,
    ];
    const known = SCHEMA_KEYS.map((k) => `astral:${k}`);
    expect(used.filter((k) => !known.includes(k))).toEqual([]);
  });
});
