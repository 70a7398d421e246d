/**
 * The portal image: one ECR repository (owned by the sandbox stack; production and previews use
 * it through the sandbox stack's `imageRepository` output) and the image built from
 * `portal/Dockerfile` with `@pulumi/docker-build`.
 */
import path from "node:path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { statefulOptions } from "./stateful";

/** Tags previews push with start with this prefix, so the lifecycle can expire them. */
export const PREVIEW_TAG_PREFIX = "pr-";

/**
 * Lifecycle rules: expire untagged images after 14 days and keep only the 30 newest preview
 * images. Sandbox images (the ones production may pin by digest) are never expired.
 */
export function lifecyclePolicy(): string {
  return JSON.stringify({
    rules: [
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
      {
        rulePriority: 2,
        description: "Keep the 30 newest preview images",
        selection: {
          tagStatus: "tagged",
          tagPrefixList: [PREVIEW_TAG_PREFIX],
          countType: "imageCountMoreThan",
          countNumber: 30,
        },
        action: { type: "expire" },
      },
    ],
  });
}

export interface ImageRepositoryArgs {
  readonly retain: boolean;
  readonly tags: Record<string, string>;
}

export class ImageRepository extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  readonly repositoryUrl: pulumi.Output<string>;

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
      { repository: this.repository.name, policy: lifecyclePolicy() },
      { parent: this },
    );
    this.repositoryUrl = this.repository.repositoryUrl;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
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
    this.image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: args.contextDir },
        dockerfile: { location: path.join(args.contextDir, "portal", "Dockerfile") },
        platforms: ["linux/amd64"],
        push: true,
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
