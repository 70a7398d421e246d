/**
 * What a failed browser test leaves for whoever reads CI's output: each open page's address and
 * visible text, and the portal's last log lines. CI keeps no screenshots, and one early failure
 * (an error panel where the test expected a form) otherwise shows only as a cascade of timeouts
 * in the tests after it (CI, 2026-12-03).
 */
import type { BrowserContext } from "playwright-core";

const PAGE_TEXT_LIMIT = 1500;
const LOG_LINES = 40;

/**
 * The report, with each of `hidden` (secrets and keys the test has seen) replaced, so that a
 * failure never prints a credential into CI's log.
 */
export async function browserFailureReport(
  contexts: readonly BrowserContext[],
  portalOutput: string,
  hidden: readonly string[],
): Promise<string> {
  const parts: string[] = [];
  for (const page of contexts.flatMap((c) => c.pages())) {
    const text = await page
      .locator("body")
      // biome-ignore lint/performance/useDomNodeTextContent: the text as shown; textContent would add Next's inline script payloads
      .innerText({ timeout: 2_000 })
      .catch((e: Error) => `(no text: ${e.message.split("\n")[0]})`);
    parts.push(`--- page ${page.url()}\n${text.slice(0, PAGE_TEXT_LIMIT)}`);
  }
  parts.push(`--- the portal's last ${LOG_LINES} log lines`);
  parts.push(portalOutput.trimEnd().split("\n").slice(-LOG_LINES).join("\n"));
  let report = parts.join("\n");
  for (const secret of hidden.filter((h) => h.length > 0))
    report = report.replaceAll(secret, "[hidden]");
  return report.replace(
    /-{5}BEGIN [^-]*PRIVATE KEY-{5}[\s\S]*?-{5}END [^-]*PRIVATE KEY-{5}/g,
    "[private key]",
  );
}
