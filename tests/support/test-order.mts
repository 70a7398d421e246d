/**
 * The order vitest starts test files in, so that a run on few cores ends soon after its longest
 * file: the known-slow files first (longest first), then the rest as vitest orders them (by its
 * cached durations, else by size). On a fresh clone vitest has no durations and sorts by size,
 * which started the slowest file (a 139-line file that runs auth0-deploy-cli twice) near the end.
 *
 * Seconds: one file at a time on the 2-core machine (baseline of 2026-12-03, under load).
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const SLOW_FILES: readonly string[] = [
  // next build for every e2e file (portal/test/production-build.ts): first, so that the browser
  // files below find it made (they wait for it otherwise, holding a worker).
  "portal/test/standalone.e2e.test.ts", // 108: next build
  // 207 when one file ran both a0deploy imports (~60 s of CPU each); now one each.
  "scripts/tenant/tenant.integration.test.ts",
  "scripts/tenant/tenant-verify.integration.test.ts",
  "emulator/test/deploy-cli.integration.test.ts", // 113: a0deploy export and import
  "portal/test/portal.e2e.test.ts", // Chromium, the whole journey
  "portal/test/least-privilege.integration.test.ts", // 53
  "portal/test/reference.e2e.test.ts", // Chromium, the sample API
  "portal/test/portal.integration.test.ts", // 47
  "portal/test/next-dev.e2e.test.ts", // next dev compiling two pages
  "infra/auth0/test/portalAdmin.integration.test.ts", // 43
  "portal/test/faults.integration.test.ts", // 32
  "emulator/test/robustness.integration.test.ts", // 26
  "infra/policy/test/pack.integration.test.ts", // 20
  "tests/runbook.integration.test.ts", // 17: bash, jq and curl, about 150 processes
  "stacks/test/sandbox.unit.test.ts", // 16
  "stacks/test/runtime.integration.test.ts", // 15
];

/** Position of a file in SLOW_FILES (by its path relative to the repository), or -1. */
export function slowRank(moduleId: string, root: string): number {
  const relative = moduleId.startsWith(`${root}/`) ? moduleId.slice(root.length + 1) : moduleId;
  return SLOW_FILES.indexOf(relative);
}

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files);
    const root = (spec: TestSpecification) => spec.project.config.root;
    const rank = (spec: TestSpecification) => slowRank(spec.moduleId, root(spec));
    const slow = files.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...slow, ...rest.filter((f) => rank(f) < 0)];
  }
}
