/**
 * PR preview stacks: one `pr-<n>` stack per pull request, config derived from sandbox's, a TTL tag,
 * and cleanup of previews whose PR is closed or whose TTL has passed.
 *
 * Every destroy goes through `destroyPreview`, which refuses any stack that is not a preview
 * (`pr-<n>` by name and `preview` by role): sandbox and production can never be destroyed here.
 */

import { randomBytes } from "node:crypto";
import { uniqueImageTag } from "../../infra/aws/imageTag";
import { CONFIG_NAMESPACE } from "../../stacks/config";
import type { ConfigMap, StackBackend } from "../lib/stack-backend";
import { shortStackName } from "../lib/stack-backend";
import { CONFIG_KEYS, OUTPUTS, PROJECT, SANDBOX_KEYS, STACK_TAGS } from "../lib/stacks";
import type { PullRequests } from "./pull-requests";

export const DEFAULT_TTL_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `astral:` settings a preview takes from sandbox as they are (task size, scaling, logs).
 * Everything else in `astral:` is sandbox's own (its tenant, bootstrap client, admin, domain,
 * image tag): an allowlist, so a key added later for a tenant owner never leaks into previews.
 */
export const INHERITED_ASTRAL_KEYS: ReadonlySet<string> = new Set(
  ["cpu", "memory", "minTasks", "maxTasks", "logRetentionDays"].map(
    (k) => `${CONFIG_NAMESPACE}:${k}`,
  ),
);
/** Provider namespaces a preview never takes (it owns nothing in Auth0). */
const NEVER_INHERITED_NAMESPACES = ["astral:", "auth0:"];

export class PreviewError extends Error {
  constructor(
    readonly code:
      | "invalid_pr_number"
      | "not_a_preview"
      | "invalid_sandbox_stack"
      | "invalid_git_sha",
    message: string,
  ) {
    super(message);
    this.name = "PreviewError";
  }
}

/** Validates a PR number given as text or number; returns it as a number. */
export function parsePrNumber(pr: string | number): number {
  const text = String(pr).trim();
  if (!/^[1-9][0-9]{0,9}$/.test(text)) {
    throw new PreviewError(
      "invalid_pr_number",
      `PR number must be a positive integer, got "${String(pr)}"`,
    );
  }
  return Number(text);
}

/**
 * The preview stack of a PR: `pr-<n>`, qualified with the sandbox stack's organization and
 * project when the sandbox stack name is fully qualified (`acme/astral/sandbox` → `acme/astral/pr-12`).
 */
export function previewStackName(pr: string | number, sandboxStack?: string): string {
  const name = `pr-${parsePrNumber(pr)}`;
  if (!sandboxStack?.includes("/")) return name;
  const parts = sandboxStack.split("/");
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new PreviewError(
      "invalid_sandbox_stack",
      `sandbox stack must be "<org>/${PROJECT}/sandbox" or "sandbox", got "${sandboxStack}"`,
    );
  }
  return `${parts[0]}/${parts[1]}/${name}`;
}

/**
 * The PR number of a preview stack name, or undefined when the name is not a preview's:
 * exactly `pr-<n>` or `<org>/astral/pr-<n>`.
 */
export function previewPrNumber(stack: string): number | undefined {
  const parts = stack.split("/");
  if (parts.length === 3) {
    if (parts[0] === "" || parts[1] !== PROJECT) return undefined;
  } else if (parts.length !== 1) {
    return undefined;
  }
  const match = /^pr-([1-9][0-9]{0,9})$/.exec(shortStackName(stack));
  return match ? Number(match[1]) : undefined;
}

/**
 * A preview's config, derived from sandbox's `Pulumi.sandbox.yaml`: provider settings (e.g.
 * `aws:region`) and the allowlisted `astral:` settings are copied; the preview's own keys are
 * set (role, PR number, StackReference to sandbox, an image tag unique to this run: commit and
 * build id, since ECR tags are immutable and every run may build) and, when sandbox
 * has `astral:previewDomain`, the host `pr-<n>.<previewDomain>` in sandbox's hosted zone.
 * Secure values are never copied (encrypted with sandbox's key, they would not decrypt in another
 * stack; and a preview borrows sandbox's backend through the StackReference instead).
 */
export function derivePreviewConfig(
  sandbox: { config: ConfigMap; secureKeys: string[] },
  pr: number,
  sandboxStack: string,
  gitSha: string,
  build: string,
): { config: ConfigMap; notCopied: string[] } {
  const prNumber = parsePrNumber(pr);
  if (!/^[0-9a-f]{7,40}$/.test(gitSha)) {
    throw new PreviewError("invalid_git_sha", `git SHA must be 7-40 hex digits, got "${gitSha}"`);
  }
  const config: ConfigMap = {};
  const notCopied = [...sandbox.secureKeys];
  for (const [key, value] of Object.entries(sandbox.config)) {
    const inherited =
      INHERITED_ASTRAL_KEYS.has(key) ||
      !NEVER_INHERITED_NAMESPACES.some((ns) => key.startsWith(ns));
    if (inherited) config[key] = { value: value.value };
    else notCopied.push(key);
  }
  const previewDomain = sandbox.config[SANDBOX_KEYS.previewDomain]?.value;
  const zone = sandbox.config[SANDBOX_KEYS.hostedZoneId]?.value;
  if (previewDomain && zone) {
    config[SANDBOX_KEYS.domainName] = { value: `pr-${prNumber}.${previewDomain}` };
    config[SANDBOX_KEYS.hostedZoneId] = { value: zone };
  }
  config[CONFIG_KEYS.role] = { value: "preview" };
  config[CONFIG_KEYS.prNumber] = { value: String(prNumber) };
  config[CONFIG_KEYS.sandboxStack] = { value: sandboxStack };
  config[SANDBOX_KEYS.imageTag] = { value: uniqueImageTag(gitSha, build) };
  return { config, notCopied: notCopied.sort() };
}

export function expiryTag(now: Date, ttlDays: number): string {
  return new Date(now.getTime() + ttlDays * DAY_MS).toISOString();
}

export interface DeployPreviewInput {
  backend: StackBackend;
  pr: number;
  sandbox: { config: ConfigMap; secureKeys: string[] };
  /** The sandbox stack, as the preview's StackReference names it. */
  sandboxStack: string;
  gitSha: string;
  /** This run's build id (infra/aws/imageTag.ts `buildId`): part of the image tag. */
  buildId: string;
  now: Date;
  ttlDays?: number;
  onOutput?: (line: string) => void;
}

/** Creates or updates the PR's preview stack and deploys it; returns the stack and portal URL. */
export async function deployPreview(input: DeployPreviewInput) {
  const { backend, pr, gitSha } = input;
  const stack = previewStackName(pr, input.sandboxStack);
  const existing = (await backend.listStacks()).some((s) => s.name === stack);
  if (existing) {
    await assertIsPreview(backend, stack);
  } else {
    await backend.createStack(stack);
  }
  const { config, notCopied } = derivePreviewConfig(
    input.sandbox,
    pr,
    input.sandboxStack,
    gitSha,
    input.buildId,
  );
  config[SANDBOX_KEYS.sessionSecret] = {
    value: await previewSessionSecret(backend, stack, existing),
    secret: true,
  };
  await backend.setConfig(stack, config);
  await backend.setTags(stack, {
    [STACK_TAGS.role]: "preview",
    [STACK_TAGS.pr]: String(pr),
    [STACK_TAGS.expiresAt]: expiryTag(input.now, input.ttlDays ?? DEFAULT_TTL_DAYS),
    [STACK_TAGS.gitSha]: gitSha,
  });
  const outputs = await backend.up(stack, {
    message: `Preview of PR #${pr} at ${gitSha}`,
    onOutput: input.onOutput,
  });
  const url = outputs.portalUrl?.value;
  return {
    stack,
    created: !existing,
    notCopied,
    portalUrl: typeof url === "string" ? url : undefined,
  };
}

/**
 * The preview's session secret (the portal's cookie key): made once, then the same on every run,
 * so users stay signed in across pushes. CI starts from a fresh checkout where the stack's config
 * file does not exist, so the value is read back from the stack's own state, its secret
 * `sessionSecret` output (encrypted there like any secret); the local config is used when present.
 * Never printed.
 */
export async function previewSessionSecret(
  backend: StackBackend,
  stack: string,
  existing: boolean,
): Promise<string> {
  if (existing) {
    const inConfig = (await backend.getConfig(stack))[SANDBOX_KEYS.sessionSecret]?.value;
    if (isSessionSecret(inConfig)) return inConfig;
    const inState = (await backend.outputs(stack))[OUTPUTS.sessionSecret];
    if (inState?.secret && isSessionSecret(inState.value)) return inState.value;
  }
  return randomBytes(32).toString("hex");
}

const isSessionSecret = (value: unknown): value is string =>
  typeof value === "string" && value.length >= 32;

/**
 * Refuses unless the stack is a preview: a `pr-<n>` name, and a config that, when it says
 * anything, says role `preview` and the same PR number.
 */
export async function assertIsPreview(backend: StackBackend, stack: string): Promise<number> {
  const pr = previewPrNumber(stack);
  if (pr === undefined) {
    throw new PreviewError(
      "not_a_preview",
      `refusing to touch stack "${stack}": only preview stacks named pr-<n> are handled here`,
    );
  }
  const config = await backend.getConfig(stack);
  const role = config[CONFIG_KEYS.role]?.value;
  if (role !== undefined && role !== "preview") {
    throw new PreviewError(
      "not_a_preview",
      `refusing to touch stack "${stack}": its ${CONFIG_KEYS.role} is "${role}", not "preview"`,
    );
  }
  const configuredPr = config[CONFIG_KEYS.prNumber]?.value;
  if (configuredPr !== undefined && configuredPr !== String(pr)) {
    throw new PreviewError(
      "not_a_preview",
      `refusing to touch stack "${stack}": its ${CONFIG_KEYS.prNumber} is "${configuredPr}"`,
    );
  }
  return pr;
}

/**
 * The one way a stack is destroyed by this script: guard first, then destroy its resources and
 * remove the stack with its history.
 */
export async function destroyPreview(
  backend: StackBackend,
  stack: string,
  reason: string,
  onOutput?: (line: string) => void,
): Promise<void> {
  const pr = await assertIsPreview(backend, stack);
  await backend.destroy(stack, { message: `Destroy preview of PR #${pr}: ${reason}`, onOutput });
  await backend.removeStack(stack);
}

export interface CleanupResult {
  stack: string;
  action: "destroyed" | "kept" | "failed";
  reason: string;
}

/**
 * Destroys every preview whose PR is no longer open, or whose TTL has passed. Stacks that are not
 * previews are not looked at. A PR whose state cannot be read is kept (a GitHub outage must not
 * destroy open previews); a failure on one stack does not stop the others.
 */
export async function cleanupPreviews(input: {
  backend: StackBackend;
  pullRequests: PullRequests;
  now: Date;
  ttlDays?: number;
  onOutput?: (line: string) => void;
}): Promise<CleanupResult[]> {
  const { backend, pullRequests, now } = input;
  const results: CleanupResult[] = [];
  for (const summary of await backend.listStacks()) {
    const pr = previewPrNumber(summary.name);
    if (pr === undefined) continue;
    let reason: string | undefined;
    try {
      const state = await pullRequests.state(pr);
      if (state !== "open") {
        reason = `PR #${pr} is ${state}`;
      } else {
        const expiry = await expiresAt(backend, summary, input.ttlDays ?? DEFAULT_TTL_DAYS);
        if (expiry !== undefined && expiry.getTime() <= now.getTime()) {
          reason = `TTL expired at ${expiry.toISOString()}`;
        }
      }
      if (reason === undefined) {
        results.push({ stack: summary.name, action: "kept", reason: `PR #${pr} is open` });
        continue;
      }
      await destroyPreview(backend, summary.name, reason, input.onOutput);
      results.push({ stack: summary.name, action: "destroyed", reason });
    } catch (error) {
      results.push({
        stack: summary.name,
        action: "failed",
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}

/** The TTL tag, or (for a stack without one) its last update plus the TTL. */
async function expiresAt(
  backend: StackBackend,
  summary: { name: string; lastUpdate?: string },
  ttlDays: number,
): Promise<Date | undefined> {
  const tag = (await backend.getTags(summary.name))[STACK_TAGS.expiresAt];
  const tagged = tag === undefined ? undefined : new Date(tag);
  if (tagged && !Number.isNaN(tagged.getTime())) return tagged;
  const last = summary.lastUpdate === undefined ? undefined : new Date(summary.lastUpdate);
  if (last && !Number.isNaN(last.getTime())) return new Date(last.getTime() + ttlDays * DAY_MS);
  return undefined;
}
