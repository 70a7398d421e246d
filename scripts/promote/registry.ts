/**
 * Where `promote verify` resolves an image tag to its digest. The real one asks ECR through the
 * AWS CLI (`aws ecr describe-images`): the CI runner has the CLI and the credentials from
 * configure-aws-credentials, so no AWS SDK is added for one read-only call; tests use a fake.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

export interface ImageRegistry {
  /** The digest `repository:tag` points at, or undefined when there is no such image. */
  digestOf(repositoryUrl: string, tag: string): Promise<string | undefined>;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>` → its parts. */
export function parseEcrRepository(url: string): {
  registryId: string;
  region: string;
  name: string;
} {
  const match = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(url);
  if (!match) throw new Error(`not an ECR repository URL: "${url}"`);
  const [, registryId, region, name] = match as unknown as [string, string, string, string];
  return { registryId, region, name };
}

/** The `aws` arguments that ask ECR for one tag's digest. */
export function describeImageArgs(repositoryUrl: string, tag: string): string[] {
  const { registryId, region, name } = parseEcrRepository(repositoryUrl);
  return [
    "ecr",
    "describe-images",
    "--region",
    region,
    "--registry-id",
    registryId,
    "--repository-name",
    name,
    "--image-ids",
    `imageTag=${tag}`,
    "--query",
    "imageDetails[0].imageDigest",
    "--output",
    "text",
  ];
}

type Run = (file: string, args: string[]) => Promise<{ stdout: string }>;

export class EcrCliRegistry implements ImageRegistry {
  constructor(private readonly run: Run = promisify(execFile) as unknown as Run) {}

  async digestOf(repositoryUrl: string, tag: string): Promise<string | undefined> {
    try {
      const { stdout } = await this.run("aws", describeImageArgs(repositoryUrl, tag));
      const digest = stdout.trim();
      return digest === "" || digest === "None" ? undefined : digest;
    } catch (error) {
      // ECR answers an unknown tag with ImageNotFoundException (exit status 254).
      if (String((error as { stderr?: unknown })?.stderr ?? "").includes("ImageNotFoundException"))
        return undefined;
      throw error;
    }
  }
}
