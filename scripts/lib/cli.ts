/**
 * Small helpers every operational CLI shares: one way to fail (a message, no stack trace), one
 * way to hand a value to the next GitHub Actions step.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";

/** Thrown for bad input or a refused operation: printed as its message, exit code 1. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Runs a CLI's main; any error ends the process with its message only. */
export function runCli(main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}

/** Sets a step output (`$GITHUB_OUTPUT`) when running in GitHub Actions; a no-op elsewhere. */
export function setStepOutput(name: string, value: string, env = process.env): void {
  if (!env.GITHUB_OUTPUT) return;
  if (/[\r\n]/.test(value)) throw new Error(`step output ${name} must be a single line`);
  appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

/** The commit being worked on: `GITHUB_SHA` in CI, else the checkout's HEAD. */
export function currentCommit(env = process.env): string {
  if (env.GITHUB_SHA) return env.GITHUB_SHA;
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    throw new UsageError(
      "cannot tell the current commit: set GITHUB_SHA or run inside the git checkout",
    );
  }
}
