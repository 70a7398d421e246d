import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import sparticuz from "@sparticuz/chromium";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { browserSource, npmChromiumArgs, withIsolation } from "./browser";

/** Any flag that switches off web security, site isolation or separate processes. */
const ISOLATION_OFF =
  /^--(disable-web-security|allow-running-insecure-content|disable-site-isolation|single-process)|^--disable-features=.*\b(IsolateOrigins|site-per-process)\b/;

describe("the npm Chromium's flags", () => {
  it("keep web security, site isolation and separate processes on", () => {
    const args = npmChromiumArgs();
    expect(args.filter((a) => ISOLATION_OFF.test(a))).toEqual([]);
    expect(args).not.toContain("--disable-web-security");
    expect(args).not.toContain("--allow-running-insecure-content");
    expect(args).not.toContain("--disable-site-isolation-trials");
    expect(args).not.toContain("--single-process");
  });

  it("drop exactly those from what the package ships, and keep what headless needs", () => {
    const shipped = sparticuz.args;
    // The package still ships them; if it stops, this filter (and this test) can go.
    expect(shipped.filter((a) => ISOLATION_OFF.test(a)).length).toBeGreaterThan(0);
    const kept = npmChromiumArgs();
    expect(kept).toEqual(expect.arrayContaining(["--no-sandbox", "--no-zygote"]));
    const dropped = shipped.filter((a) => !kept.includes(a));
    expect(dropped.every((a) => ISOLATION_OFF.test(a))).toBe(true);
    // Other disabled features stay disabled.
    expect(kept).toContain("--disable-features=AudioServiceOutOfProcess");
  });

  it("removes site isolation from --disable-features and the flag when nothing is left", () => {
    expect(
      withIsolation([
        "--no-sandbox",
        "--disable-web-security",
        "--disable-features=A,IsolateOrigins,site-per-process,B",
        "--disable-features=IsolateOrigins,site-per-process",
        "--allow-running-insecure-content",
        "--disable-site-isolation-trials",
        "--single-process",
        "--headless='shell'",
      ]),
    ).toEqual(["--no-sandbox", "--disable-features=A,B", "--headless='shell'"]);
  });
});

describe("which Chromium", () => {
  const withChromium = () => {
    const dir = testTempDir("astral-path-");
    const exe = path.join(dir, "chromium");
    writeFileSync(exe, "#!/bin/sh\n");
    chmodSync(exe, 0o755);
    return { dir, exe };
  };
  const noChromium = () => testTempDir("astral-path-");

  it("Debian's when `chromium` is on PATH", () => {
    const { dir, exe } = withChromium();
    expect(browserSource({ PATH: `${noChromium()}:${dir}` })).toEqual({
      kind: "debian",
      executablePath: exe,
    });
  });

  it("the npm one when no Chromium is on PATH", () => {
    expect(browserSource({ PATH: noChromium() })).toEqual({ kind: "npm" });
  });

  it("ASTRAL_BROWSER forces either, and names a missing Debian Chromium or a bad value", () => {
    const { dir } = withChromium();
    expect(browserSource({ PATH: dir, ASTRAL_BROWSER: "npm" })).toEqual({ kind: "npm" });
    expect(browserSource({ PATH: dir, ASTRAL_BROWSER: "debian" }).kind).toBe("debian");
    expect(() => browserSource({ PATH: noChromium(), ASTRAL_BROWSER: "debian" })).toThrow(
      /ASTRAL_BROWSER=debian, but neither `chromium` nor `chromium-browser` is on PATH/,
    );
    expect(() => browserSource({ PATH: dir, ASTRAL_BROWSER: "firefox" })).toThrow(
      'ASTRAL_BROWSER must be "debian" or "npm" (or unset), got "firefox"',
    );
  });

  it("a file named chromium that is not executable does not count", () => {
    const dir = noChromium();
    writeFileSync(path.join(dir, "chromium"), "");
    expect(browserSource({ PATH: dir })).toEqual({ kind: "npm" });
  });
});
