/**
 * The documented deploy path, rehearsed: the ```sh blocks of docs/deploy.md run in order
 * (stacks, secrets, the first sandbox deploy, the first production deploy through a promotion
 * record, a preview by hand), then docs/operations.md's (a preview and its removal, a promotion,
 * the tenant commands), the README's Deploy and Operations blocks, and a PR preview and its
 * cleanup as pr.yml and preview-cleanup.yml run them, in tests/support/doc-shell.ts, against
 * fakes for the outside and the repository's own config schema, promotion and preview CLIs.
 * `promote.yml`'s verify accepts what the first production deploy committed. A doc that drifts
 * from the code (a config key the schema wants and no step sets, a CLI flag or command that no
 * longer exists, a variable a workflow no longer sets, a file `git add` names that no step
 * writes) fails here. The tenant block runs for real in scripts/tenant/tenant.integration.test.ts,
 * the rotation runbook in tests/runbook.integration.test.ts.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPromotion } from "../scripts/promote/promote";
import { OPERATOR_ORG } from "../stacks/test/operator-values";
import { ACCOUNT_REPOSITORY, COMMIT, DocShell } from "./support/doc-shell";
import { testTempDir } from "./support/temp-dirs";
import { workflowStep } from "./support/workflow-steps";

const root = path.resolve(__dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** The fenced sh blocks of a markdown file, each with the heading it sits under. */
function shellBlocks(file: string): Array<{ heading: string; code: string }> {
  const text = read(file);
  const blocks: Array<{ heading: string; code: string }> = [];
  for (const match of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const before = text.slice(0, match.index);
    const heading = [...before.matchAll(/^#+ (.*)$/gm)].at(-1)?.[1] ?? "";
    blocks.push({ heading, code: match[1] ?? "" });
  }
  return blocks;
}

describe("the documented deploy path (docs/deploy.md), rehearsed", () => {
  const blocks = shellBlocks("docs/deploy.md");

  it("has blocks for each step the rehearsal covers", () => {
    expect(blocks.map((b) => b.heading)).toEqual([
      "2. Stacks and config",
      "2. Stacks and config",
      "3. Sandbox first",
      "4. Production",
      "Previews",
    ]);
  });

  it("runs them in order: first sandbox deploy, first production deploy through a promotion record, a preview", async () => {
    const work = testTempDir("astral-rehearsal-");
    mkdirSync(path.join(work, "docs"));
    const shell = new DocShell(work);
    for (const [i, block] of blocks.entries()) {
      await shell.run(block.code, `docs/deploy.md block ${i + 1} (${block.heading})`);
    }
    const sandbox = shell.backend.stacks.get("northwind/astral/sandbox");
    const production = shell.backend.stacks.get("northwind/astral/production");
    const preview = shell.backend.stacks.get("northwind/astral/pr-42");
    for (const stack of [sandbox, production, preview]) {
      expect(stack?.history[0]).toMatchObject({ kind: "update", result: "succeeded" });
    }
    // Production runs what sandbox pushed, pinned in its own file, recorded for verify.
    const digest = sandbox?.outputs.imageDigest?.value;
    expect(production?.outputs.imageDigest?.value).toBe(digest);
    const files = {
      productionFile: path.join(work, "Pulumi.production.yaml"),
      logFile: path.join(work, "docs", "promotions.jsonl"),
    };
    const registry = { digestOf: async (r: string, t: string) => shell.images.get(`${r}:${t}`) };
    await expect(verifyPromotion({ registry, ...files })).resolves.toMatchObject({
      digest,
      imageRepository: ACCOUNT_REPOSITORY,
      previousDigest: null,
      requestedBy: "alice",
    });
    // The production update carries the record's message, as prepare printed it.
    expect(production?.history[0]?.message).toMatch(
      new RegExp(`^Promote ${digest} from sandbox to production \\(git `),
    );
  });

  it("then docs/operations.md: a preview by hand and its cleanup, a promotion after sandbox moved on, a tenant apply", async () => {
    const work = testTempDir("astral-rehearsal-");
    mkdirSync(path.join(work, "docs"));
    const shell = new DocShell(work);
    for (const block of blocks) await shell.run(block.code, "docs/deploy.md");
    const operations = shellBlocks("docs/operations.md");
    expect(operations.map((b) => b.heading)).toEqual([
      "PR previews",
      "Promotion",
      "Tenant settings",
    ]);
    const [previews, promotion, tenant] = operations.map((b) => b.code) as [string, string, string];
    await shell.run(previews, "docs/operations.md (PR previews)");
    expect(shell.output).toContain("preview northwind/astral/pr-43 created");
    expect(shell.output).toContain("destroyed and removed northwind/astral/pr-43");
    expect(shell.backend.stacks.has("northwind/astral/pr-43")).toBe(false);
    // A push to main deploys sandbox again (deploy-sandbox.yml), with a new image.
    await shell.run(
      'pulumi config set astral:imageTag "$(git rev-parse --short=12 HEAD)-run2" --stack <org>/sandbox\npulumi up --stack <org>/sandbox',
      "a push to main",
    );
    const newDigest = shell.backend.stacks.get("northwind/astral/sandbox")?.outputs.imageDigest
      ?.value;
    await shell.run(promotion, "docs/operations.md (Promotion)");
    expect(shell.output.join("\n")).toContain(`verified: ${ACCOUNT_REPOSITORY}:`);
    expect(
      readFileSync(path.join(work, "docs", "promotions.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(2);
    expect(readFileSync(path.join(work, "Pulumi.production.yaml"), "utf8")).toContain(
      `astral:imageDigest: ${newDigest}`,
    );
    await shell.run(tenant, "docs/operations.md (Tenant settings)");
    expect(shell.output).toContain("tenant apply sandbox (northwind-sandbox.eu.auth0.com)");
    expect(shell.output).toContain("tenant drift sandbox (northwind-sandbox.eu.auth0.com)");
  });

  it("a PR preview and its cleanup, as pr.yml and preview-cleanup.yml run them", async () => {
    const work = testTempDir("astral-rehearsal-");
    mkdirSync(path.join(work, "docs"));
    const shell = new DocShell(work);
    for (const block of blocks.slice(0, 3)) await shell.run(block.code, "docs/deploy.md");
    /** Runs one workflow step's shell with its environment, as the runner would. */
    const runStep = async (file: string, job: string, pattern: RegExp, event: Event) => {
      const step = workflowStep(file, job, pattern, context(event));
      if (step.step.if)
        expect(evaluateIf(step.step.if, event), `${file}: ${step.step.if}`).toBe(true);
      Object.assign(shell.env, step.env);
      await shell.run(step.run, `${file} ${job}`);
    };
    const deploy = (pr: number, run: number) =>
      runStep("pr.yml", "deploy-preview", /preview -- up/, { name: "pull_request", pr, run });
    // PR 44 opened, then pushed to: one stack, updated in place.
    await deploy(44, 100);
    await deploy(44, 101);
    const pr44 = shell.backend.stacks.get("northwind/astral/pr-44");
    expect(pr44?.history.map((h) => h.result)).toEqual(["succeeded", "succeeded"]);
    expect((await shell.backend.getConfig("northwind/astral/pr-44"))["astral:role"]?.value).toBe(
      "preview",
    );
    // PR 44 closed: preview-cleanup.yml destroys its stack.
    shell.pullRequests.set(44, "closed");
    await runStep("preview-cleanup.yml", "destroy", /preview -- destroy/, {
      name: "pull_request",
      pr: 44,
      run: 102,
    });
    expect(shell.backend.stacks.has("northwind/astral/pr-44")).toBe(false);
    // The nightly run: a preview whose close event was missed goes, an open PR's stays.
    await deploy(45, 103);
    await deploy(46, 104);
    shell.pullRequests.set(45, "closed");
    shell.pullRequests.set(46, "open");
    await runStep("preview-cleanup.yml", "destroy", /preview -- cleanup/, {
      name: "schedule",
      run: 105,
    });
    expect(shell.backend.stacks.has("northwind/astral/pr-45")).toBe(false);
    expect(shell.backend.stacks.has("northwind/astral/pr-46")).toBe(true);
    expect(shell.backend.stacks.has("northwind/astral/sandbox")).toBe(true);
  });

  it("fails a doc that drifts from the code: production without the promotion step", async () => {
    const work = testTempDir("astral-rehearsal-");
    mkdirSync(path.join(work, "docs"));
    const shell = new DocShell(work);
    for (const block of blocks.slice(0, 3)) await shell.run(block.code, "setup");
    // The old instructions: pin the digest by hand, no promotion step, no repository.
    const drifted = [
      'pulumi config set astral:imageDigest "$(pulumi stack output imageDigest --stack <org>/sandbox)" --stack <org>/production',
      "pulumi up --stack <org>/production",
    ].join("\n");
    await expect(shell.run(drifted, "old docs")).rejects.toThrow(
      /astral:imageRepository still holds the stack file's placeholder/,
    );
  });

  it("fails an unknown command or CLI flag instead of skipping it", async () => {
    const shell = new DocShell(testTempDir("astral-rehearsal-"));
    await expect(shell.run("pulumi stack init <org>/sandbox", "x")).resolves.toBeUndefined();
    await expect(shell.run("npm run promote -- prepare --requestor alice", "x")).rejects.toThrow(
      /Unknown option '--requestor'/,
    );
    await expect(shell.run("terraform apply", "x")).rejects.toThrow(
      'the rehearsal does not know "terraform"',
    );
    // A workflow step whose variable the workflow no longer sets, or a command the CLI lost.
    await expect(shell.run('npm run preview -- up "$PR_NUMBER"', "x")).rejects.toThrow(
      "$PR_NUMBER is not set",
    );
    shell.env.ASTRAL_SANDBOX_STACK = "northwind/astral/sandbox";
    await expect(shell.run("npm run preview -- create 7", "x")).rejects.toThrow(/usage: preview/);
    await expect(shell.run("npm run tenant -- sync sandbox", "x")).rejects.toThrow(
      'the tenant CLI has no "sync"',
    );
    // The nightly cleanup without the token the workflow passes cannot read PR states.
    await expect(shell.run("npm run preview -- cleanup", "x")).rejects.toThrow(
      "GITHUB_REPOSITORY is not set",
    );
  });
});

describe("the README's Deploy and Operations commands", () => {
  const readme = read("README.md");
  const section = (title: string) => {
    const start = readme.indexOf(`## ${title}\n`);
    return readme.slice(start, readme.indexOf("\n## ", start + 1));
  };
  const commands = [section("Deploy"), section("Operations")].flatMap((text) =>
    [...text.matchAll(/`((?:pulumi|npm run) [^`]+)`/g)].map((m) => m[1] as string),
  );

  it("run in order: the first sandbox and production deploys, then previews, a promotion, a tenant apply", async () => {
    const [deploy, operations] = ["Deploy", "Operations"].map((title) =>
      [...section(title).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string),
    );
    expect([deploy?.length, operations?.length]).toEqual([1, 1]);
    const work = testTempDir("astral-rehearsal-");
    mkdirSync(path.join(work, "docs"));
    const shell = new DocShell(work);
    await shell.run(deploy?.[0] as string, "README.md (Deploy)");
    const production = shell.backend.stacks.get("northwind/astral/production");
    expect(production?.history[0]).toMatchObject({ kind: "update", result: "succeeded" });
    expect(production?.outputs.imageDigest?.value).toBe(
      shell.backend.stacks.get("northwind/astral/sandbox")?.outputs.imageDigest?.value,
    );
    // Sandbox moves on (a push to main), so the Operations block's promotion has a new digest.
    await shell.run(
      'pulumi config set astral:imageTag "$(git rev-parse --short=12 HEAD)-run2" --stack <org>/sandbox\npulumi up --stack <org>/sandbox',
      "a push to main",
    );
    await shell.run(operations?.[0] as string, "README.md (Operations)");
    expect(shell.output).toContain("destroyed and removed northwind/astral/pr-43");
    expect(
      readFileSync(path.join(work, "docs", "promotions.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(2);
    expect(shell.output).toContain("tenant drift sandbox (northwind-sandbox.eu.auth0.com)");
  });

  it("name only npm scripts and commands that exist, and the deploy.md steps they summarize", () => {
    expect(commands.length).toBeGreaterThan(5);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> })
      .scripts;
    for (const command of commands.filter((c) => c.startsWith("npm run "))) {
      const [, name, sub] = /^npm run ([\w:-]+)(?: -- (\w+))?/.exec(command) ?? [];
      expect(scripts, command).toHaveProperty(name as string);
      const cli = /tsx (\S+\.ts)/.exec(scripts[name as string] ?? "")?.[1];
      if (sub && cli) expect(read(cli), command).toContain(`"${sub}"`);
    }
    // The README's first production deploy is the promotion deploy.md rehearses above.
    expect(section("Deploy")).toContain("npm run promote -- prepare");
    expect(read("docs/deploy.md")).toContain("npm run promote -- prepare --requested-by <you>");
  });
});

interface Event {
  name: "pull_request" | "schedule";
  pr?: number;
  run: number;
}

/** What GitHub gives a run of this repository's workflows for `event`. */
function context(event: Event) {
  return {
    values: {
      "github.event.pull_request.number": String(event.pr ?? ""),
      "vars.PULUMI_ORG": OPERATOR_ORG,
      "github.token": "ghs_rehearsalToken",
    },
    defaults: {
      GITHUB_REPOSITORY: "northwind/astral",
      GITHUB_SHA: COMMIT,
      GITHUB_RUN_ID: String(event.run),
      GITHUB_RUN_ATTEMPT: "1",
    },
  };
}

/** The two `if:`s the cleanup workflow's steps use (any other fails the rehearsal). */
function evaluateIf(condition: string, event: Event): boolean {
  const known: Record<string, boolean> = {
    "github.event_name == 'pull_request'": event.name === "pull_request",
    "github.event_name != 'pull_request'": event.name !== "pull_request",
  };
  const value = known[condition.trim()];
  if (value === undefined) throw new Error(`the rehearsal cannot evaluate if: ${condition}`);
  return value;
}
