/**
 * The Chromium that the browser tests drive (portal/test/browser.ts) behaves like a user's on the
 * two points the portal depends on: a same-origin POST carries `Origin`, and one browser context
 * never sends another's cookies. Runs against whichever Chromium is chosen (ASTRAL_BROWSER).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumLaunchOptions } from "./browser";

let server: Server;
let url = "";
let browser: Browser;

beforeAll(async () => {
  // Echoes the two request headers the portal's checks read; /login sets a session cookie.
  server = createServer((req, res) => {
    if (req.url === "/login") res.setHeader("set-cookie", "session=alice; Path=/; HttpOnly");
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({ cookie: req.headers.cookie ?? null, origin: req.headers.origin ?? null }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { source: _source, ...launch } = await chromiumLaunchOptions();
  browser = await chromium.launch(launch);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** What the server saw of a `fetch` POST made by the page. */
function postFrom(page: import("playwright-core").Page) {
  return page.evaluate(
    async (u) => (await fetch(u, { method: "POST", body: "x" })).json(),
    `${url}/action`,
  ) as Promise<{ cookie: string | null; origin: string | null }>;
}

describe("the browser the tests drive", () => {
  it("sends the page's Origin on a POST (the portal refuses mutations without it)", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/`);
    expect(await postFrom(page)).toEqual({ cookie: null, origin: url });
  });

  it("keeps browser contexts apart: one user's cookies never go with another's requests", async () => {
    const alice = await (await browser.newContext()).newPage();
    await alice.goto(`${url}/login`);
    expect((await postFrom(alice)).cookie).toBe("session=alice");
    const bob = await (await browser.newContext()).newPage();
    await bob.goto(`${url}/`);
    expect(JSON.parse((await bob.textContent("body")) ?? "")).toMatchObject({ cookie: null });
    expect(await postFrom(bob)).toEqual({ cookie: null, origin: url });
  });
});
