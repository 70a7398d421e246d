/**
 * Who can use which credential in CI (issue 17): unreviewed PR code gets neither the sandbox nor
 * the production environment, the environments that run the production or a preview program
 * document read access to sandbox (their StackReference), the image test runs where buildah may
 * (the runner VM, not an unprivileged container), and a promotion runs only from main.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  environment,
  files,
  type Job,
  load,
  readme,
  root,
  type Workflow,
} from "./support/workflows";

/** The README's environments table: name → [who may use it, Pulumi team may, AWS role]. */
function environmentsTable(): Record<string, string[]> {
  const section = readme.slice(readme.indexOf("### Environments"));
  const rows = section.split("\n").filter((l) => /^\| `[\w-]+` \|/.test(l));
  return Object.fromEntries(
    rows.map((row) => {
      const [name, ...cells] = row
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
      return [String(name).replaceAll("`", ""), cells];
    }),
  );
}

describe("CI environments and credentials", () => {
  const all = Object.fromEntries(files.map((f) => [f, load(f).workflow]));

  it("give unreviewed PR code neither the sandbox nor the production environment (both main only)", () => {
    const table = environmentsTable();
    for (const name of ["sandbox", "production", "production-drift"])
      expect(table[name]?.[0], `README: ${name}`).toMatch(/^`main` only/);
    expect(table["production-preview"]?.[0]).toMatch(/required reviewer/);
    for (const [file, w] of Object.entries(all)) {
      const onPullRequest = JSON.stringify(w.on).includes("pull_request");
      for (const [name, job] of Object.entries(w.jobs)) {
        const env = environment(job);
        if (env === undefined || env.includes("matrix.")) continue;
        expect(Object.keys(table), `${file}:${name} uses an undocumented environment`).toContain(
          env,
        );
        if (onPullRequest)
          expect(["preview", "production-preview"], `${file}:${name}`).toContain(env);
      }
    }
    const drift = all["tenant-drift.yml"]?.jobs.drift as Job & {
      strategy: { matrix: { include: Array<{ environment: string }> } };
    };
    for (const { environment: env } of drift.strategy.matrix.include)
      expect(Object.keys(table)).toContain(env);
  });

  it("document read on sandbox for every environment that runs the production or a preview program (its StackReference)", () => {
    // The programs read sandbox by StackReference: Pulumi needs read access to sandbox for it.
    const roles = readFileSync(path.join(root, "stacks", "roles.ts"), "utf8");
    for (const fn of ["productionStack", "previewStack"]) {
      const body = roles.slice(roles.indexOf(`function ${fn}(`));
      expect(body.slice(0, body.indexOf("\n}\n"))).toContain(
        "new pulumi.StackReference(config.sandboxStack)",
      );
    }
    const table = environmentsTable();
    for (const [file, w] of Object.entries(all)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const stacks = (job.steps ?? []).flatMap((s) => {
          const stack = String(s.with?.["stack-name"] ?? "");
          if (/\/(production)$/.test(stack) && s.with?.command) return ["production"];
          if (/npm run preview -- (up|destroy|cleanup)/.test(s.run ?? "")) return ["pr-*"];
          return [];
        });
        if (stacks.length === 0) continue;
        const pulumi = table[environment(job) ?? ""]?.[1] ?? "";
        for (const stack of stacks) expect(pulumi, `${file}:${name}`).toContain(`\`${stack}\``);
        expect(pulumi, `${file}:${name}: needs read on sandbox`).toMatch(/read `sandbox`/);
      }
    }
  });

  it("build the image where buildah may run: on the runner VM, never in an unprivileged container", () => {
    const pr = all["pr.yml"] as Workflow;
    const jobs = Object.entries(pr.jobs) as Array<[string, Job & { container?: unknown }]>;
    const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
    const image = jobs.filter(([, j]) => /\.ci\/run image|test:image/.test(runs(j)));
    expect(image.map(([n]) => n)).toEqual(["image"]);
    expect(image[0]?.[1].container).toBeUndefined();
    expect(runs(image[0]?.[1] as Job)).toMatch(/^sudo .*\.ci\/run image$/m);
    for (const [name, job] of jobs.filter(([, j]) => j.container !== undefined)) {
      for (const line of runs(job)
        .split("\n")
        .filter((l) => l.includes(".ci/run")))
        expect(line, `pr.yml:${name} runs the image test in a container`).toBe(".ci/run tests");
    }
    // .ci/run knows both modes and runs the image test only outside "tests".
    const ci = readFileSync(path.join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/if \[ "\$mode" != tests \]; then npm run test:image; fi/);
    expect(ci).toMatch(/if \[ "\$mode" != image \]; then npm test; fi/);
  });

  it("run a promotion (request and deploy) only from main, even by hand", () => {
    for (const [file, job] of [
      ["promote.yml", "promote"],
      ["promote-request.yml", "prepare"],
    ] as const) {
      expect(all[file]?.jobs[job]?.if, file).toBe("github.ref == 'refs/heads/main'");
    }
  });
});
