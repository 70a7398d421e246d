/**
 * Names shared by `npm run test:image` (scripts/image/test-image.ts) and the image's e2e test, and
 * a small wrapper around Debian's buildah (vfs storage: works as root without overlay support).
 */
import { spawnSync } from "node:child_process";

/** The local stand-in for node:24-slim (scripts/image/base-image.sh). */
export const BASE_IMAGE = "localhost/node:24-slim";
/** The portal image the test builds. */
export const PORTAL_TEST_IMAGE = "localhost/astral-portal:test";
/** Tells the e2e test which image to run (set by test-image.ts). */
export const IMAGE_ENV = "ASTRAL_TEST_IMAGE";
/**
 * The local production tenant's host name in the image test: `@auth0/nextjs-auth0` refuses
 * localhost, IP addresses and ports as an Auth0 domain in production, so the tenant listens on
 * 443 under a name the local CA's certificate covers (`*.tenants.test`).
 */
export const LOGIN_HOST = "production.tenants.test";

export const BUILDAH = ["buildah", "--storage-driver", "vfs"] as const;

/** Runs buildah and returns its stdout; throws with its stderr when it fails. */
export function buildah(args: string[], opts: { quiet?: boolean } = {}): string {
  const [cmd, ...base] = BUILDAH;
  const result = spawnSync(cmd, [...base, ...args], { encoding: "utf8" });
  if (result.status !== 0 && !opts.quiet) {
    throw new Error(`buildah ${args[0]} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
