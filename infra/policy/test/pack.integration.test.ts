/**
 * The PolicyPack entry as `pulumi preview --policy-pack infra/policy` starts it: Pulumi's nodejs
 * runtime compiles index.ts with its ts-node (no tsconfig.json in the pack: Pulumi's defaults),
 * in the pack's directory; the pack reads its version from package.json and prints the port of
 * its gRPC analyzer server. The test waits for that port, then stops the process it started.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");

it("the policy pack loads under Pulumi's TypeScript runtime and serves", async () => {
  const child = spawn(
    process.execPath,
    [path.join(root, "stacks/test/runtime/pulumi-ts.cjs"), "index.ts"],
    {
      cwd: path.join(root, "infra/policy"),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const line = out.split("\n").find((l) => /^\d+$/.test(l.trim()));
        if (line) resolve(line.trim());
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(Number(port)).toBeGreaterThan(0);
  } finally {
    child.kill();
  }
}, 120_000);
