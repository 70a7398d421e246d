/**
 * Promotion: production runs exactly the image sandbox proved.
 *
 * `preparePromotion` reads the digest sandbox runs, refuses one sandbox never deployed, pins it in
 * `Pulumi.production.yaml` (`astral:imageDigest`, edited in place so comments and order stay, a
 * reviewable diff) and appends a promotion record to `docs/promotions.jsonl` with the exact image
 * tag and repository sandbox pushed it as. After review and merge, CI runs `verifyPromotion`
 * against the record (not against what sandbox runs by then: sandbox redeploys on every push) and
 * `pulumi up -s production -m "<record>"`. Production never builds: a pinned digest is what the
 * Pulumi program deploys.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { isMap, parseDocument } from "yaml";
import { z } from "zod";
import { isBuildOf } from "../../infra/aws/imageTag";
import { isPlaceholder } from "../../stacks/config";
import type { StackBackend } from "../lib/stack-backend";
import { CONFIG_KEYS, IMAGE_DIGEST, OUTPUTS, STACK_TAGS } from "../lib/stacks";
import type { ImageRegistry } from "./registry";

export class PromotionError extends Error {
  constructor(
    readonly code:
      | "sandbox_not_deployed"
      | "invalid_digest"
      | "digest_not_deployed"
      | "invalid_stack_file"
      | "invalid_record"
      | "unrecorded_pin"
      | "repository_mismatch"
      | "not_a_sandbox_build"
      | "image_not_found"
      | "image_mismatch",
    message: string,
  ) {
    super(message);
    this.name = "PromotionError";
  }
}

const Digest = z.string().regex(IMAGE_DIGEST, "must be sha256:<64 lowercase hex>");
/** A Docker image tag (at most 128 characters of `[A-Za-z0-9_.-]`, not starting with . or -). */
const ImageTag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag");
/** An ECR repository URL: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`. */
const ImageRepository = z
  .string()
  .regex(
    /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*$/,
    "must be an ECR repository URL",
  );

/** One line of `docs/promotions.jsonl`. */
export const PromotionRecord = z.strictObject({
  from: z.literal("sandbox"),
  to: z.literal("production"),
  digest: Digest,
  /** What production pinned before (null for the first promotion). */
  previousDigest: Digest.nullable(),
  /** The commit sandbox built and deployed the image from. */
  gitSha: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit SHA"),
  /** Where sandbox pushed the image, and the exact (immutable) tag: what `verify` resolves. */
  imageRepository: ImageRepository,
  imageTag: ImageTag,
  requestedBy: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\r\n"]+$/, "must be one line without quotes"),
  time: z.iso.datetime(),
});
export type PromotionRecord = z.infer<typeof PromotionRecord>;

/** What sandbox runs now and where the image came from. */
export interface SandboxImage {
  digest: string;
  gitSha?: string;
  imageRepository: string;
  imageTag: string;
}

/**
 * The image sandbox runs now: its last update succeeded, and its `imageDigest`, `imageRepository`
 * and `imageTag` outputs.
 */
export async function sandboxDeployment(
  backend: StackBackend,
  sandboxStack: string,
): Promise<SandboxImage> {
  const last = await backend.lastUpdate(sandboxStack);
  if (last?.kind !== "update" || last.result !== "succeeded") {
    const what = last ? `its last ${last.kind} ${last.result}` : "it has never been updated";
    throw new PromotionError(
      "sandbox_not_deployed",
      `sandbox stack "${sandboxStack}" has no successful deployment to promote: ${what}`,
    );
  }
  const outputs = await backend.outputs(sandboxStack);
  const output = outputs[OUTPUTS.imageDigest]?.value;
  const parsed = Digest.safeParse(output);
  if (!parsed.success) {
    throw new PromotionError(
      "invalid_digest",
      `sandbox stack "${sandboxStack}" output ${OUTPUTS.imageDigest} is not an image digest: ${JSON.stringify(output ?? null)}`,
    );
  }
  const source = z.object({ imageRepository: ImageRepository, imageTag: ImageTag }).safeParse({
    imageRepository: outputs[OUTPUTS.imageRepository]?.value,
    imageTag: outputs[OUTPUTS.imageTag]?.value,
  });
  if (!source.success) {
    throw new PromotionError(
      "sandbox_not_deployed",
      `sandbox stack "${sandboxStack}" does not say where its image is: ${z.prettifyError(source.error)}`,
    );
  }
  const gitSha = (await backend.getTags(sandboxStack))[STACK_TAGS.gitSha];
  return { digest: parsed.data, gitSha, ...source.data };
}

/**
 * Refuses a digest sandbox never deployed. Accepted: what sandbox runs now, or a digest recorded
 * by an earlier promotion (each was verified against sandbox then): that is a rollback.
 */
export async function verifyDeployedToSandbox(input: {
  backend: StackBackend;
  sandboxStack: string;
  digest: string;
  log: PromotionRecord[];
}): Promise<{ source: "sandbox" | "earlier-promotion" } & Omit<SandboxImage, "digest">> {
  const digest = parseDigest(input.digest);
  let current: SandboxImage | undefined;
  let why = "";
  try {
    current = await sandboxDeployment(input.backend, input.sandboxStack);
  } catch (error) {
    if (!(error instanceof PromotionError)) throw error;
    why = error.message;
  }
  if (current?.digest === digest) {
    const { digest: _, ...image } = current;
    return { source: "sandbox", ...image };
  }
  const earlier = input.log.findLast((r) => r.digest === digest);
  if (earlier) {
    const { gitSha, imageRepository, imageTag } = earlier;
    return { source: "earlier-promotion", gitSha, imageRepository, imageTag };
  }
  throw new PromotionError(
    "digest_not_deployed",
    `refusing ${digest}: sandbox never deployed it (${current ? `sandbox runs ${current.digest}` : why})`,
  );
}

export function parseDigest(digest: string): string {
  const parsed = Digest.safeParse(digest);
  if (!parsed.success) {
    throw new PromotionError(
      "invalid_digest",
      `image digest must be sha256:<64 lowercase hex>, got "${digest}"`,
    );
  }
  return parsed.data;
}

/**
 * Production's pinned digest in `Pulumi.production.yaml`, or null when none is pinned (the stack
 * file's all-zero example digest counts as none: a first deploy has no previous digest).
 */
export function readPinnedDigest(file: string): string | null {
  const value = readPinned(file, CONFIG_KEYS.imageDigest);
  return value === null ? null : parseDigest(value);
}

/**
 * The ECR repository production pulls its pinned digest from, or null when none is pinned yet.
 * Production pins it itself (not sandbox's output): write access to sandbox must not be able to
 * change where production pulls from.
 */
export function readPinnedRepository(file: string): string | null {
  return readPinned(file, CONFIG_KEYS.imageRepository);
}

function readPinned(file: string, key: string): string | null {
  const value = loadStackFile(file).getIn(["config", key]);
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    throw new PromotionError("invalid_stack_file", `${file}: ${key} must be a string`);
  }
  return isPlaceholder(value) ? null : value;
}

/**
 * Pins `astral:imageDigest` (and, given one, `astral:imageRepository`) in the stack file,
 * changing only those values (comments, order and every other key untouched). Returns the digest
 * pinned before, or null.
 */
export function writePinnedDigest(
  file: string,
  digest: string,
  imageRepository?: string,
): string | null {
  const previous = readPinnedDigest(file);
  const doc = loadStackFile(file);
  doc.setIn(["config", CONFIG_KEYS.imageDigest], parseDigest(digest));
  if (imageRepository !== undefined) {
    doc.setIn(["config", CONFIG_KEYS.imageRepository], ImageRepository.parse(imageRepository));
  }
  writeFileSync(file, doc.toString());
  return previous;
}

function loadStackFile(file: string) {
  if (!existsSync(file)) {
    throw new PromotionError(
      "invalid_stack_file",
      `${file} does not exist (the production stack's config)`,
    );
  }
  const doc = parseDocument(readFileSync(file, "utf8"));
  if (doc.errors.length > 0) {
    throw new PromotionError(
      "invalid_stack_file",
      `${file} is not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`,
    );
  }
  if (!isMap(doc.contents) || !isMap(doc.get("config"))) {
    throw new PromotionError("invalid_stack_file", `${file} has no config: map`);
  }
  return doc;
}

/** Every record in the log; a malformed line is an error naming its line number. */
export function readPromotionLog(file: string): PromotionRecord[] {
  if (!existsSync(file)) return [];
  const records: PromotionRecord[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      if (line.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new PromotionError("invalid_record", `${file}:${index + 1} is not JSON`);
      }
      const parsed = PromotionRecord.safeParse(json);
      if (!parsed.success) {
        throw new PromotionError(
          "invalid_record",
          `${file}:${index + 1}: ${z.prettifyError(parsed.error)}`,
        );
      }
      records.push(parsed.data);
    });
  return records;
}

export function appendPromotionRecord(file: string, record: PromotionRecord): void {
  const valid = PromotionRecord.parse(record);
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const separator = text === "" || text.endsWith("\n") ? "" : "\n";
  appendFileSync(file, `${separator}${JSON.stringify(valid)}\n`);
}

/** The update message `pulumi up -s production -m` records: one line, the whole record. */
export function promotionMessage(record: PromotionRecord): string {
  return `Promote ${record.digest} from ${record.from} to ${record.to} (git ${record.gitSha}, requested by ${record.requestedBy}, ${record.time})`;
}

export function pulumiUpCommand(record: PromotionRecord): string {
  return `pulumi up -s production -m "${promotionMessage(record)}"`;
}

export interface PrepareInput {
  backend: StackBackend;
  sandboxStack: string;
  productionFile: string;
  logFile: string;
  requestedBy: string;
  now: Date;
  /** Promote this digest instead of what sandbox runs now (a rollback to an earlier promotion). */
  digest?: string;
}

/**
 * Pins the digest and its repository in the production stack file and appends the record; both
 * files are then committed in a PR. Nothing is written when the digest is refused, or when it is
 * already pinned from that repository and recorded by the last record. A pin without its record
 * (a stack file edited by hand) gets its record, so `verify` accepts the first deploy too.
 */
export async function preparePromotion(
  input: PrepareInput,
): Promise<{ record: PromotionRecord; changed: true } | { digest: string; changed: false }> {
  const log = readPromotionLog(input.logFile);
  const digest =
    input.digest ?? (await sandboxDeployment(input.backend, input.sandboxStack)).digest;
  const verified = await verifyDeployedToSandbox({
    backend: input.backend,
    sandboxStack: input.sandboxStack,
    digest,
    log,
  });
  const previousDigest = readPinnedDigest(input.productionFile);
  const pinned =
    previousDigest === digest &&
    readPinnedRepository(input.productionFile) === verified.imageRepository;
  if (pinned && log.at(-1)?.digest === digest) return { digest, changed: false };
  if (!verified.gitSha) {
    throw new PromotionError(
      "sandbox_not_deployed",
      `sandbox stack "${input.sandboxStack}" has no ${STACK_TAGS.gitSha} tag: which commit built ${digest} is unknown`,
    );
  }
  const record = PromotionRecord.parse({
    from: "sandbox",
    to: "production",
    digest,
    previousDigest: previousDigest === digest ? (log.at(-1)?.digest ?? null) : previousDigest,
    gitSha: verified.gitSha,
    imageRepository: verified.imageRepository,
    imageTag: verified.imageTag,
    requestedBy: input.requestedBy,
    time: input.now.toISOString(),
  });
  writePinnedDigest(input.productionFile, digest, verified.imageRepository);
  appendPromotionRecord(input.logFile, record);
  return { record, changed: true };
}

/**
 * CI's check before `pulumi up -s production`: the pinned digest and repository are the newest
 * record's, and the
 * record's image tag still resolves to that digest in the record's repository (tags are immutable
 * there, so this is the image sandbox built and deployed at `prepare`). It does not look at what
 * sandbox runs now: sandbox redeploys on every push to main, so a merge between `prepare` and this
 * check must not fail it. Returns that record (its message goes to `pulumi up -m`).
 */
export async function verifyPromotion(input: {
  registry: ImageRegistry;
  productionFile: string;
  logFile: string;
}): Promise<PromotionRecord> {
  const pinned = readPinnedDigest(input.productionFile);
  const log = readPromotionLog(input.logFile);
  const record = log.at(-1);
  if (pinned === null || record?.digest !== pinned) {
    throw new PromotionError(
      "unrecorded_pin",
      `production pins ${pinned ?? "no digest"} but the last promotion record is for ${record?.digest ?? "nothing"}: run "npm run promote -- prepare"`,
    );
  }
  const repository = readPinnedRepository(input.productionFile);
  if (repository !== record.imageRepository) {
    throw new PromotionError(
      "repository_mismatch",
      `production pulls from ${repository ?? "no pinned repository"} but the promotion record's image is in ${record.imageRepository}: run "npm run promote -- prepare"`,
    );
  }
  // Previews push PR code to the same repository (`pr-<n>-…`). Records are unsigned (ADR 0500):
  // trusted as far as a reviewed PR to main goes, and checked against what only sandbox builds.
  if (!isBuildOf(record.imageTag, record.gitSha)) {
    throw new PromotionError(
      "not_a_sandbox_build",
      `the promotion record's image tag ${record.imageTag} is not a sandbox build of its commit ${record.gitSha} (sandbox tags <commit>-<build id>; a preview's pr-<n>-… image is never promoted)`,
    );
  }
  const resolved = await input.registry.digestOf(record.imageRepository, record.imageTag);
  if (resolved === undefined) {
    throw new PromotionError(
      "image_not_found",
      `the promotion record's image ${record.imageRepository}:${record.imageTag} is not in the registry (deleted or expired?)`,
    );
  }
  if (resolved !== record.digest) {
    throw new PromotionError(
      "image_mismatch",
      `refusing ${record.digest}: ${record.imageRepository}:${record.imageTag} is ${resolved}`,
    );
  }
  return record;
}

/** Tags production with what it runs, after a successful `pulumi up`. */
export async function tagProduction(input: {
  backend: StackBackend;
  productionStack: string;
  record: PromotionRecord;
  pr?: number;
  approvedBy: string;
}): Promise<Record<string, string>> {
  const tags: Record<string, string> = {
    [STACK_TAGS.imageDigest]: input.record.digest,
    [STACK_TAGS.gitSha]: input.record.gitSha,
    [STACK_TAGS.requestedBy]: input.record.requestedBy,
    [STACK_TAGS.approvedBy]: input.approvedBy,
  };
  if (input.pr !== undefined) tags[STACK_TAGS.pr] = String(input.pr);
  await input.backend.setTags(input.productionStack, tags);
  return tags;
}
