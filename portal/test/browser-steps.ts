/**
 * Steps of the browser story (portal.e2e.test.ts) that stand alone: opening a page as a user on
 * a slow connection would, downloading a key pair's private key, running a copied snippet
 * outside the browser.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";

const REPO = path.resolve(__dirname, "..", "..");

/** Runs the copied snippet with node, outside the browser, next to the downloaded key. */
export async function runSnippet(snippet: string, keyPem: string, keyFile: string) {
  mkdirSync(path.join(REPO, ".astral"), { recursive: true });
  const dir = mkdtempSync(path.join(REPO, ".astral", "e2e-snippet-"));
  try {
    writeFileSync(path.join(dir, keyFile), keyPem, { mode: 0o600 });
    writeFileSync(path.join(dir, "get-token.mjs"), snippet);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["get-token.mjs"], { cwd: dir, timeout: 30_000 }, (e, out, err) =>
        e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out),
      ),
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Navigates, and goes on as soon as the server has answered: before the page's JavaScript runs,
 * as a user clicks on a slow connection. The next fill or click must then wait until the
 * controls come alive (ClientForm, useHydrated). Without that, a click this early submitted the
 * key-pair form natively and nothing was created (CI, 2026-11-30).
 */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "commit" });
}

/**
 * Clicks the download button of a key-pair reveal and returns the downloaded key; a line from the
 * middle of it goes into `keyLines` (what a leak would contain, looked for in logs afterwards).
 */
export async function downloadKey(
  page: Page,
  keyLines: string[],
): Promise<{ pem: string; file: string; path: string }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-private-key").click({ timeout: 30_000 }),
  ]);
  const file = await download.path();
  const pem = readFileSync(file, "utf8");
  keyLines.push(pem.split("\n")[5] ?? "");
  return { pem, file: download.suggestedFilename(), path: file };
}
