/**
 * `npm run preview -- <command>`: PR preview stacks.
 *
 *   up <pr> [--ttl-days N]     create or update pr-<n> from sandbox's config and deploy it
 *   destroy <pr>               destroy and remove pr-<n> (only ever a preview stack)
 *   cleanup [--ttl-days N]     destroy previews whose PR is closed or whose TTL has passed
 *   config <pr>                print the config pr-<n> would get (nothing deployed)
 *   comment <pr>               create or update the PR's one report comment (CI; reads
 *                              SANDBOX_PREVIEW_*, PRODUCTION_PREVIEW_*, PREVIEW_* from env)
 *
 * Environment: GITHUB_SHA (the commit deployed), GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT (the image
 * tag's build id; by hand: the UTC time), GITHUB_REPOSITORY and GITHUB_TOKEN (cleanup),
 * ASTRAL_SANDBOX_STACK (default: production's `astral:sandboxStack`, else `sandbox`).
 */
import { parseArgs } from "node:util";
import { buildId } from "../../infra/aws/imageTag";
import { currentCommit, runCli, setStepOutput, UsageError } from "../lib/cli";
import { AutomationStackBackend } from "../lib/pulumi-automation";
import type { StackBackend } from "../lib/stack-backend";
import { REPO_ROOT, readStackConfig, resolveSandboxStack, stackFilePath } from "../lib/stacks";
import { renderComment, upsertComment } from "./pr-comment";
import {
  cleanupPreviews,
  DEFAULT_TTL_DAYS,
  deployPreview,
  derivePreviewConfig,
  destroyPreview,
  parsePrNumber,
  previewStackName,
} from "./preview";
import { GitHubPullRequests, type PullRequests } from "./pull-requests";

const USAGE = "usage: preview up|destroy|config|comment <pr> | preview cleanup [--ttl-days N]";

/** What the commands act on: the real ones by default, fakes in the docs rehearsal. */
export interface PreviewDeps {
  backend: () => Promise<StackBackend>;
  pullRequests: () => PullRequests;
  /** Sandbox's stack file, whose config a preview derives from. */
  sandboxFile: string;
  sandboxStack: string;
  env: Record<string, string | undefined>;
  gitSha: () => string;
  now: () => Date;
  log: (line: string) => void;
  onOutput: (line: string) => void;
}

function realDeps(): PreviewDeps {
  return {
    backend: async () => new AutomationStackBackend(REPO_ROOT),
    pullRequests: () => GitHubPullRequests.fromEnv(),
    sandboxFile: stackFilePath("sandbox"),
    sandboxStack: resolveSandboxStack(),
    env: process.env,
    gitSha: () => currentCommit(),
    now: () => new Date(),
    log: (line) => console.log(line),
    onOutput: (line) => process.stdout.write(line),
  };
}

/** `preview <command> ...` with `args` (without the program name); the exit code. */
export async function preview(args: string[], deps: PreviewDeps): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { "ttl-days": { type: "string" } },
  });
  const [command, prArg] = positionals;
  const ttlDays = parseTtl(values["ttl-days"]);
  const { sandboxStack, onOutput, log } = deps;
  const sandboxConfig = () => readStackConfig(deps.sandboxFile);

  if (command === "cleanup") {
    const results = await cleanupPreviews({
      backend: await deps.backend(),
      pullRequests: deps.pullRequests(),
      now: deps.now(),
      ttlDays,
      onOutput,
    });
    for (const r of results) log(`${r.action.padEnd(9)} ${r.stack}: ${r.reason}`);
    if (results.length === 0) log("no preview stacks");
    return results.some((r) => r.action === "failed") ? 1 : 0;
  }
  if (!["up", "destroy", "config", "comment"].includes(command ?? "")) throw new UsageError(USAGE);
  if (prArg === undefined) throw new UsageError(USAGE);
  const pr = parsePrNumber(prArg);

  if (command === "comment") {
    const env = deps.env;
    const body = renderComment({
      sha: env.GITHUB_SHA ?? "",
      previews: [
        {
          stack: "sandbox",
          result: env.SANDBOX_PREVIEW_RESULT ?? "skipped",
          output: env.SANDBOX_PREVIEW_OUTPUT ?? "",
        },
        {
          stack: "production",
          result: env.PRODUCTION_PREVIEW_RESULT ?? "skipped",
          output: env.PRODUCTION_PREVIEW_OUTPUT ?? "",
        },
      ],
      preview: {
        result: env.PREVIEW_RESULT ?? "skipped",
        url: env.PREVIEW_URL || undefined,
        stack: env.PREVIEW_STACK || undefined,
      },
    });
    const { GITHUB_REPOSITORY: repository, GITHUB_TOKEN: token } = env;
    if (!repository || !token)
      throw new UsageError("GITHUB_REPOSITORY and GITHUB_TOKEN must be set");
    const done = await upsertComment({
      api: env.GITHUB_API_URL ?? "https://api.github.com",
      repository,
      token,
      pr,
      body,
    });
    log(`${done} the report comment on PR #${pr}`);
    return 0;
  }

  if (command === "config") {
    const { config, notCopied } = derivePreviewConfig(
      sandboxConfig(),
      pr,
      sandboxStack,
      deps.gitSha(),
      buildId(deps.env, deps.now()),
    );
    log(JSON.stringify({ stack: previewStackName(pr, sandboxStack), config, notCopied }, null, 2));
    return 0;
  }
  if (command === "destroy") {
    await destroyPreview(
      await deps.backend(),
      previewStackName(pr, sandboxStack),
      "PR closed",
      onOutput,
    );
    log(`destroyed and removed ${previewStackName(pr, sandboxStack)}`);
    return 0;
  }
  const gitSha = deps.gitSha();
  const result = await deployPreview({
    backend: await deps.backend(),
    pr,
    sandbox: sandboxConfig(),
    sandboxStack,
    gitSha,
    buildId: buildId(deps.env, deps.now()),
    now: deps.now(),
    ttlDays,
    onOutput,
  });
  log(`preview ${result.stack} ${result.created ? "created" : "updated"}`);
  if (result.notCopied.length > 0) log(`not copied from sandbox: ${result.notCopied.join(", ")}`);
  if (result.portalUrl) {
    log(`portal: ${result.portalUrl}`);
    setStepOutput("portal-url", result.portalUrl);
  }
  setStepOutput("stack", result.stack);
  return 0;
}

function parseTtl(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TTL_DAYS;
  const days = Number(value);
  if (!Number.isFinite(days) || days <= 0)
    throw new UsageError(`--ttl-days must be a positive number, got "${value}"`);
  return days;
}

// Run as a program (`npm run preview`), not when imported (the docs rehearsal drives `preview`).
if (require.main === module) runCli(() => preview(process.argv.slice(2), realDeps()));
