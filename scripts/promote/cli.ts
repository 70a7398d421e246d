/**
 * `npm run promote -- <command>`: promote the image sandbox runs to production.
 *
 *   prepare [--digest D] [--requested-by NAME]
 *       pin the digest sandbox runs (or D, an earlier promotion's, for a rollback) in
 *       Pulumi.production.yaml and append the record to docs/promotions.jsonl; commit both in a PR
 *   verify
 *       (CI) the pinned digest is the last record's, and the record's image tag resolves to it in
 *       ECR (aws CLI); prints the `pulumi up -m` message (step outputs: message, digest, git-sha)
 *   tag --approved-by NAME [--pr N]
 *       (CI, after pulumi up) tag the production stack with digest, git SHA, PR and approver
 *
 * Environment: ASTRAL_SANDBOX_STACK (default: production's astral:sandboxStack), GITHUB_ACTOR.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { runCli, setStepOutput, UsageError } from "../lib/cli";
import { AutomationStackBackend } from "../lib/pulumi-automation";
import type { StackBackend } from "../lib/stack-backend";
import {
  PRODUCTION_STACK,
  REPO_ROOT,
  resolveSandboxStack,
  siblingStack,
  stackFilePath,
} from "../lib/stacks";
import {
  preparePromotion,
  promotionMessage,
  pulumiUpCommand,
  readPromotionLog,
  tagProduction,
  verifyPromotion,
} from "./promote";
import { EcrCliRegistry, type ImageRegistry } from "./registry";

export const PROMOTION_LOG = path.join(REPO_ROOT, "docs", "promotions.jsonl");
const USAGE =
  "usage: promote prepare [--digest D] [--requested-by NAME] | promote verify | promote tag --approved-by NAME [--pr N]";

/** What the commands act on: the real ones by default, fakes in the docs rehearsal. */
export interface PromoteDeps {
  backend: StackBackend;
  registry: ImageRegistry;
  files: { productionFile: string; logFile: string };
  sandboxStack: string;
  env: Record<string, string | undefined>;
  now: () => Date;
  log: (line: string) => void;
}

function realDeps(): PromoteDeps {
  return {
    backend: new AutomationStackBackend(REPO_ROOT),
    registry: new EcrCliRegistry(),
    files: { productionFile: stackFilePath(PRODUCTION_STACK), logFile: PROMOTION_LOG },
    sandboxStack: resolveSandboxStack(),
    env: process.env,
    now: () => new Date(),
    log: (line) => console.log(line),
  };
}

/** `promote <command> ...` with `args` (without the program name); the exit code. */
export async function promote(args: string[], deps: PromoteDeps): Promise<number> {
  const { backend, files, sandboxStack, log } = deps;
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      digest: { type: "string" },
      "requested-by": { type: "string" },
      "approved-by": { type: "string" },
      pr: { type: "string" },
    },
  });
  const [command] = positionals;

  if (command === "prepare") {
    const requestedBy = values["requested-by"] ?? deps.env.GITHUB_ACTOR;
    if (!requestedBy) throw new UsageError("--requested-by is required (or GITHUB_ACTOR)");
    const result = await preparePromotion({
      backend,
      sandboxStack,
      ...files,
      requestedBy,
      now: deps.now(),
      digest: values.digest,
    });
    if (!result.changed) {
      log(`production already pins ${result.digest}: nothing to promote`);
      return 0;
    }
    log(`pinned ${result.record.digest} in ${path.relative(REPO_ROOT, files.productionFile)}`);
    log(`recorded the promotion in ${path.relative(REPO_ROOT, files.logFile)}`);
    log("commit both in a pull request; once merged, the promotion workflow runs:");
    log(`  ${pulumiUpCommand(result.record)}`);
    return 0;
  }
  if (command === "verify") {
    const record = await verifyPromotion({ registry: deps.registry, ...files });
    log(`verified: ${record.imageRepository}:${record.imageTag} is ${record.digest}, as recorded`);
    log(pulumiUpCommand(record));
    setStepOutput("message", promotionMessage(record));
    setStepOutput("digest", record.digest);
    setStepOutput("git-sha", record.gitSha);
    return 0;
  }
  if (command === "tag") {
    const approvedBy = values["approved-by"];
    if (!approvedBy) throw new UsageError("--approved-by is required");
    const pr = values.pr === undefined || values.pr === "" ? undefined : Number(values.pr);
    if (pr !== undefined && !Number.isInteger(pr))
      throw new UsageError(`--pr must be a number, got "${values.pr}"`);
    const record = readPromotionLog(files.logFile).at(-1);
    if (!record) throw new UsageError(`no promotion record in ${files.logFile}`);
    const tags = await tagProduction({
      backend,
      productionStack: siblingStack(sandboxStack, PRODUCTION_STACK),
      record,
      pr,
      approvedBy,
    });
    for (const [key, value] of Object.entries(tags)) log(`${key}=${value}`);
    return 0;
  }
  throw new UsageError(USAGE);
}

// Run as a program (`npm run promote`), not when imported (the docs rehearsal drives `promote`).
if (require.main === module) runCli(() => promote(process.argv.slice(2), realDeps()));
