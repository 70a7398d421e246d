/**
 * Loads and validates `portal.config.js`. The file is CommonJS (`module.exports = {...}`) and is
 * evaluated with `node:vm` rather than `require`/`import`, so that the bundler leaves it alone
 * (it ships beside the server, operators may replace it) and a change shows on the next request:
 * the parsed result is cached by file modification time.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

import { type PortalConfig, PortalConfigSchema } from "./schema";

export class PortalConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PortalConfigError";
  }
}

/** Where the config lives: PORTAL_CONFIG, else `portal.config.js` in the working directory. */
export function portalConfigPath(): string {
  // turbopackIgnore: a run-time file, not a build input (else the whole project is traced).
  return path.resolve(
    /* turbopackIgnore: true */ process.env.PORTAL_CONFIG ?? `${process.cwd()}/portal.config.js`,
  );
}

/** Validates an already-evaluated config object; every wrong key is named with its path. */
export function parsePortalConfig(value: unknown, file = "portal.config.js"): PortalConfig {
  const result = PortalConfigSchema.safeParse(value);
  if (result.success) return result.data;
  throw new PortalConfigError(
    file,
    result.error.issues.map((issue) => {
      const key = issue.path.length ? issue.path.join(".") : "(root)";
      if (issue.code === "unrecognized_keys")
        return `${key === "(root)" ? "" : `${key}: `}unknown key(s) ${issue.keys.join(", ")}`;
      return `${key}: ${issue.message}`;
    }),
  );
}

function evaluate(file: string): unknown {
  const source = readFileSync(/* turbopackIgnore: true */ file, "utf8");
  const module = { exports: {} as unknown };
  vm.runInNewContext(
    source,
    { module, exports: module.exports },
    { filename: file, timeout: 1000 },
  );
  return module.exports;
}

let cache: { file: string; mtimeMs: number; config: PortalConfig } | undefined;

/** The current config; re-read when the file changed. Throws PortalConfigError when invalid. */
export function loadPortalConfig(file = portalConfigPath()): PortalConfig {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(/* turbopackIgnore: true */ file).mtimeMs;
  } catch {
    throw new PortalConfigError(file, [`file not found (set PORTAL_CONFIG or create it)`]);
  }
  if (cache && cache.file === file && cache.mtimeMs === mtimeMs) return cache.config;
  let value: unknown;
  try {
    value = evaluate(file);
  } catch (error) {
    throw new PortalConfigError(file, [`cannot be evaluated: ${(error as Error).message}`]);
  }
  const config = parsePortalConfig(value, file);
  cache = { file, mtimeMs, config };
  return config;
}
