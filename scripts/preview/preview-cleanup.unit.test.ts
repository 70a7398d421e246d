/**
 * Cleaning up previews (closed or missing PRs, expired ones) and a preview's config against the
 * program's own schema (split from preview.unit.test.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config";
import { operatorEditedStackFile } from "../../stacks/test/operator-values";
import { testTempDir } from "../../tests/support/temp-dirs";
import { FakeStackBackend } from "../lib/fake-stack-backend";
import { REPO_ROOT, readStackConfig, STACK_TAGS } from "../lib/stacks";
import { cleanupPreviews, derivePreviewConfig } from "./preview";
import { DAY, NOW, prs, role, SANDBOX_STACK, SHA } from "./preview-fixtures";

describe("cleanupPreviews", () => {
  it("destroys previews of closed or missing PRs and expired ones; keeps the rest", async () => {
    const old = new Date(NOW.getTime() - 30 * DAY).toISOString();
    const fresh = new Date(NOW.getTime() + DAY).toISOString();
    const backend = new FakeStackBackend()
      .addStack("fixture-org/astral/sandbox", { config: role("sandbox"), lastUpdate: old })
      .addStack("fixture-org/astral/production", { config: role("production"), lastUpdate: old })
      .addStack("fixture-org/astral/pr-1", {
        config: role("preview"),
        tags: { [STACK_TAGS.expiresAt]: fresh },
      })
      .addStack("fixture-org/astral/pr-2", {
        config: role("preview"),
        tags: { [STACK_TAGS.expiresAt]: fresh },
      })
      .addStack("fixture-org/astral/pr-3", { config: role("preview") })
      .addStack("fixture-org/astral/pr-4", {
        config: role("preview"),
        tags: { [STACK_TAGS.expiresAt]: old },
      })
      .addStack("fixture-org/astral/pr-5", { config: role("preview"), lastUpdate: old })
      .addStack("fixture-org/astral/pr-6", { config: role("preview") })
      .addStack("fixture-org/astral/pr-7", { config: role("preview") });
    const results = await cleanupPreviews({
      backend,
      pullRequests: prs({
        1: "open",
        2: "closed",
        3: "missing",
        4: "open",
        5: "open",
        6: new Error("GitHub answered 502 for PR #6"),
        7: "open",
      }),
      now: NOW,
    });
    expect(results).toEqual([
      { stack: "fixture-org/astral/pr-1", action: "kept", reason: "PR #1 is open" },
      { stack: "fixture-org/astral/pr-2", action: "destroyed", reason: "PR #2 is closed" },
      { stack: "fixture-org/astral/pr-3", action: "destroyed", reason: "PR #3 is missing" },
      { stack: "fixture-org/astral/pr-4", action: "destroyed", reason: `TTL expired at ${old}` },
      {
        stack: "fixture-org/astral/pr-5",
        action: "destroyed",
        reason: `TTL expired at ${new Date(NOW.getTime() - 23 * DAY).toISOString()}`,
      },
      {
        stack: "fixture-org/astral/pr-6",
        action: "failed",
        reason: "GitHub answered 502 for PR #6",
      },
      { stack: "fixture-org/astral/pr-7", action: "kept", reason: "PR #7 is open" },
    ]);
    expect([...backend.stacks.keys()]).toEqual([
      "fixture-org/astral/sandbox",
      "fixture-org/astral/production",
      "fixture-org/astral/pr-1",
      "fixture-org/astral/pr-6",
      "fixture-org/astral/pr-7",
    ]);
    const touched = backend.calls.filter(
      (c) => c.stack?.endsWith("sandbox") || c.stack?.endsWith("production"),
    );
    expect(touched).toEqual([]);
  });

  it("keeps going when one destroy fails", async () => {
    const backend = new FakeStackBackend()
      .addStack("pr-1", { config: role("sandbox") })
      .addStack("pr-2", { config: role("preview") });
    const results = await cleanupPreviews({
      backend,
      pullRequests: prs({ 1: "closed", 2: "closed" }),
      now: NOW,
    });
    expect(results.map((r) => r.action)).toEqual(["failed", "destroyed"]);
    expect(results[0]?.reason).toMatch(/role is "sandbox"/);
    expect(backend.stacks.has("pr-1")).toBe(true);
  });
});

describe("preview config against the program's schema", () => {
  it("derived from the repository's Pulumi.sandbox.yaml, parses as a preview config", () => {
    const dir = testTempDir("astral-preview-");
    const file = path.join(dir, "Pulumi.sandbox.yaml");
    // The operator replaces the placeholders and the docs' examples with their own values.
    const text = readFileSync(path.join(REPO_ROOT, "Pulumi.sandbox.yaml"), "utf8");
    writeFileSync(file, operatorEditedStackFile("sandbox", text));
    const { config } = derivePreviewConfig(readStackConfig(file), 42, SANDBOX_STACK, SHA, "4711-1");
    const raw: Record<string, string> = { sessionSecret: "s".repeat(64) };
    for (const [key, value] of Object.entries(config)) {
      if (key.startsWith("astral:")) raw[key.slice("astral:".length)] = value.value;
    }
    const parsed = parseStackConfig(raw);
    expect(parsed).toMatchObject({ role: "preview", prNumber: 42, sandboxStack: SANDBOX_STACK });
    expect(parsed.domainName).toMatch(/^pr-42\./);
  });
});
