/**
 * The secret rotation runbook, checked against what the code needs: it runs no `pulumi up`,
 * `refresh` or `preview` from a laptop (sandbox's and the previews' config exist only in CI), and
 * every workflow it starts exists, can be started by hand, and takes the inputs it passes. Its
 * Management API calls are checked against the bootstrap scopes in
 * infra/auth0/test/bootstrap.unit.test.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..");
const runbook = readFileSync(
  path.join(root, "docs/runbooks/rotate-astral-backend-secret.md"),
  "utf8",
);
/** The shell the runbook has the operator run: its fenced code blocks. */
const shell = [...runbook.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "").join("\n");

describe("the rotation runbook", () => {
  it("runs no pulumi up, refresh or preview itself (their config exists only in CI)", () => {
    expect(shell).not.toMatch(/\bpulumi (up|refresh|preview)\b/);
  });

  it("starts only workflows that exist, run by hand, with the inputs they declare", () => {
    const started = [...shell.matchAll(/run_and_wait (\S+\.yml)((?: -f \w+=\S+)*)/g)];
    expect(started.map((m) => m[1])).toEqual(
      expect.arrayContaining(["deploy-sandbox.yml", "promote.yml"]),
    );
    for (const [, file, flags] of started) {
      const workflowFile = path.join(root, ".github/workflows", file as string);
      expect(existsSync(workflowFile), file).toBe(true);
      const workflow = parse(readFileSync(workflowFile, "utf8")) as {
        on: { workflow_dispatch?: { inputs?: Record<string, unknown> } };
      };
      expect(workflow.on.workflow_dispatch, `${file} has no workflow_dispatch`).toBeDefined();
      for (const [, input] of (flags ?? "").matchAll(/-f (\w+)=/g)) {
        expect(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}), file).toContain(input);
      }
    }
  });

  it("re-runs a preview's deploy job by the name pr.yml gives it", () => {
    const name = /select\(\.name \| startswith\("([^"]+)"\)\)/.exec(shell)?.[1];
    const pr = parse(readFileSync(path.join(root, ".github/workflows/pr.yml"), "utf8")) as {
      jobs: Record<string, { name?: string }>;
    };
    expect(name).toBeDefined();
    expect(pr.jobs["deploy-preview"]?.name?.startsWith(name as string)).toBe(true);
  });
});
