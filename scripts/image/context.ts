/**
 * The portal image's build context as the builders see it: the repository root filtered by
 * `portal/Dockerfile.dockerignore` (BuildKit and @pulumi/docker-build read `<Dockerfile>.dockerignore`
 * before the context root's `.dockerignore`). The patterns are applied with `@balena/dockerignore`,
 * which follows Docker's matching rules (`*`, `**`, `!` exceptions, parent directories).
 *
 * `contextHash` mirrors what docker-build compares to decide whether to rebuild (provider
 * `internal/context.go`, `hashBuildContext`): the Dockerfile's content, then every admitted file's
 * content, path and mode. Not byte-for-byte its digest, but it changes exactly when a file it
 * hashes changes, which is what the context test needs.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ignore from "@balena/dockerignore";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DOCKERFILE = "portal/Dockerfile";
export const DOCKERIGNORE = `${DOCKERFILE}.dockerignore`;

/** The ignore file's patterns (comments and blank lines dropped, as Docker does). */
export function ignorePatterns(root: string = REPO_ROOT): string[] {
  return readFileSync(path.join(root, DOCKERIGNORE), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Every file of the build context, relative to `root`, sorted. */
export function contextFiles(root: string = REPO_ROOT): string[] {
  const patterns = ignorePatterns(root);
  const ig = ignore({ ignorecase: false }).add(patterns);
  const exceptions = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  // An ignored directory is still walked when an exception may let something inside it back in
  // (a wildcard exception may match anywhere); otherwise it is skipped (node_modules, .git).
  const mayReadmit = (dir: string) =>
    exceptions.some((e) => /[*?[]/.test(e) || e.startsWith(`${dir}/`));
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ig.ignores(child) || mayReadmit(child)) walk(child);
      } else if (!ig.ignores(child)) {
        files.push(child);
      }
    }
  };
  walk("");
  return files.sort();
}

/** A digest of the Dockerfile and every context file's path, mode and content. */
export function contextHash(root: string = REPO_ROOT): string {
  const h = createHash("sha256");
  h.update(readFileSync(path.join(root, DOCKERFILE)));
  for (const file of contextFiles(root)) {
    const full = path.join(root, file);
    h.update(readFileSync(full));
    h.update(file);
    h.update(String(statSync(full).mode));
  }
  return h.digest("hex");
}
