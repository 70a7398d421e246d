/**
 * `npm run test:image`: the portal image as it ships, built and run on this machine without a
 * Docker engine.
 *
 * 1. The local base image (scripts/image/base-image.sh: the stand-in for node:24-slim, cached).
 * 2. `portal/Dockerfile` built with Debian's buildah from the repository root, with the same
 *    ignore file BuildKit and docker-build read (buildah needs it named: `--ignorefile`).
 * 3. tests/portal-image.e2e.test.ts, in a private network namespace (so the container can listen
 *    on the task's port 3000 and the local production tenant on 443 without touching anyone
 *    else's ports), with `production.tenants.test` mapped to 127.0.0.1 in a private /etc/hosts.
 *
 * Needs root (buildah's vfs storage and chroot isolation, namespaces). Ends with one plain line:
 * `N passed, N failed, N skipped`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureLocalCa } from "../../emulator/src/ca";
import { printSummary } from "../lib/test-summary";
import { BASE_IMAGE, buildah, IMAGE_ENV, LOGIN_HOST, PORTAL_TEST_IMAGE } from "./buildah";

const root = path.resolve(__dirname, "..", "..");

function fail(message: string): never {
  console.error(`test:image: ${message}`);
  console.log("\n0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

function run(label: string, cmd: string, args: string[]): number {
  console.log(`\n== ${label}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) fail(`${label} failed (exit ${result.status ?? result.signal})`);
  console.log(`== ${label}: ${seconds.toFixed(0)} s`);
  return seconds;
}

if (process.getuid?.() !== 0) {
  fail(
    "needs root: buildah builds with vfs storage and chroot isolation, and the test runs in its own " +
      "network namespace. Run it as root (CI does: .ci/run), e.g. `sudo npm run test:image`.",
  );
}

const started = Date.now();
run("base image", path.join(root, "scripts/image/base-image.sh"), []);

// The image exactly as shipped: the unchanged Dockerfile, the repository root as the context,
// filtered by portal/Dockerfile.dockerignore. Only the base image differs (a local stand-in).
// `--reuse-image` (while working on the test itself) runs the last image built instead.
const reuse =
  process.argv.includes("--reuse-image") &&
  buildah(["images", "--quiet", PORTAL_TEST_IMAGE], { quiet: true }).trim() !== "";
if (!reuse) buildah(["rmi", "--force", PORTAL_TEST_IMAGE], { quiet: true });
const buildSeconds = reuse
  ? 0
  : run("build portal/Dockerfile", "buildah", [
      "--storage-driver",
      "vfs",
      "bud",
      // Docker's image format, as BuildKit writes it: OCI's has no HEALTHCHECK (buildah drops it).
      "--format",
      "docker",
      "--isolation",
      "chroot",
      "--ignorefile",
      "portal/Dockerfile.dockerignore",
      "--build-arg",
      `NODE_IMAGE=${BASE_IMAGE}`,
      "--file",
      "portal/Dockerfile",
      "--tag",
      PORTAL_TEST_IMAGE,
      ".",
    ]);
const size = buildah(["images", "--format", "{{.Size}}", PORTAL_TEST_IMAGE]).trim();
console.log(
  `image ${PORTAL_TEST_IMAGE}: ${size}, ${reuse ? "reused (--reuse-image)" : `built in ${buildSeconds.toFixed(0)} s`}`,
);

// The e2e test, in a private network and mount namespace.
const { caCertPath } = ensureLocalCa();
const scratch = mkdtempSync(path.join(os.tmpdir(), "astral-image-test-"));
const hosts = path.join(scratch, "hosts");
writeFileSync(hosts, `127.0.0.1\tlocalhost ${LOGIN_HOST}\n::1\tip6-localhost ip6-loopback\n`);
const resultsFile = path.join(root, ".astral", "test-image-results.json");
mkdirSync(path.dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
const vitest = [
  path.join(root, "node_modules/.bin/vitest"),
  "run",
  "tests/portal-image.e2e.test.ts",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${resultsFile}`,
];
const inner = `ip link set lo up && mount --bind "$ASTRAL_HOSTS" /etc/hosts && exec "$@"`;
console.log("\n== portal image e2e (private network namespace)");
const test = spawnSync("unshare", ["--net", "--mount", "sh", "-c", inner, "sh", ...vitest], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    ASTRAL_HOSTS: hosts,
    NODE_EXTRA_CA_CERTS: caCertPath,
    [IMAGE_ENV]: PORTAL_TEST_IMAGE,
  },
});
rmSync(scratch, { recursive: true, force: true });
console.log(`\ntest:image took ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
printSummary(resultsFile);
process.exit(test.status ?? 1);
