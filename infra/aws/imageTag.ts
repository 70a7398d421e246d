/**
 * Image tags. The ECR repository's tags are IMMUTABLE and docker-build pushes whenever the build
 * context changed, so a tag must never be pushed twice: each build gets `<commit>-<build id>`,
 * the build id unique to that run (CI: the workflow run id and attempt; by hand: UTC time to the
 * second). A bare commit is refused: re-running a deploy of the same commit (a retried job, an
 * interrupted `pulumi up`, a changed stack config) would push that tag again and fail.
 */

/** `<7-40 hex>-<build id>`, optionally after a preview's `pr-<n>-` prefix. */
export const UNIQUE_IMAGE_TAG = /^(pr-[0-9]+-)?[0-9a-f]{7,40}-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** This run's build id: `<run id>-<attempt>` in GitHub Actions, else `YYYYMMDDTHHMMSSZ`. */
export function buildId(
  env: Record<string, string | undefined> = process.env,
  now: Date = new Date(),
): string {
  if (env.GITHUB_RUN_ID) return `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}`;
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** The tag of one build of `gitSha`: `<12-hex commit>-<build id>`. */
export function uniqueImageTag(gitSha: string, build: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(gitSha)) {
    throw new Error(`git SHA must be 7-40 hex digits, got "${gitSha}"`);
  }
  if (!BUILD_ID.test(build)) {
    throw new Error(
      `build id must be letters, digits, "_", "." or "-" (at most 64), got "${build}"`,
    );
  }
  return `${gitSha.slice(0, 12)}-${build}`;
}

/**
 * Whether `tag` is a sandbox build of commit `gitSha`: `<commit>-<build id>` with the commit
 * (7-40 hex) a prefix of `gitSha` or the other way round. A preview's `pr-<n>-…` never is.
 */
export function isBuildOf(tag: string, gitSha: string): boolean {
  const built = /^([0-9a-f]{7,40})-/.exec(tag)?.[1];
  return built !== undefined && (built.startsWith(gitSha) || gitSha.startsWith(built));
}
