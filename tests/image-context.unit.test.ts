/**
 * The portal image's build context (portal/Dockerfile.dockerignore, an allowlist). docker-build
 * rebuilds, and pushes again, whenever the context hash changes; ECR tags are immutable, so a
 * rebuild caused by a config or docs change used to fail the deploy. Here: stack config, docs,
 * workflows, tests and the Pulumi program leave the hash unchanged; portal source changes it; and
 * everything the Dockerfile copies is in the context.
 */
import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { contextFiles, contextHash, DOCKERFILE, REPO_ROOT } from "../scripts/image/context";

let copy: string;

beforeAll(() => {
  // A copy of the tracked files (plus what a developer has lying around) to change freely.
  copy = mkdtempSync(path.join(os.tmpdir(), "astral-context-"));
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of tracked) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(copy, file));
  }
  for (const local of ["portal/.env.local", ".astral/tenants/state.json", "node_modules/x/i.js"]) {
    mkdirSync(path.dirname(path.join(copy, local)), { recursive: true });
    appendFileSync(path.join(copy, local), "SECRET=local\n");
  }
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const touch = (file: string) => appendFileSync(path.join(copy, file), "\n# changed\n");

describe("portal image build context", () => {
  it("holds the workspace manifests, the contract and the portal's sources, nothing else", () => {
    const files = contextFiles(copy);
    expect(files).toEqual(expect.arrayContaining(["package-lock.json", "portal/app/page.tsx"]));
    expect(files).toContain("infra/contract/src/index.ts");
    const outside = files.filter(
      (f) =>
        !/^(package(-lock)?\.json|tsconfig\.json|(infra\/contract|emulator|sample-api)\/package\.json)$/.test(
          f,
        ) &&
        !f.startsWith("infra/contract/src/") &&
        !f.startsWith("portal/"),
    );
    expect(outside).toEqual([]);
    const unwanted = files.filter((f) =>
      /(^|\/)(test|bench|node_modules|\.next)\/|\.test\.tsx?$|\.env|README|Dockerfile/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it("lets in every path portal/Dockerfile copies from the context", () => {
    const files = contextFiles(copy);
    const dockerfile = readFileSync(path.join(copy, DOCKERFILE), "utf8");
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) =>
      (m[1] as string).trim().split(/\s+/).slice(0, -1),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      const wanted = source.replace(/\/$/, "");
      expect(
        files.some((f) => f === wanted || f.startsWith(`${wanted}/`)),
        `${source} is copied by the Dockerfile but not in the context`,
      ).toBe(true);
    }
  });

  it("is unchanged by stack config, docs, workflows, tests, the Pulumi program and local files", () => {
    const before = contextHash(copy);
    for (const file of [
      "Pulumi.sandbox.yaml",
      "Pulumi.production.yaml",
      "Pulumi.yaml",
      "README.md",
      "docs/deploy.md",
      ".github/workflows/pr.yml",
      "stacks/index.ts",
      "infra/aws/registry.ts",
      "infra/contract/test/contract.unit.test.ts",
      "emulator/src/index.ts",
      "portal/README.md",
      "portal/test/support.ts",
      "scripts/bench/portal/management-calls.ts",
      "portal/.env.local",
    ]) {
      touch(file);
      expect(contextHash(copy), `changing ${file} changed the context`).toBe(before);
    }
  });

  it("changes with the portal's source, the contract, the lockfile and the Dockerfile", () => {
    for (const file of [
      "portal/app/page.tsx",
      "portal/portal.config.js",
      "portal/openapi/example-api.json",
      "infra/contract/src/index.ts",
      "package-lock.json",
      DOCKERFILE,
    ]) {
      const before = contextHash(copy);
      touch(file);
      expect(contextHash(copy), `changing ${file} left the context as it was`).not.toBe(before);
    }
  });

  it("builds what next build type-checks with: its TypeScript packages are portal devDependencies", () => {
    // The Dockerfile installs only the portal workspace (`npm ci --workspace @astral/portal`):
    // without these, Next installs TypeScript itself in the middle of the build.
    const portal = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "portal/package.json"), "utf8"),
    ) as {
      devDependencies: Record<string, string>;
    };
    for (const name of ["typescript", "@types/node", "@types/react", "@types/react-dom"]) {
      expect(portal.devDependencies[name], name).toBeDefined();
    }
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { devDependencies?: Record<string, string> }>;
    };
    expect(lock.packages.portal?.devDependencies).toEqual(portal.devDependencies);
  });

  it("gives next build the build id the deploy derives from the context: the same sources, the same id", async () => {
    // infra/aws/registry.ts passes the context hash as the build arg (sandbox-edges test); the
    // Dockerfile's build stage must hand it to `npm run build`, and next.config.ts to Next.
    const dockerfile = readFileSync(path.join(REPO_ROOT, DOCKERFILE), "utf8");
    const buildStage = dockerfile.slice(
      dockerfile.indexOf(" AS build"),
      dockerfile.indexOf(" AS runtime"),
    );
    expect(buildStage).toMatch(/^ARG ASTRAL_BUILD_ID=""$/m);
    expect(buildStage).toMatch(/^RUN ASTRAL_BUILD_ID="\$ASTRAL_BUILD_ID" npm run build /m);
    // By path: the portal is a project of its own (portal/tsconfig.json), not the root's.
    const { default: config } = (await import(path.join(REPO_ROOT, "portal/next.config.ts"))) as {
      default: { generateBuildId?: () => Promise<string | null> };
    };
    vi.stubEnv("ASTRAL_BUILD_ID", "0123abcd");
    expect(await config.generateBuildId?.()).toBe("0123abcd");
    vi.stubEnv("ASTRAL_BUILD_ID", ""); // next dev, a local build: Next makes its own
    expect(await config.generateBuildId?.()).toBeNull();
    vi.unstubAllEnvs();
  });

  it("never skips next build's type check (what ships is what was checked)", () => {
    const config = readFileSync(path.join(REPO_ROOT, "portal/next.config.ts"), "utf8");
    expect(config).not.toContain("NEXT_SKIP_TYPECHECK");
    // The one exception: `npm test` type-checks the portal with the same tsconfig just before
    // its tests, and says so (ASTRAL_PORTAL_TYPECHECKED=1) to the standalone test's build.
    // Nothing that builds an image or deploys may set it.
    expect(config.match(/ignoreBuildErrors: [^}]*/g)).toEqual([
      'ignoreBuildErrors: process.env.ASTRAL_PORTAL_TYPECHECKED === "1" ',
    ]);
    const builders = [
      "portal/Dockerfile",
      ...readdirSync(path.join(REPO_ROOT, "scripts/image")).map((f) => `scripts/image/${f}`),
      ...readdirSync(path.join(REPO_ROOT, ".github/workflows")).map(
        (f) => `.github/workflows/${f}`,
      ),
      ".ci/run",
    ];
    for (const file of builders)
      expect(readFileSync(path.join(REPO_ROOT, file), "utf8"), file).not.toContain(
        "ASTRAL_PORTAL_TYPECHECKED",
      );
    const test = readFileSync(path.join(REPO_ROOT, "scripts/test.ts"), "utf8");
    expect(test.indexOf('name: "typecheck portal"')).toBeGreaterThan(-1);
    expect(test.indexOf('name: "typecheck portal"')).toBeLessThan(
      test.indexOf("ASTRAL_PORTAL_TYPECHECKED"),
    );
    const standalone = readFileSync(
      path.join(REPO_ROOT, "portal/test/standalone.e2e.test.ts"),
      "utf8",
    );
    expect(standalone).not.toContain("NEXT_SKIP_TYPECHECK");
  });
});
