/**
 * The CI workflows, checked the way a reviewer would: each parses; every action is pinned to a
 * commit with its version in a comment; every script and npm script a step runs exists (and
 * every `npm run <cli> -- <command>` is a command that CLI knows); every secret and variable is
 * documented in the README; secrets reach steps only through `env:`/`with:`, never inlined in a
 * shell script; cloud access is by OIDC role, never by stored keys; and only the promotion
 * workflow ever runs under the protected `production` environment.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { testTempDir } from "./support/temp-dirs";

const root = path.resolve(__dirname, "..");
const dir = path.join(root, ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const npmScripts = (
  JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Concurrency {
  group: string;
  "cancel-in-progress"?: boolean;
}
interface Job {
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: Concurrency;
  env?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  concurrency?: Concurrency;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

function load(file: string): { text: string; workflow: Workflow } {
  const text = readFileSync(path.join(dir, file), "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return { text, workflow: doc.toJS() as Workflow };
}

/** A GitHub Actions expression, `${{ <body> }}`, as it appears in workflow text. */
const expr = (body: string) => `$${"{{"} ${body} }}`;

const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const environment = (j: Job) =>
  typeof j.environment === "object" ? j.environment.name : j.environment;

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

/** The README's environments table: name → [who may use it, Pulumi team may, AWS role]. */
function environmentsTable(): Record<string, string[]> {
  const section = readme.slice(readme.indexOf("### Environments"));
  const rows = section.split("\n").filter((l) => /^\| `[\w-]+` \|/.test(l));
  return Object.fromEntries(
    rows.map((row) => {
      const [name, ...cells] = row
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
      return [String(name).replaceAll("`", ""), cells];
    }),
  );
}

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

  it("give unreviewed PR code neither the sandbox nor the production environment (both main only)", () => {
    const table = environmentsTable();
    for (const name of ["sandbox", "production", "production-drift"])
      expect(table[name]?.[0], `README: ${name}`).toMatch(/^`main` only/);
    expect(table["production-preview"]?.[0]).toMatch(/required reviewer/);
    for (const [file, w] of Object.entries(all)) {
      const onPullRequest = JSON.stringify(w.on).includes("pull_request");
      for (const [name, job] of Object.entries(w.jobs)) {
        const env = environment(job);
        if (env === undefined || env.includes("matrix.")) continue;
        expect(Object.keys(table), `${file}:${name} uses an undocumented environment`).toContain(
          env,
        );
        if (onPullRequest)
          expect(["preview", "production-preview"], `${file}:${name}`).toContain(env);
      }
    }
    const drift = all["tenant-drift.yml"]?.jobs.drift as Job & {
      strategy: { matrix: { include: Array<{ environment: string }> } };
    };
    for (const { environment: env } of drift.strategy.matrix.include)
      expect(Object.keys(table)).toContain(env);
  });

  it("document read on sandbox for every environment that runs the production or a preview program (its StackReference)", () => {
    // The programs read sandbox by StackReference: Pulumi needs read access to sandbox for it.
    const roles = readFileSync(path.join(root, "stacks", "roles.ts"), "utf8");
    for (const fn of ["productionStack", "previewStack"]) {
      const body = roles.slice(roles.indexOf(`function ${fn}(`));
      expect(body.slice(0, body.indexOf("\n}\n"))).toContain(
        "new pulumi.StackReference(config.sandboxStack)",
      );
    }
    const table = environmentsTable();
    for (const [file, w] of Object.entries(all)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const stacks = (job.steps ?? []).flatMap((s) => {
          const stack = String(s.with?.["stack-name"] ?? "");
          if (/\/(production)$/.test(stack) && s.with?.command) return ["production"];
          if (/npm run preview -- (up|destroy|cleanup)/.test(s.run ?? "")) return ["pr-*"];
          return [];
        });
        if (stacks.length === 0) continue;
        const pulumi = table[environment(job) ?? ""]?.[1] ?? "";
        for (const stack of stacks) expect(pulumi, `${file}:${name}`).toContain(`\`${stack}\``);
        expect(pulumi, `${file}:${name}: needs read on sandbox`).toMatch(/read `sandbox`/);
      }
    }
  });

  it("build the image where buildah may run: on the runner VM, never in an unprivileged container", () => {
    const pr = all["pr.yml"] as Workflow;
    const jobs = Object.entries(pr.jobs) as Array<[string, Job & { container?: unknown }]>;
    const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
    const image = jobs.filter(([, j]) => /\.ci\/run image|test:image/.test(runs(j)));
    expect(image.map(([n]) => n)).toEqual(["image"]);
    expect(image[0]?.[1].container).toBeUndefined();
    expect(runs(image[0]?.[1] as Job)).toMatch(/^sudo .*\.ci\/run image$/m);
    for (const [name, job] of jobs.filter(([, j]) => j.container !== undefined)) {
      for (const line of runs(job)
        .split("\n")
        .filter((l) => l.includes(".ci/run")))
        expect(line, `pr.yml:${name} runs the image test in a container`).toBe(".ci/run tests");
    }
    // .ci/run knows both modes and runs the image test only outside "tests".
    const ci = readFileSync(path.join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/if \[ "\$mode" != tests \]; then npm run test:image; fi/);
    expect(ci).toMatch(/if \[ "\$mode" != image \]; then npm test; fi/);
  });

  it("run a promotion (request and deploy) only from main, even by hand", () => {
    for (const [file, job] of [
      ["promote.yml", "promote"],
      ["promote-request.yml", "prepare"],
    ] as const) {
      expect(all[file]?.jobs[job]?.if, file).toBe("github.ref == 'refs/heads/main'");
    }
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
