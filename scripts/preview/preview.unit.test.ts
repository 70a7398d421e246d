import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { FakeStackBackend } from "../lib/fake-stack-backend";
import { readStackConfig, STACK_TAGS } from "../lib/stacks";
import {
  DEFAULT_TTL_DAYS,
  deployPreview,
  derivePreviewConfig,
  destroyPreview,
  previewPrNumber,
  previewStackName,
} from "./preview";
import {
  DAY,
  NOW,
  portal,
  previewProgram,
  role,
  SANDBOX_STACK,
  SHA,
  sandboxFixture,
} from "./preview-fixtures";

describe("preview naming", () => {
  it("names a PR's stack pr-<n>, qualified like the sandbox stack", () => {
    expect(previewStackName(12)).toBe("pr-12");
    expect(previewStackName("12", "sandbox")).toBe("pr-12");
    expect(previewStackName(12, SANDBOX_STACK)).toBe("fixture-org/astral/pr-12");
  });

  it.each(["0", "-1", "1.5", "12abc", "", " ", "1e3", "pr-12"])(
    "rejects PR number %j with a clear message",
    (pr) => {
      expect(() => previewStackName(pr)).toThrow(/PR number must be a positive integer/);
    },
  );

  it("rejects a sandbox stack name that is neither short nor org/project/stack", () => {
    expect(() => previewStackName(1, "acme/sandbox")).toThrow(/<org>\/astral\/sandbox/);
  });

  it("recognises only pr-<n> and <org>/astral/pr-<n> as previews", () => {
    expect(previewPrNumber("pr-12")).toBe(12);
    expect(previewPrNumber("fixture-org/astral/pr-7")).toBe(7);
    for (const name of [
      "sandbox",
      "production",
      "fixture-org/astral/sandbox",
      "fixture-org/astral/production",
      "pr-0",
      "pr-12x",
      "pr-",
      "xpr-12",
      "acme/other/pr-12",
      "acme/pr-12",
      "a/astral/b/pr-1",
      "/astral/pr-1",
    ]) {
      expect(previewPrNumber(name), name).toBeUndefined();
    }
  });
});

describe("preview config", () => {
  it("copies provider and allowlisted settings, sets the preview's own, never copies ciphertext", () => {
    const { config, notCopied } = derivePreviewConfig(
      sandboxFixture(),
      12,
      SANDBOX_STACK,
      SHA,
      "4711-1",
    );
    expect(config).toEqual({
      "aws:region": { value: "eu-west-1" },
      "astral:cpu": { value: "512" },
      "astral:memory": { value: "1024" },
      "astral:minTasks": { value: "1" },
      "astral:maxTasks": { value: "2" },
      "astral:logRetentionDays": { value: "14" },
      "custom:settings": { value: JSON.stringify({ regions: ["eu-west-1", "eu-central-1"] }) },
      "astral:domainName": { value: "pr-12.previews.fixture.test" },
      "astral:hostedZoneId": { value: "Z0123456789ABCDEFGHIJ" },
      "astral:role": { value: "preview" },
      "astral:prNumber": { value: "12" },
      "astral:sandboxStack": { value: SANDBOX_STACK },
      "astral:imageTag": { value: `${SHA.slice(0, 12)}-4711-1` },
    });
    expect(notCopied).toEqual([
      "astral:adminEmail",
      "astral:apiIdentifier",
      "astral:auth0ClientId",
      "astral:auth0ClientSecret",
      "astral:auth0Domain",
      "astral:domainName",
      "astral:hostedZoneId",
      "astral:imageTag",
      "astral:previewDomain",
      "astral:role",
      "auth0:domain",
      "aws:defaultTags",
    ]);
    expect(JSON.stringify(config)).not.toContain("AAAB");
  });

  it("leaves the domain out when sandbox has no preview domain, and rejects a bad SHA", () => {
    const sandbox = sandboxFixture();
    delete sandbox.config["astral:previewDomain"];
    const { config } = derivePreviewConfig(sandbox, 3, "sandbox", SHA, "4711-1");
    expect(config["astral:domainName"]).toBeUndefined();
    expect(config["astral:hostedZoneId"]).toBeUndefined();
    expect(() => derivePreviewConfig(sandbox, 3, "sandbox", "main", "4711-1")).toThrow(
      'git SHA must be 7-40 hex digits, got "main"',
    );
  });

  it("names the file and the problem for unreadable or invalid YAML", () => {
    const dir = testTempDir("astral-preview-");
    expect(() => readStackConfig(path.join(dir, "missing.yaml"))).toThrow(
      /cannot read stack config/,
    );
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "config:\n  a: [1,\n");
    expect(() => readStackConfig(bad)).toThrow(/bad\.yaml is not valid YAML/);
  });
});

describe("deployPreview", () => {
  it("creates pr-<n> with derived config and TTL tags, deploys it and returns its URL", async () => {
    const backend = new FakeStackBackend(portal).addStack(SANDBOX_STACK, {
      config: role("sandbox"),
    });
    const result = await deployPreview({
      backend,
      pr: 12,
      sandbox: sandboxFixture(),
      sandboxStack: SANDBOX_STACK,
      gitSha: SHA,
      buildId: "4711-1",
      now: NOW,
    });
    expect(result).toMatchObject({
      stack: "fixture-org/astral/pr-12",
      created: true,
      portalUrl: "https://pr-12.preview.example.com",
    });
    const stack = backend.stacks.get("fixture-org/astral/pr-12");
    expect(stack?.config["astral:role"]).toEqual({ value: "preview" });
    expect(stack?.tags).toEqual({
      [STACK_TAGS.role]: "preview",
      [STACK_TAGS.pr]: "12",
      [STACK_TAGS.expiresAt]: new Date(NOW.getTime() + DEFAULT_TTL_DAYS * DAY).toISOString(),
      [STACK_TAGS.gitSha]: SHA,
    });
    expect(backend.callsTo("up")).toEqual([
      { op: "up", stack: "fixture-org/astral/pr-12", message: `Preview of PR #12 at ${SHA}` },
    ]);
    expect(backend.calls.filter((c) => c.stack === SANDBOX_STACK)).toEqual([]);
  });

  it("updates an existing preview and pushes its TTL forward", async () => {
    const backend = new FakeStackBackend(portal);
    const input = {
      backend,
      pr: 3,
      sandbox: sandboxFixture(),
      sandboxStack: "sandbox",
      gitSha: "aaaaaaa",
      buildId: "4711-1",
    };
    await deployPreview({ ...input, now: NOW });
    expect(backend.stacks.get("pr-3")?.config["astral:imageTag"]).toEqual({
      value: "aaaaaaa-4711-1",
    });
    const secret = backend.stacks.get("pr-3")?.config["astral:sessionSecret"];
    expect(secret?.secret).toBe(true);
    expect(secret?.value).toMatch(/^[0-9a-f]{64}$/);
    const later = new Date(NOW.getTime() + 2 * DAY);
    const again = await deployPreview({ ...input, buildId: "4712-1", now: later, ttlDays: 1 });
    expect(again.created).toBe(false);
    // The session secret is made once and kept; the image tag is new on every run, even of the
    // same commit (ECR tags are immutable: a rerun that builds must not push the same tag).
    expect(backend.stacks.get("pr-3")?.config["astral:sessionSecret"]).toEqual(secret);
    expect(backend.stacks.get("pr-3")?.config["astral:imageTag"]).toEqual({
      value: "aaaaaaa-4712-1",
    });
    expect(backend.callsTo("createStack")).toHaveLength(1);
    expect(backend.stacks.get("pr-3")?.tags[STACK_TAGS.expiresAt]).toBe(
      new Date(later.getTime() + DAY).toISOString(),
    );
  });

  it("keeps the session secret across CI runs, where the stack's config file is gone", async () => {
    const backend = new FakeStackBackend(previewProgram);
    const input = {
      backend,
      pr: 5,
      sandbox: sandboxFixture(),
      sandboxStack: "sandbox",
      buildId: "4711-1",
    };
    await deployPreview({ ...input, gitSha: "aaaaaaa", now: NOW });
    const first = backend.stacks.get("pr-5")?.config["astral:sessionSecret"];
    expect(first?.value).toMatch(/^[0-9a-f]{64}$/);
    // The next run checks out afresh: no Pulumi.pr-5.yaml, only the stack's state.
    const stack = backend.stacks.get("pr-5");
    if (stack) stack.config = {};
    await deployPreview({ ...input, gitSha: "bbbbbbb", now: NOW });
    expect(backend.stacks.get("pr-5")?.config["astral:sessionSecret"]).toEqual(first);
    // A new preview gets a new secret.
    await deployPreview({ ...input, pr: 6, gitSha: "aaaaaaa", now: NOW });
    expect(backend.stacks.get("pr-6")?.config["astral:sessionSecret"]?.value).not.toBe(
      first?.value,
    );
  });

  it("refuses to deploy over a pr-<n> stack whose role is not preview", async () => {
    const backend = new FakeStackBackend(portal).addStack("pr-4", { config: role("sandbox") });
    await expect(
      deployPreview({
        backend,
        pr: 4,
        sandbox: sandboxFixture(),
        sandboxStack: "sandbox",
        gitSha: "aaaaaaa",
        buildId: "4711-1",
        now: NOW,
      }),
    ).rejects.toThrow('refusing to touch stack "pr-4": its astral:role is "sandbox"');
    expect(backend.callsTo("setConfig")).toEqual([]);
    expect(backend.callsTo("up")).toEqual([]);
  });
});

describe("destroyPreview: never sandbox or production", () => {
  it.each([
    "sandbox",
    "production",
    "fixture-org/astral/sandbox",
    "fixture-org/astral/production",
    "acme/other/pr-3",
    "pr-0",
    "pr-3/../sandbox",
  ])("refuses %s before asking the backend anything", async (name) => {
    const backend = new FakeStackBackend().addStack(name, { config: role("preview") });
    await expect(destroyPreview(backend, name, "test")).rejects.toThrow(
      `refusing to touch stack "${name}": only preview stacks named pr-<n>`,
    );
    expect(backend.calls).toEqual([]);
    expect(backend.stacks.has(name)).toBe(true);
  });

  it("refuses a pr-<n> stack configured as another role or another PR", async () => {
    const backend = new FakeStackBackend()
      .addStack("pr-5", { config: role("production") })
      .addStack("pr-6", { config: { ...role("preview"), "astral:prNumber": { value: "7" } } });
    await expect(destroyPreview(backend, "pr-5", "test")).rejects.toThrow(/role is "production"/);
    await expect(destroyPreview(backend, "pr-6", "test")).rejects.toThrow(/prNumber is "7"/);
    expect(backend.callsTo("destroy")).toEqual([]);
    expect(backend.callsTo("removeStack")).toEqual([]);
  });

  it("destroys then removes a preview", async () => {
    const backend = new FakeStackBackend().addStack("fixture-org/astral/pr-8", {
      config: role("preview"),
    });
    await destroyPreview(backend, "fixture-org/astral/pr-8", "PR closed");
    expect(backend.calls.map((c) => c.op)).toEqual(["getConfig", "destroy", "removeStack"]);
    expect(backend.callsTo("destroy")[0]?.message).toBe("Destroy preview of PR #8: PR closed");
    expect(backend.stacks.has("fixture-org/astral/pr-8")).toBe(false);
  });

  it.each(["destroy", "removeStack"])(
    "is the only place in scripts/ that calls a backend's %s, after the guard",
    (method) => {
      const scripts = path.resolve(__dirname, "..");
      const call = new RegExp(`\\.${method}\\(`, "g");
      const callers: string[] = [];
      for (const file of readdirSync(scripts, { recursive: true, encoding: "utf8" })) {
        if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
        if (call.test(readFileSync(path.join(scripts, file), "utf8"))) callers.push(file);
        call.lastIndex = 0;
      }
      // The real adapter forwards to Pulumi; preview.ts is the only caller (inside destroyPreview).
      expect(callers.sort()).toEqual(["lib/pulumi-automation.ts", "preview/preview.ts"]);
      const preview = readFileSync(path.join(scripts, "preview/preview.ts"), "utf8");
      expect(preview.match(call)).toHaveLength(1);
      const body = preview.slice(preview.indexOf("export async function destroyPreview"));
      const at = body.search(new RegExp(`\\.${method}\\(`));
      expect(at).toBeGreaterThan(body.indexOf("assertIsPreview("));
      expect(at).toBeLessThan(body.indexOf("\n}\n"));
    },
  );
});
