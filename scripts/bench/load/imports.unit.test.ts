/**
 * `npm run bench:load` runs under plain tsx, not vitest: every module it loads must load there.
 * It once imported `freePort` from a test helper that pulled vitest in, and failed to start; the
 * benchmark is not part of `npm test`, so this loads its modules the way it does.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..", "..");

it("loads every bench:load module outside vitest", () => {
  // main.ts runs the benchmark when loaded: what it loads is read from its imports instead.
  const main = readFileSync(path.join(__dirname, "main.ts"), "utf8");
  const fromMain = [...main.matchAll(/import\(\s*"([^"]+)"\s*\)|from "([^"]+)"/g)]
    .map((m) => (m[1] ?? m[2]) as string)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.resolve(__dirname, spec));
  const modules = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "main.ts")
    .map((f) => path.join(__dirname, f))
    .concat(fromMain);
  expect(fromMain.length).toBeGreaterThan(3);
  const script = modules.map((m) => `await import(${JSON.stringify(m)});`).join("\n");
  const run = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "tsx"),
    ["--eval", `(async () => {\n${script}\nconsole.log("loaded");\n})()`],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, VITEST: undefined } },
  );
  expect(`${run.stdout}${run.stderr}`).toContain("loaded");
  expect(run.status).toBe(0);
}, 70_000);
