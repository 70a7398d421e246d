/**
 * `npm run test:image:reproducible`: builds `portal/Dockerfile` twice from the same sources with
 * buildah, as the deploy builds it (the build id from the context's hash, fixed timestamps, a
 * layer cache standing in for the registry cache), and fails unless both builds have the same
 * image digest. That is what lets a docs- or config-only push deploy no new image.
 *
 * `--cold` builds the second time without the cache too: it is expected to differ (Next bakes
 * random Server Actions and draft-mode keys into each cold build; docs/decisions/0650-image.md),
 * and the script reports which, without failing.
 *
 * Needs root (buildah's vfs storage and chroot isolation), like `npm run test:image`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { reproducibleBuildArgs } from "../../infra/aws/registry";
import { BASE_IMAGE, BUILDAH, buildah } from "./buildah";
import { contextHash, DOCKERFILE, DOCKERIGNORE } from "./context";

const root = path.resolve(__dirname, "..", "..");
const IMAGE = "localhost/astral-portal:reproducible";
const cold = process.argv.includes("--cold");

if (process.getuid?.() !== 0) {
  console.error("test:image:reproducible: needs root (buildah vfs storage, chroot isolation)");
  process.exit(1);
}
const base = spawnSync(path.join(root, "scripts/image/base-image.sh"), [], { stdio: "inherit" });
if (base.status !== 0) process.exit(1);

const args = reproducibleBuildArgs(contextHash(root));
/** One build; returns the image's manifest digest and how long it took. */
function build(n: number, cache: boolean): { digest: string; seconds: number } {
  // Each build its own tag: removing the first image would also prune the intermediate images
  // the second build is meant to reuse.
  const tag = `${IMAGE}-${n}`;
  buildah(["rmi", "--force", tag], { quiet: true });
  const started = Date.now();
  const [cmd, ...storage] = BUILDAH;
  const result = spawnSync(
    cmd,
    [
      ...storage,
      "bud",
      "--format",
      "docker",
      "--isolation",
      "chroot",
      // The layer cache: what the registry cache is to BuildKit on a deploy.
      "--layers",
      ...(cache ? [] : ["--no-cache"]),
      // buildah's SOURCE_DATE_EPOCH: the config's and every layer file's timestamp.
      "--timestamp",
      args.SOURCE_DATE_EPOCH as string,
      "--ignorefile",
      DOCKERIGNORE,
      "--build-arg",
      `NODE_IMAGE=${BASE_IMAGE}`,
      "--build-arg",
      `ASTRAL_BUILD_ID=${args.ASTRAL_BUILD_ID}`,
      "--file",
      DOCKERFILE,
      "--tag",
      tag,
      ".",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (result.status !== 0) {
    console.error(`build ${n} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  // One line per name the image has: the same image under both tags is listed twice.
  const digest =
    buildah(["images", "--digests", "--format", "{{.Digest}}", tag]).trim().split("\n")[0] ?? "";
  return { digest, seconds: (Date.now() - started) / 1000 };
}

console.log(
  `build id ${args.ASTRAL_BUILD_ID} (context hash), timestamps ${args.SOURCE_DATE_EPOCH}`,
);
const first = build(1, true);
console.log(`build 1: ${first.digest} in ${first.seconds.toFixed(0)} s`);
const second = build(2, !cold);
console.log(
  `build 2 (${cold ? "cold, no cache" : "warm, layer cache"}): ${second.digest} in ${second.seconds.toFixed(0)} s`,
);
for (const n of [1, 2]) buildah(["rmi", "--force", `${IMAGE}-${n}`], { quiet: true });
if (first.digest === second.digest) {
  console.log("same digest: the same sources give the same image");
  process.exit(0);
}
console.log(
  cold
    ? "cold builds differ, as expected (Next's random per-build keys; see docs/decisions/0650-image.md)"
    : "DIFFERENT digests from the same sources",
);
process.exit(cold ? 0 : 1);
