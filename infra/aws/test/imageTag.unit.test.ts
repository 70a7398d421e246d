/** Image tags are unique per build: the ECR repository's tags are immutable. */
import { describe, expect, it } from "vitest";
import { buildId, isBuildOf, UNIQUE_IMAGE_TAG, uniqueImageTag } from "../imageTag";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("image tags", () => {
  it("gives two runs of the same commit two tags (CI run, retried attempt, by hand)", () => {
    const ci = uniqueImageTag(SHA, buildId({ GITHUB_RUN_ID: "4711", GITHUB_RUN_ATTEMPT: "1" }));
    const retry = uniqueImageTag(SHA, buildId({ GITHUB_RUN_ID: "4711", GITHUB_RUN_ATTEMPT: "2" }));
    const byHand = uniqueImageTag(SHA, buildId({}, new Date("2026-11-30T20:44:05.123Z")));
    const later = uniqueImageTag(SHA, buildId({}, new Date("2026-11-30T20:44:06.000Z")));
    expect([ci, retry, byHand, later]).toEqual([
      "0123456789ab-4711-1",
      "0123456789ab-4711-2",
      "0123456789ab-20261130T204405Z",
      "0123456789ab-20261130T204406Z",
    ]);
    for (const tag of [ci, retry, byHand, `pr-12-${ci}`]) expect(tag).toMatch(UNIQUE_IMAGE_TAG);
  });

  it("refuses a bare commit as a tag, and bad input by name", () => {
    expect("0123456789ab").not.toMatch(UNIQUE_IMAGE_TAG);
    expect("latest").not.toMatch(UNIQUE_IMAGE_TAG);
    expect(() => uniqueImageTag("main", "1")).toThrow(
      'git SHA must be 7-40 hex digits, got "main"',
    );
    expect(() => uniqueImageTag(SHA, "a/b")).toThrow("build id must be letters, digits");
  });

  it("tells a sandbox build of a commit from a preview's image and another commit's build", () => {
    const tag = uniqueImageTag(SHA, "4711-1");
    expect(isBuildOf(tag, SHA)).toBe(true);
    expect(isBuildOf(tag, SHA.slice(0, 7))).toBe(true); // a short SHA in the record
    expect(isBuildOf(`pr-12-${tag}`, SHA)).toBe(false);
    expect(isBuildOf("fedcba987654-4711-1", SHA)).toBe(false);
    expect(isBuildOf("4711-1", SHA)).toBe(false);
  });
});
