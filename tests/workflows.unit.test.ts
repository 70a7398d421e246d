/**
 * The CI workflows, checked the way a reviewer would: each parses; every action is pinned to a
 * commit with its version in a comment; every script and npm script a step runs exists (and
 * every `npm run <cli> -- <command>` is a command that CLI knows); every secret and variable is
 * documented in the README; secrets reach steps only through `env:`/`with:`, never inlined in a
 * shell script; cloud access is by OIDC role, never by stored keys; and only the promotion
 * workflow ever runs under the protected `production` environment.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { testTempDir } from "./support/temp-dirs";
import {
  dir,
  environment,
  expr,
  files,
  type Job,
  load,
  readme,
  root,
  steps,
  type Workflow,
} from "./support/workflows";

const npmScripts = (
  JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

describe.each(files)("workflow %s", (file) => {
  const { text, workflow } = load(file);

  it("parses, has triggers, jobs with steps, and read-only default permissions", () => {
    expect(workflow.on).toBeDefined();
    expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
    for (const job of Object.values(workflow.jobs)) expect(job.steps?.length).toBeGreaterThan(0);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("pins every action to a full commit SHA with its version alongside", () => {
    for (const step of steps(workflow).filter((s) => s.uses)) {
      expect(step.uses, `${file}: ${step.uses}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      const line = text.split("\n").find((l) => l.includes(`uses: ${step.uses}`));
      expect(line, `${file}: ${step.uses} needs a "# vX.Y.Z" comment`).toMatch(/ # v\d+(\.\d+)*$/);
    }
  });

  it("runs only scripts and npm scripts that exist, with commands their CLI knows", () => {
    for (const step of steps(workflow).filter((s) => s.run)) {
      const run = step.run ?? "";
      for (const [, name, rest] of run.matchAll(/npm run ([\w:-]+)(?: -- (\S+))?/g)) {
        expect(npmScripts, `${file}: npm run ${name}`).toHaveProperty(name as string);
        if (rest === undefined) continue;
        // `scripts/run tsx scripts/<cli>/cli.ts`: the subcommand must be one that CLI handles.
        const cli = /tsx (\S+\.ts)/.exec(npmScripts[name as string] ?? "")?.[1];
        expect(cli, `${file}: npm run ${name} is not a tsx CLI`).toBeDefined();
        const source = readFileSync(path.join(root, cli as string), "utf8");
        expect(source, `${file}: ${cli} has no "${rest}" command`).toContain(`"${rest}"`);
      }
      for (const [script] of run.matchAll(/(?:^|\s)\.?(?:\.ci|scripts)\/[\w./-]+/g)) {
        expect(existsSync(path.join(root, script.trim())), `${file}: ${script.trim()}`).toBe(true);
      }
    }
  });

  it("names files that exist: policy packs, the Node version file", () => {
    for (const step of steps(workflow)) {
      const pack = step.with?.policyPacks;
      if (typeof pack === "string") {
        expect(existsSync(path.join(root, pack, "PulumiPolicy.yaml")), `${file}: ${pack}`).toBe(
          true,
        );
      }
      const nodeVersion = step.with?.["node-version-file"];
      if (typeof nodeVersion === "string")
        expect(existsSync(path.join(root, nodeVersion))).toBe(true);
    }
  });

  it("documents every secret and variable it uses in the README", () => {
    for (const [, kind, name] of text.matchAll(/\$\{\{\s*(secrets|vars)\.(\w+)/g)) {
      expect(readme, `${file}: ${kind}.${name} is not in the README`).toMatch(
        new RegExp(`\\|\\s*\`${name}\`\\s*\\|\\s*${kind === "secrets" ? "secret" : "variable"}`),
      );
    }
  });

  it("passes secrets through env/with only, and reaches the clouds by OIDC role", () => {
    for (const step of steps(workflow)) {
      expect(step.run ?? "", `${file}: a secret inlined into a shell script`).not.toMatch(
        /secrets\./,
      );
    }
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-secret-access-key/);
    for (const step of steps(workflow).filter((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    )) {
      expect(step.with?.["role-to-assume"]).toBeDefined();
    }
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const assumesRole = (job.steps ?? []).some((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      if (assumesRole) expect(job.permissions?.["id-token"], `${file}: job ${name}`).toBe("write");
    }
  });

  it("is valid for GitHub Actions' schema (action-validator, SchemaStore schemas)", async () => {
    const validator = path.join(root, "node_modules", ".bin", "action-validator");
    const result = await promisify(execFile)(validator, [path.join(dir, file)], {
      encoding: "utf8",
    }).catch((e: { code?: number; stdout?: string; stderr?: string }) => e);
    const report = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    expect(report, `${file} is invalid`).not.toMatch(/"errors"/);
    expect((result as { code?: number }).code ?? 0, report).toBe(0);
  });

  it("holds no stored Pulumi token: each Pulumi job gets its environment's team token by OIDC", () => {
    expect(text).not.toContain("PULUMI_ACCESS_TOKEN");
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const jobSteps = job.steps ?? [];
      const pulumiAt = jobSteps.findIndex(
        (s) =>
          s.uses?.startsWith("pulumi/actions@") ||
          /npm run (preview|promote) -- (?!comment)/.test(s.run ?? ""),
      );
      if (pulumiAt < 0) continue;
      const authAt = jobSteps.findIndex((s) => s.uses?.startsWith("pulumi/auth-actions@"));
      expect(
        authAt,
        `${file}: job ${name} runs Pulumi without pulumi/auth-actions`,
      ).toBeGreaterThanOrEqual(0);
      expect(authAt, `${file}: job ${name} logs in after Pulumi runs`).toBeLessThan(pulumiAt);
      expect(jobSteps[authAt]?.with).toEqual({
        organization: expr("vars.PULUMI_ORG"),
        "requested-token-type": "urn:pulumi:token-type:access_token:team",
        scope: `team:${expr("vars.PULUMI_TEAM")}`,
      });
      expect(environment(job), `${file}: job ${name} has no environment`).toBeDefined();
      expect(job.permissions?.["id-token"], `${file}: job ${name}`).toBe("write");
    }
  });

  it("uses the protected production environment only to promote", () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      if (environment(job) !== "production") continue;
      expect(`${file}:${name}`).toBe("promote.yml:promote");
    }
  });
});

describe("action-validator", () => {
  it("rejects a workflow with a misspelt key (the check above can fail)", async () => {
    const bad = path.join(testTempDir("astral-wf-"), "bad.yml");
    writeFileSync(
      bad,
      "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    concurrency:\n      group: g\n      cancel-in-progres: false\n    steps:\n      - run: echo ${{ vars.X }}\n",
    );
    const validator = path.join(root, "node_modules", ".bin", "action-validator");
    const failed = await promisify(execFile)(validator, [bad], { encoding: "utf8" }).catch(
      (e: { code?: number; stdout?: string; stderr?: string }) => e,
    );
    expect((failed as { code?: number }).code).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).toContain("cancel-in-progres");
  });
});

describe("the workflows together", () => {
  const all = Object.fromEntries(files.map((f) => [f, load(f).workflow]));

  it("cover PRs, closed PRs, pushes to main, promotion and tenant drift", () => {
    expect(Object.keys(all).sort()).toEqual(
      [
        "deploy-sandbox.yml",
        "pr.yml",
        "preview-cleanup.yml",
        "promote-request.yml",
        "promote.yml",
        "tenant-drift.yml",
      ].sort(),
    );
  });

  it("deploy production with the verified promotion record as the update message", () => {
    const promote = all["promote.yml"]?.jobs.promote;
    const runs = (promote?.steps ?? []).map((s) => s.run ?? s.uses ?? "");
    const verify = runs.findIndex((r) => r.includes("npm run promote -- verify"));
    const up = (promote?.steps ?? []).findIndex((s) => s.with?.command === "up");
    expect(verify).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(verify);
    expect(promote?.steps?.[up]?.with?.message).toBe(expr("steps.verify.outputs.message"));
    expect(runs.some((r) => r.includes("npm run promote -- tag"))).toBe(true);
  });

  it("apply tenant settings after each deploy, and check drift with read-only production credentials", () => {
    const runs = (file: string) => steps(all[file] as Workflow).map((s) => s.run ?? "");
    expect(runs("deploy-sandbox.yml")).toContain("npm run tenant -- apply sandbox");
    expect(runs("promote.yml")).toContain("npm run tenant -- apply production");
    const drift = all["tenant-drift.yml"]?.jobs.drift as Job & {
      strategy: { matrix: { include: Array<{ tenant: string; environment: string }> } };
    };
    expect(drift.strategy.matrix.include).toEqual([
      { tenant: "sandbox", environment: "sandbox" },
      { tenant: "production", environment: "production-drift" },
    ]);
  });

  it("never cancel a preview's pulumi up: one group per PR for its deploy and its cleanup", () => {
    const pr = all["pr.yml"] as Workflow;
    // A workflow-level group with cancel-in-progress cancels every job of the run, deploy included.
    expect(pr.concurrency?.["cancel-in-progress"]).not.toBe(true);
    const deploy = pr.jobs["deploy-preview"]?.concurrency;
    const cleanup = (all["preview-cleanup.yml"] as Workflow).jobs.destroy?.concurrency;
    expect(deploy).toEqual({
      group: `preview-pr-${expr("github.event.pull_request.number")}`,
      "cancel-in-progress": false,
    });
    expect(cleanup?.["cancel-in-progress"]).toBe(false);
    // For a closed PR the cleanup's group is the same string as that PR's deploy.
    expect(cleanup?.group).toBe(`preview-pr-${expr("github.event.pull_request.number || 'all'")}`);
    expect((all["preview-cleanup.yml"] as Workflow).concurrency).toBeUndefined();
    for (const [name, job] of Object.entries(pr.jobs)) {
      if (!job.concurrency?.["cancel-in-progress"]) continue;
      const runsPulumi = (job.steps ?? []).some(
        (s) => s.uses?.startsWith("pulumi/actions@") || /npm run preview/.test(s.run ?? ""),
      );
      expect(runsPulumi, `pr.yml: job ${name} can be cancelled while Pulumi runs`).toBe(false);
    }
  });

  it("verify a promotion with AWS credentials (it reads ECR), before pulumi up", () => {
    const runs = (all["promote.yml"]?.jobs.promote?.steps ?? []).map((s) => s.run ?? s.uses ?? "");
    const aws = runs.findIndex((r) => r.startsWith("aws-actions/configure-aws-credentials@"));
    const verify = runs.findIndex((r) => r.includes("npm run promote -- verify"));
    expect(aws).toBeGreaterThanOrEqual(0);
    expect(verify).toBeGreaterThan(aws);
  });

  it("commit a promotion's new record file too (the first promotion creates docs/promotions.jsonl)", () => {
    const step = (all["promote-request.yml"]?.jobs.prepare?.steps ?? []).find((s) =>
      s.run?.includes("gh pr create"),
    );
    const script = step?.run ?? "";
    // Run the step in a scratch repository where production's pin changed and the record file is
    // new; git push and gh are stubbed, everything else is the step's own shell.
    const repo = testTempDir("astral-promote-request-");
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    const digest = `sha256:${"e".repeat(64)}`;
    writeFileSync(path.join(repo, "Pulumi.production.yaml"), "config:\n  astral:imageDigest: x\n");
    git("add", ".");
    git("commit", "-qm", "initial");
    writeFileSync(
      path.join(repo, "Pulumi.production.yaml"),
      `config:\n  astral:imageDigest: ${digest}\n`,
    );
    execFileSync("mkdir", ["-p", path.join(repo, "docs")]);
    writeFileSync(path.join(repo, "docs", "promotions.jsonl"), '{"digest":"the record"}\n');
    const stubs =
      'git() { if [ "$1" = push ]; then return 0; fi; command git "$@"; }\ngh() { return 0; }\n';
    execFileSync("bash", ["-euo", "pipefail", "-c", `${stubs}${script}`], {
      cwd: repo,
      env: { ...process.env, GITHUB_RUN_ID: "99" },
    });
    const committed = git("show", "--name-only", "--format=", "HEAD").split("\n").sort();
    expect(committed).toEqual(["Pulumi.production.yaml", "docs/promotions.jsonl"]);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("preview both stacks with the policy pack on every PR", () => {
    const previews = steps(all["pr.yml"] as Workflow).filter((s) => s.with?.command === "preview");
    expect(previews.map((s) => s.with?.["stack-name"])).toEqual([
      `${expr("vars.PULUMI_ORG")}/astral/sandbox`,
      `${expr("vars.PULUMI_ORG")}/astral/production`,
    ]);
    for (const p of previews) expect(p.with?.policyPacks).toBe("infra/policy");
  });

  it("give every image build a tag of its own: commit, run id and attempt (ECR tags are immutable)", () => {
    const setting = Object.entries(all).flatMap(([file, w]) =>
      steps(w)
        .filter((s) => JSON.stringify(s.with ?? {}).includes("astral:imageTag"))
        .map((s) => ({ file, configMap: String(s.with?.["config-map"]) })),
    );
    expect(setting.map((s) => s.file).sort()).toEqual(["deploy-sandbox.yml", "pr.yml"]);
    for (const { file, configMap } of setting) {
      expect(configMap).toContain(expr("env.IMAGE_TAG"));
      const tagStep = steps(all[file] as Workflow).find((s) => s.run?.includes("IMAGE_TAG="));
      expect(tagStep?.run, file).toContain(
        `-${expr("github.run_id")}-${expr("github.run_attempt")}`,
      );
    }
  });
});
