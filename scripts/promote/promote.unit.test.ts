import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { FakeStackBackend } from "../lib/fake-stack-backend";
import { REPO_ROOT, STACK_TAGS } from "../lib/stacks";
import {
  type PromotionRecord,
  preparePromotion,
  promotionMessage,
  pulumiUpCommand,
  readPinnedDigest,
  readPinnedRepository,
  readPromotionLog,
  tagProduction,
  verifyPromotion,
  writePinnedDigest,
} from "./promote";
import {
  describeImageArgs,
  EcrCliRegistry,
  type ImageRegistry,
  parseEcrRepository,
} from "./registry";

/** The repository's own production stack file (infra's), copied: what a promotion really edits. */
const PRODUCTION_FILE = path.join(REPO_ROOT, "Pulumi.production.yaml");
/** The committed file's example digest: a placeholder, so a first promotion has no previous one. */
const EXAMPLE_DIGEST = `sha256:${"0".repeat(64)}`;
const SANDBOX_DIGEST = `sha256:${"a".repeat(64)}`;
const NEVER = `sha256:${"b".repeat(64)}`;
const SANDBOX = "fixture-org/astral/sandbox";
const REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c";
const TAG = "0123abc45678-run7";
const NOW = new Date("2026-11-27T04:30:00.000Z");

/** The record alice's promotion of what sandbox runs makes, at NOW. */
const aliceRecord = (): PromotionRecord => ({
  from: "sandbox",
  to: "production",
  digest: SANDBOX_DIGEST,
  previousDigest: null,
  gitSha: "0123abc",
  imageRepository: REPOSITORY,
  imageTag: TAG,
  requestedBy: "alice",
  time: NOW.toISOString(),
});

/** An ECR stand-in: `repository:tag` → digest. */
class FakeRegistry implements ImageRegistry {
  readonly images = new Map<string, string>();
  readonly asked: string[] = [];
  push(repository: string, tag: string, digest: string): this {
    this.images.set(`${repository}:${tag}`, digest);
    return this;
  }
  async digestOf(repository: string, tag: string) {
    this.asked.push(`${repository}:${tag}`);
    return this.images.get(`${repository}:${tag}`);
  }
}

/** alice promotes what a sandbox running SANDBOX_DIGEST runs. */
async function aliceAgainstSandbox(files: { productionFile: string; logFile: string }) {
  return preparePromotion({
    backend: await deployed(SANDBOX_DIGEST),
    sandboxStack: SANDBOX,
    ...files,
    requestedBy: "alice",
    now: NOW,
  });
}

function workspace() {
  const dir = testTempDir("astral-promote-");
  const productionFile = path.join(dir, "Pulumi.production.yaml");
  copyFileSync(PRODUCTION_FILE, productionFile);
  return { productionFile, logFile: path.join(dir, "promotions.jsonl") };
}

/** A sandbox whose last update succeeded with `digest`, built from commit `gitSha`. */
function sandboxRunning(digest: unknown, gitSha = "0123abc", tag = TAG) {
  const backend = new FakeStackBackend(() => ({
    imageDigest: { value: digest, secret: false },
    imageRepository: { value: REPOSITORY, secret: false },
    imageTag: { value: tag, secret: false },
  }));
  backend.addStack(SANDBOX, { tags: { [STACK_TAGS.gitSha]: gitSha } });
  return backend;
}

async function deployed(digest: unknown, gitSha?: string, tag?: string) {
  const backend = sandboxRunning(digest, gitSha, tag);
  await backend.up(SANDBOX, { message: "Deploy 0123abc to sandbox" });
  return backend;
}

describe("preparePromotion", () => {
  it("pins the digest sandbox runs, records who/what/when and prints the pulumi up message", async () => {
    const files = workspace();
    const before = readFileSync(files.productionFile, "utf8");
    const result = await aliceAgainstSandbox(files);
    const record = aliceRecord();
    expect(result).toEqual({ changed: true, record });
    // Only the digest and its repository changed; comments, order and every other line stay.
    const after = readFileSync(files.productionFile, "utf8");
    expect(before).toContain(`astral:imageDigest: ${EXAMPLE_DIGEST}`);
    expect(after.split("\n").filter((l, i) => l !== before.split("\n")[i])).toEqual([
      `  astral:imageDigest: ${SANDBOX_DIGEST}`,
      `  astral:imageRepository: ${REPOSITORY}`,
    ]);
    expect(readPinnedDigest(files.productionFile)).toBe(SANDBOX_DIGEST);
    expect(readPinnedRepository(files.productionFile)).toBe(REPOSITORY);
    expect(readFileSync(files.logFile, "utf8")).toBe(`${JSON.stringify(record)}\n`);
    expect(pulumiUpCommand(record)).toBe(
      `pulumi up -s production -m "Promote ${SANDBOX_DIGEST} from sandbox to production (git 0123abc, requested by alice, 2026-11-27T04:30:00.000Z)"`,
    );
  });

  it("refuses a digest sandbox never deployed and writes nothing", async () => {
    const files = workspace();
    const before = readFileSync(files.productionFile, "utf8");
    await expect(
      preparePromotion({
        backend: await deployed(SANDBOX_DIGEST),
        sandboxStack: SANDBOX,
        ...files,
        requestedBy: "alice",
        now: NOW,
        digest: NEVER,
      }),
    ).rejects.toThrow(
      `refusing ${NEVER}: sandbox never deployed it (sandbox runs ${SANDBOX_DIGEST})`,
    );
    expect(readFileSync(files.productionFile, "utf8")).toBe(before);
    expect(readPromotionLog(files.logFile)).toEqual([]);
  });

  it("refuses when sandbox's last update did not succeed or its output is not a digest", async () => {
    const files = workspace();
    const input = { sandboxStack: SANDBOX, ...files, requestedBy: "alice", now: NOW };
    await expect(
      preparePromotion({ ...input, backend: sandboxRunning(SANDBOX_DIGEST) }),
    ).rejects.toThrow(
      `sandbox stack "${SANDBOX}" has no successful deployment to promote: it has never been updated`,
    );
    const failed = await deployed(SANDBOX_DIGEST);
    const last = failed.stacks.get(SANDBOX)?.history[0];
    if (last) last.result = "failed";
    await expect(preparePromotion({ ...input, backend: failed })).rejects.toThrow(
      "its last update failed",
    );
    await expect(preparePromotion({ ...input, backend: await deployed("latest") })).rejects.toThrow(
      'output imageDigest is not an image digest: "latest"',
    );
    await expect(
      preparePromotion({ ...input, backend: await deployed(SANDBOX_DIGEST), digest: "sha256:abc" }),
    ).rejects.toThrow('image digest must be sha256:<64 lowercase hex>, got "sha256:abc"');
  });

  it("allows a rollback to a digest an earlier promotion recorded", async () => {
    const files = workspace();
    const backend = await deployed(SANDBOX_DIGEST);
    const input = { backend, sandboxStack: SANDBOX, ...files, requestedBy: "alice", now: NOW };
    await preparePromotion(input);
    const firstPromoted = `sha256:${"c".repeat(64)}`;
    // Sandbox moves on; production rolls back to the digest it ran before (recorded earlier).
    writeFileSync(
      files.logFile,
      `${JSON.stringify({ from: "sandbox", to: "production", digest: firstPromoted, previousDigest: null, gitSha: "feed123", imageRepository: REPOSITORY, imageTag: "feed123feed1-run2", requestedBy: "bob", time: "2026-11-01T00:00:00.000Z" })}\n${readFileSync(files.logFile, "utf8")}`,
    );
    const rollback = await preparePromotion({ ...input, digest: firstPromoted });
    expect(rollback).toMatchObject({
      changed: true,
      record: {
        digest: firstPromoted,
        gitSha: "feed123",
        imageTag: "feed123feed1-run2",
        previousDigest: SANDBOX_DIGEST,
      },
    });
    expect(readPinnedDigest(files.productionFile)).toBe(firstPromoted);
  });

  it("does nothing when production already pins the digest and the last record is for it", async () => {
    const files = workspace();
    await aliceAgainstSandbox(files);
    const pinned = readFileSync(files.productionFile, "utf8");
    const result = await aliceAgainstSandbox(files);
    expect(result).toEqual({ changed: false, digest: SANDBOX_DIGEST });
    expect(readPromotionLog(files.logFile)).toEqual([aliceRecord()]);
    expect(readFileSync(files.productionFile, "utf8")).toBe(pinned);
  });

  it("records a pin made by hand (a first deploy), so verify accepts it", async () => {
    const files = workspace();
    writePinnedDigest(files.productionFile, SANDBOX_DIGEST, REPOSITORY);
    const pinned = readFileSync(files.productionFile, "utf8");
    const result = await aliceAgainstSandbox(files);
    expect(result).toEqual({ changed: true, record: aliceRecord() });
    expect(readFileSync(files.productionFile, "utf8")).toBe(pinned);
    const registry = new FakeRegistry().push(REPOSITORY, TAG, SANDBOX_DIGEST);
    await expect(verifyPromotion({ registry, ...files })).resolves.toEqual(aliceRecord());
  });

  it("rejects a requester that would break the one-line message", async () => {
    const files = workspace();
    await expect(
      preparePromotion({
        backend: await deployed(SANDBOX_DIGEST),
        sandboxStack: SANDBOX,
        ...files,
        requestedBy: 'a"; rm -rf /',
        now: NOW,
      }),
    ).rejects.toThrow(/one line without quotes/);
    expect(readPinnedDigest(files.productionFile)).toBeNull();
  });
});

describe("verifyPromotion (CI, before pulumi up -s production)", () => {
  async function prepared() {
    const files = workspace();
    const backend = await deployed(SANDBOX_DIGEST);
    const result = await preparePromotion({
      backend,
      sandboxStack: SANDBOX,
      ...files,
      requestedBy: "alice",
      now: NOW,
    });
    if (!result.changed) throw new Error("nothing prepared");
    return { files, backend, record: result.record };
  }

  it("records the exact image tag and repository sandbox pushed at prepare", async () => {
    const { record } = await prepared();
    expect(record).toMatchObject({ imageRepository: REPOSITORY, imageTag: TAG });
  });

  it("returns the record whose digest production pins and whose tag resolves to it in ECR", async () => {
    const { files, record } = await prepared();
    const registry = new FakeRegistry().push(REPOSITORY, TAG, SANDBOX_DIGEST);
    expect(await verifyPromotion({ registry, ...files })).toEqual(record);
    expect(registry.asked).toEqual([`${REPOSITORY}:${TAG}`]);
    expect(promotionMessage(record)).toContain(SANDBOX_DIGEST);
  });

  it("still passes after sandbox deployed a newer commit (a merge between prepare and verify)", async () => {
    const { files } = await prepared();
    // Sandbox moves on: it pushes and runs a newer image under a new tag. The promoted tag still
    // names the promoted image; verify reads only the record and the registry.
    const newer = `sha256:${"d".repeat(64)}`;
    const registry = new FakeRegistry()
      .push(REPOSITORY, TAG, SANDBOX_DIGEST)
      .push(REPOSITORY, "fedcba987654-run8", newer);
    await expect(verifyPromotion({ registry, ...files })).resolves.toMatchObject({
      digest: SANDBOX_DIGEST,
    });
  });

  it("refuses a pin edited by hand (no record), a tag that resolves elsewhere, and a missing image", async () => {
    const files = workspace();
    const registry = new FakeRegistry().push(REPOSITORY, TAG, SANDBOX_DIGEST);
    writePinnedDigest(files.productionFile, NEVER, REPOSITORY);
    await expect(verifyPromotion({ registry, ...files })).rejects.toThrow(
      `production pins ${NEVER} but the last promotion record is for nothing`,
    );
    // A record claiming NEVER for a tag that is really SANDBOX_DIGEST.
    writeFileSync(
      files.logFile,
      `${JSON.stringify({ ...aliceRecord(), digest: NEVER, requestedBy: "mallory" })}\n`,
    );
    await expect(verifyPromotion({ registry, ...files })).rejects.toThrow(
      `refusing ${NEVER}: ${REPOSITORY}:${TAG} is ${SANDBOX_DIGEST}`,
    );
    await expect(verifyPromotion({ registry: new FakeRegistry(), ...files })).rejects.toThrow(
      `the promotion record's image ${REPOSITORY}:${TAG} is not in the registry`,
    );
  });

  it("refuses a record naming a preview's image or another commit's build, though its tag resolves", async () => {
    const { files, record } = await prepared();
    const preview = `pr-12-${TAG}`; // a PR's build: same repository, unreviewed code
    const other = "fedcba987654-run8";
    const registry = new FakeRegistry()
      .push(REPOSITORY, preview, SANDBOX_DIGEST)
      .push(REPOSITORY, other, SANDBOX_DIGEST);
    for (const imageTag of [preview, other]) {
      writeFileSync(files.logFile, `${JSON.stringify({ ...record, imageTag })}\n`);
      await expect(verifyPromotion({ registry, ...files })).rejects.toThrow(
        `the promotion record's image tag ${imageTag} is not a sandbox build of its commit ${record.gitSha}`,
      );
    }
    expect(registry.asked).toEqual([]);
  });

  it("refuses a pinned repository that is not the record's (production pulls only what was promoted)", async () => {
    const { files } = await prepared();
    const other = "999999999999.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-elsewhere";
    writePinnedDigest(files.productionFile, SANDBOX_DIGEST, other);
    const registry = new FakeRegistry().push(REPOSITORY, TAG, SANDBOX_DIGEST);
    await expect(verifyPromotion({ registry, ...files })).rejects.toThrow(
      `production pulls from ${other} but the promotion record's image is in ${REPOSITORY}`,
    );
    expect(registry.asked).toEqual([]);
  });

  it("names the line of a malformed promotion record", async () => {
    const files = workspace();
    writeFileSync(files.logFile, '{"from":"sandbox"}\nnot json\n');
    expect(() => readPromotionLog(files.logFile)).toThrow(/promotions\.jsonl:1: .*digest/s);
    writeFileSync(files.logFile, "\nnot json\n");
    expect(() => readPromotionLog(files.logFile)).toThrow(/promotions\.jsonl:2 is not JSON/);
  });
});

describe("ECR through the AWS CLI", () => {
  it("asks describe-images for exactly the recorded repository and tag", async () => {
    expect(parseEcrRepository(REPOSITORY)).toEqual({
      registryId: "123456789012",
      region: "eu-west-1",
      name: "portal-repo-1a2b3c",
    });
    expect(() => parseEcrRepository("docker.io/library/node")).toThrow(
      'not an ECR repository URL: "docker.io/library/node"',
    );
    const calls: string[][] = [];
    const registry = new EcrCliRegistry(async (file, args) => {
      calls.push([file, ...args]);
      return { stdout: `${SANDBOX_DIGEST}\n` };
    });
    expect(await registry.digestOf(REPOSITORY, TAG)).toBe(SANDBOX_DIGEST);
    expect(calls).toEqual([["aws", ...describeImageArgs(REPOSITORY, TAG)]]);
    expect(calls[0]).toEqual(
      expect.arrayContaining([
        "--repository-name",
        "portal-repo-1a2b3c",
        "--image-ids",
        `imageTag=${TAG}`,
      ]),
    );
  });

  it("reads an unknown tag as no image, and fails on any other error", async () => {
    const notFound = Object.assign(new Error("exit 254"), {
      stderr:
        "An error occurred (ImageNotFoundException) when calling the DescribeImages operation",
    });
    const missing = new EcrCliRegistry(async () => Promise.reject(notFound));
    expect(await missing.digestOf(REPOSITORY, TAG)).toBeUndefined();
    const denied = Object.assign(new Error("exit 254"), { stderr: "AccessDeniedException" });
    await expect(
      new EcrCliRegistry(async () => Promise.reject(denied)).digestOf(REPOSITORY, TAG),
    ).rejects.toThrow("exit 254");
  });
});

describe("tagProduction", () => {
  it("tags production with digest, git SHA, PR, requester and approver", async () => {
    const backend = new FakeStackBackend().addStack("fixture-org/astral/production");
    const record = aliceRecord();
    await tagProduction({
      backend,
      productionStack: "fixture-org/astral/production",
      record,
      pr: 42,
      approvedBy: "carol",
    });
    expect(backend.stacks.get("fixture-org/astral/production")?.tags).toEqual({
      "astral:image-digest": SANDBOX_DIGEST,
      "astral:git-sha": "0123abc",
      "astral:requested-by": "alice",
      "astral:approved-by": "carol",
      "astral:pr": "42",
    });
  });
});
