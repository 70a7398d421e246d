/**
 * Runs the real auth0-deploy-cli (`node_modules/.bin/a0deploy`) as a child process: the config
 * (no secret) in a private temp file, the client secret in the child's environment only. The
 * child gets a clean environment, so a stray AUTH0_* variable (AUTH0_ALLOW_DELETE=true...) in the
 * caller's cannot override the config.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../lib/stacks";
import type { DeployConfig } from "./deploy-config";

const BIN = path.join(REPO_ROOT, "node_modules", "auth0-deploy-cli", "lib", "index.js");
/** Variables the child may inherit; everything else (any AUTH0_*) is left out. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"];

export class A0DeployError extends Error {
  override name = "A0DeployError";
}

export async function a0deploy(
  command: "import" | "export",
  args: string[],
  config: DeployConfig,
  clientSecret: string,
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "astral-a0deploy-"));
  const configFile = path.join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const env: Record<string, string> = { AUTH0_CLIENT_SECRET: clientSecret, NO_COLOR: "1" };
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  try {
    const { code, output } = await run(
      process.execPath,
      [BIN, command, "--config_file", configFile, ...args],
      env,
    );
    const clean = output.split(clientSecret).join("***");
    if (code !== 0) {
      throw new A0DeployError(`a0deploy ${command} failed (exit ${code}):\n${tail(clean)}`);
    }
    return clean;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: env as NodeJS.ProcessEnv,
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
