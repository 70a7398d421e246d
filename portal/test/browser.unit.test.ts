import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import sparticuz from "@sparticuz/chromium";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { browserSource, npmChromiumArgs, withWebSecurity } from "./browser";

/** Any flag that switches off web security or site isolation, by name or by feature. */
const WEB_SECURITY_OFF =
  /^--(disable-web-security|allow-running-insecure-content|disable-site-isolation)|^--disable-features=.*\b(IsolateOrigins|site-per-process)\b/;

describe("the npm Chromium's flags", () => {
  it("keep web security and site isolation on (else Chromium sends no Origin)", () => {
    const args = npmChromiumArgs();
    expect(args.filter((a) => WEB_SECURITY_OFF.test(a))).toEqual([]);
    expect(args).not.toContain("--disable-web-security");
    expect(args).not.toContain("--allow-running-insecure-content");
    expect(args).not.toContain("--disable-site-isolation-trials");
  });

  it("drop exactly those from what the package ships, and keep what headless needs", () => {
    const shipped = sparticuz.args;
    // The package still ships them; if it stops, this filter (and this test) can go.
    expect(shipped.filter((a) => WEB_SECURITY_OFF.test(a)).length).toBeGreaterThan(0);
    const kept = npmChromiumArgs();
    expect(kept).toEqual(expect.arrayContaining(["--no-sandbox", "--no-zygote"]));
    const dropped = shipped.filter((a) => !kept.includes(a));
    expect(dropped.every((a) => WEB_SECURITY_OFF.test(a))).toBe(true);
    // Other disabled features stay disabled.
    expect(kept).toContain("--disable-features=AudioServiceOutOfProcess");
  });

  it("removes site isolation from --disable-features and the flag when nothing is left", () => {
    expect(
      withWebSecurity([
        "--no-sandbox",
        "--disable-web-security",
        "--disable-features=A,IsolateOrigins,site-per-process,B",
        "--disable-features=IsolateOrigins,site-per-process",
        "--allow-running-insecure-content",
        "--disable-site-isolation-trials",
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
