/**
 * Which Chromium the browser tests drive, and with which flags.
 *
 * A fresh clone must pass `npm test` on a machine without a system browser, so there are two
 * sources: Debian's `chromium` (or `chromium-browser`) when it is on PATH, else the headless
 * Chromium that the npm package `@sparticuz/chromium` ships as a brotli file (installed by
 * `npm ci`, unpacked here without any download). `ASTRAL_BROWSER=debian|npm` forces one, so both
 * paths can be tested on a machine that has Debian's Chromium.
 */
import { execFile } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import sparticuz from "@sparticuz/chromium";
import type { LaunchOptions } from "playwright-core";
import { testTempDir } from "../../tests/support/temp-dirs";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const DEBIAN_NAMES = ["chromium", "chromium-browser"];

export type BrowserSource = { kind: "debian"; executablePath: string } | { kind: "npm" };

/** The first executable called one of `names` in the directories of `pathVar` (PATH's syntax). */
export function findOnPath(
  names: readonly string[],
  pathVar: string | undefined,
): string | undefined {
  for (const name of names) {
    for (const dir of (pathVar ?? "").split(path.delimiter).filter(Boolean)) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here (or not executable): next directory
      }
    }
  }
  return undefined;
}

/** Debian's Chromium when present, else the npm one; `ASTRAL_BROWSER` forces either. */
export function browserSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BrowserSource {
  const forced = env.ASTRAL_BROWSER?.trim() ?? "";
  if (forced !== "" && forced !== "debian" && forced !== "npm")
    throw new Error(`ASTRAL_BROWSER must be "debian" or "npm" (or unset), got "${forced}"`);
  if (forced === "npm") return { kind: "npm" };
  const debian = findOnPath(DEBIAN_NAMES, env.PATH);
  if (debian) return { kind: "debian", executablePath: debian };
  if (forced === "debian")
    throw new Error(
      "ASTRAL_BROWSER=debian, but neither `chromium` nor `chromium-browser` is on PATH " +
        "(apt-get install chromium, or unset ASTRAL_BROWSER to use the npm Chromium)",
    );
  return { kind: "npm" };
}

/**
 * @sparticuz/chromium's flags are made for AWS Lambda, and some of them switch off what keeps
 * sites and users apart in a browser. The test must drive the browser a user has, so these go:
 * - without web security Chromium sends no `Origin` header, and the portal refuses every action
 *   (it refuses a mutation without a same-origin Origin: portal/lib/origin.ts);
 * - in one process, a `fetch` from one browser context carries another context's cookies: a
 *   server action sent from Bob's page ran as Alice (seen in the browser test, and checked in
 *   browser.e2e.test.ts).
 */
const DROPPED_FLAGS = new Set([
  "--disable-web-security", // no same-origin policy, and no Origin header on requests
  "--allow-running-insecure-content", // http scripts on https pages
  "--disable-site-isolation-trials", // no process per site
  "--single-process", // browser, renderers and network in one process: contexts share cookies
]);
/** Features that `--disable-features=` must not turn off: both are site isolation. */
const SITE_ISOLATION_FEATURES = new Set(["IsolateOrigins", "site-per-process"]);

/** `args` without the flags above (nor site isolation in `--disable-features`); the rest kept. */
export function withIsolation(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (const arg of args) {
    const name = arg.split("=")[0] ?? arg;
    if (DROPPED_FLAGS.has(name)) continue;
    if (name === "--disable-features") {
      const features = arg
        .slice(name.length + 1)
        .split(",")
        .filter((f) => f !== "" && !SITE_ISOLATION_FEATURES.has(f));
      if (features.length > 0) kept.push(`--disable-features=${features.join(",")}`);
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

/** The npm Chromium's flags, as the browser test launches it. */
export function npmChromiumArgs(): string[] {
  return withIsolation(sparticuz.args);
}

const DEBIAN_ARGS = [
  "--headless",
  "--no-sandbox", // the tests run as root
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Playwright launch options for the chosen Chromium (unpacking the npm one on first use). */
export async function chromiumLaunchOptions(
  env: NodeJS.ProcessEnv = process.env,
): Promise<LaunchOptions & { source: BrowserSource["kind"] }> {
  const source = browserSource(env);
  // Chromium's own temp files (`.org.chromium.Chromium.*`) go to a folder removed after the
  // test file: one was left in the run's temp dir when three browser files ran at once.
  const tmp = { TMPDIR: testTempDir("chromium-") };
  if (source.kind === "debian")
    return {
      source: "debian",
      executablePath: source.executablePath,
      args: DEBIAN_ARGS,
      env: { ...env, ...tmp },
    };
  const dir = await unpackedNpmChromium();
  return {
    source: "npm",
    executablePath: path.join(dir, "chromium"),
    args: npmChromiumArgs(),
    // Its own fonts (Open Sans) besides the machine's, if any: a machine without fonts still
    // renders readable screenshots.
    env: { ...env, ...tmp, FONTCONFIG_FILE: path.join(dir, "fonts.conf") },
  };
}

/**
 * The npm Chromium unpacked into `.astral/chromium/<version>/` (git-ignored), once per version.
 * The package unpacks only into `os.tmpdir()` (fixed names, shared by every process on the
 * machine), so it runs in a child whose TMPDIR is a fresh staging folder, which is then renamed
 * into place: concurrent test runs never see half a binary, and nothing is left in /tmp.
 */
async function unpackedNpmChromium(): Promise<string> {
  const pkgDir = path.join(REPO_ROOT, "node_modules", "@sparticuz", "chromium");
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
    version: string;
  };
  const dir = path.join(REPO_ROOT, ".astral", "chromium", version);
  if (existsSync(path.join(dir, "chromium"))) return dir;
  const staging = `${dir}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging, { recursive: true });
    const script = `import c from "@sparticuz/chromium"; process.stdout.write(await c.executablePath());`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: staging }, timeout: 300_000 },
    );
    if (stdout !== path.join(staging, "chromium"))
      throw new Error(`@sparticuz/chromium unpacked to ${stdout}, expected ${staging}/chromium`);
    writeFileSync(path.join(staging, "fonts.conf"), fontsConf(dir));
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run unpacked the same version first: use theirs.
      if (!existsSync(path.join(dir, "chromium"))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** fontconfig: the machine's configuration when there is one, plus the package's fonts. */
function fontsConf(dir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${path.join(dir, "fonts", "fonts")}</dir>
  <cachedir>${path.join(dir, "fontconfig-cache")}</cachedir>
</fontconfig>
`;
}
