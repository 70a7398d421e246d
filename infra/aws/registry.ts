/**
 * The portal image: one ECR repository (owned by the sandbox stack; production and previews use
 * it through the sandbox stack's `imageRepository` output) and the image built from
 * `portal/Dockerfile` with `@pulumi/docker-build`.
 */
import path from "node:path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { KEPT_PROMOTIONS } from "./keptImages";
import { statefulOptions } from "./stateful";
import { BUILD_CACHE_TAG, CACHE_TAG_MUTABILITY } from "./tags";

/** Tags previews push with start with this prefix, so the lifecycle can expire them. */
export const PREVIEW_TAG_PREFIX = "pr-";

/**
 * Build args that make a rebuild of the same sources give the same image: Next's build id from
 * the build context's hash (not random per build), and BuildKit's SOURCE_DATE_EPOCH for the image
 * config's timestamps. With the registry cache, an unchanged context is all cache hits, so the
 * layers, and with these the config, are the same: the same digest, no new task definition.
 */
export function reproducibleBuildArgs(buildId: string): Record<string, string> {
  if (!/^[0-9a-f]{16,64}$/.test(buildId)) {
    throw new Error(`image build id must be 16-64 lowercase hex digits, got "${buildId}"`);
  }
  return { ASTRAL_BUILD_ID: buildId, SOURCE_DATE_EPOCH: "0" };
}

/** How long a sandbox image nobody keeps stays: long enough to be promoted (and verified). */
export const SANDBOX_IMAGE_DAYS = 90;
/** ECR's quota "Lifecycle policy length": 30,720 characters. */
const MAX_POLICY_LENGTH = 30_720;
/** Large enough that the count never expires anything: the rule only claims its images. */
const NEVER = 1000;

/**
 * Lifecycle rules, in ECR's priority order, where "an image that matches the tagging
 * requirements of a higher priority rule cannot be expired by a rule with a lower priority":
 * untagged images after 14 days; then one rule per kept tag (`keep`, selecting that tag with a
 * count it never reaches: a keep, as ECR has no keep action); then the 30 newest preview images;
 * last, any other image (a sandbox build no promotion names) after SANDBOX_IMAGE_DAYS. The keeps
 * come before the previews' rule: a PR whose image inputs equal sandbox's builds the same digest
 * and tags that very image `pr-…`, and the previews' rule must not expire what production pins.
 * Without `keep` (the repository's first deploy has no tag yet) nothing tagged expires by age.
 */
export function lifecyclePolicy(keep: readonly string[] = []): string {
  if (keep.length > KEPT_PROMOTIONS + 1)
    throw new Error(
      `the ECR lifecycle keeps at most ${KEPT_PROMOTIONS + 1} tags, got ${keep.length}`,
    );
  const rules: object[] = [
    {
      rulePriority: 1,
      description: "Expire untagged images after 14 days",
      selection: {
        tagStatus: "untagged",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: 14,
      },
      action: { type: "expire" },
    },
    ...keep.map((tag, i) => ({
      rulePriority: 2 + i,
      description: "Keep: sandbox runs it or a promotion names it",
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [tag],
        countType: "imageCountMoreThan",
        countNumber: NEVER,
      },
      action: { type: "expire" },
    })),
    {
      rulePriority: 2 + keep.length,
      description: "Keep the 30 newest preview images",
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [PREVIEW_TAG_PREFIX],
        countType: "imageCountMoreThan",
        countNumber: 30,
      },
      action: { type: "expire" },
    },
  ];
  if (keep.length > 0)
    rules.push({
      rulePriority: 3 + keep.length,
      description: `Expire other sandbox images after ${SANDBOX_IMAGE_DAYS} days`,
      selection: {
        tagStatus: "any",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: SANDBOX_IMAGE_DAYS,
      },
      action: { type: "expire" },
    });
  const policy = JSON.stringify({ rules });
  if (policy.length > MAX_POLICY_LENGTH)
    throw new Error(
      `the ECR lifecycle policy is ${policy.length} characters, over ECR's ${MAX_POLICY_LENGTH}`,
    );
  return policy;
}

/** The cache repository keeps its one tag; superseded cache manifests go after a day. */
export function cacheLifecyclePolicy(): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: "Expire superseded build cache manifests",
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      },
    ],
  });
}

export interface ImageRepositoryArgs {
  readonly retain: boolean;
  /** Tags the lifecycle keeps whatever their age (`keptImageTags`). */
  readonly keepTags?: readonly string[];
  readonly tags: Record<string, string>;
}

export class ImageRepository extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  readonly repositoryUrl: pulumi.Output<string>;
  /**
   * The build cache, in a repository of its own: only sandbox's deploy role writes it, previews
   * (unreviewed PR code) may only read it, which IAM can enforce per repository but not per tag.
   */
  readonly cacheRepositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:ImageRepository", name, {}, opts);
    this.repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        tags: args.tags,
      },
      { parent: this, ...statefulOptions(args.retain) },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      { repository: this.repository.name, policy: lifecyclePolicy(args.keepTags) },
      { parent: this },
    );
    const cache = new aws.ecr.Repository(
      `${name}-cache`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: CACHE_TAG_MUTABILITY.imageTagMutability,
        imageTagMutabilityExclusionFilters: [
          ...CACHE_TAG_MUTABILITY.imageTagMutabilityExclusionFilters,
        ],
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        // Only a cache: destroying the stack may take it with its contents.
        forceDelete: true,
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-cache-lifecycle`,
      { repository: cache.name, policy: cacheLifecyclePolicy() },
      { parent: this },
    );
    this.repositoryUrl = this.repository.repositoryUrl;
    this.cacheRepositoryUrl = cache.repositoryUrl;
    this.registerOutputs({
      repositoryUrl: this.repositoryUrl,
      cacheRepositoryUrl: this.cacheRepositoryUrl,
    });
  }
}

export interface PortalImageArgs {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  readonly repositoryUrl: pulumi.Input<string>;
  /** A tag no build used before, `<commit>-<build id>` (previews: `pr-<n>-...`); see imageTag.ts. */
  readonly tag: pulumi.Input<string>;
  /**
   * Repository root, relative to the project directory (normally `.`): the Dockerfile copies the
   * workspace's `infra/contract`. What it may read is portal/Dockerfile.dockerignore's allowlist.
   */
  readonly contextDir: string;
  /**
   * Leave the pushed image in ECR when this resource is deleted. docker-build's delete removes the
   * pushed manifest by digest; sandbox's digest is the one production runs, so a sandbox
   * `destroy --exclude-protected` or a renamed resource must not take it away.
   */
  readonly retain: boolean;
  /** The build id: the build context's hash (scripts/image/context.ts `contextHash`). */
  readonly buildId: string;
  /** The registry build cache: always read from; written only by a build that may (sandbox). */
  readonly cache: { repositoryUrl: pulumi.Input<string>; write: boolean };
}

/** Builds `portal/Dockerfile` for linux/amd64 and pushes it; `ref` is `<repo>@sha256:...`. */
export class PortalImage extends pulumi.ComponentResource {
  readonly image: dockerBuild.Image;
  readonly digest: pulumi.Output<string>;
  /** `<repositoryUrl>@<digest>`: what the task definition runs. */
  readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: PortalImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:PortalImage", name, {}, opts);
    const repositoryUrl = pulumi.output(args.repositoryUrl);
    // The registry id is the account id, the first label of the repository URL.
    const auth = aws.ecr.getAuthorizationTokenOutput(
      { registryId: repositoryUrl.apply((url) => url.split(".")[0] ?? "") },
      { parent: this },
    );
    const cacheRef = pulumi.interpolate`${args.cache.repositoryUrl}:${BUILD_CACHE_TAG}`;
    this.image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: args.contextDir },
        dockerfile: { location: path.join(args.contextDir, "portal", "Dockerfile") },
        platforms: ["linux/amd64"],
        buildArgs: reproducibleBuildArgs(args.buildId),
        cacheFrom: [{ registry: { ref: cacheRef } }],
        // ECR needs an image manifest with OCI media types for a registry cache; "max" caches
        // the build stage's layers too (npm ci, next build), not only the runtime stage's.
        cacheTo: args.cache.write
          ? [{ registry: { ref: cacheRef, imageManifest: true, ociMediaTypes: true, mode: "max" } }]
          : [],
        push: true,
        // Built by `pulumi up` only. docker-build builds during a preview by default and exports
        // the cache even then, so a PR's `pulumi preview` of sandbox (pr.yml, the preview role,
        // which may only read the cache) would fail writing sandbox's cache, or, with a role
        // that may, let unreviewed code write what sandbox's next build starts from. A PR's
        // image is built and run by pr.yml's image job instead; `up` (the Automation API's,
        // `--skip-preview`) builds once.
        buildOnPreview: false,
        tags: [pulumi.interpolate`${repositoryUrl}:${args.tag}`],
        registries: [
          {
            address: repositoryUrl.apply((url) => url.split("/")[0] ?? url),
            username: auth.userName,
            password: pulumi.secret(auth.password),
          },
        ],
      },
      { parent: this, retainOnDelete: args.retain },
    );
    this.digest = this.image.digest;
    this.imageRef = pulumi.interpolate`${repositoryUrl}@${this.image.digest}`;
    this.registerOutputs({ digest: this.digest, imageRef: this.imageRef });
  }
}
