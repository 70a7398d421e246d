/**
 * The API reference in a browser, as a new user would meet it: signed out it is public and
 * read-only; signed in, the user makes a team and a Sandbox credential, opens the reference,
 * gets a token with the secret (typed once) and tries operations against the sample API: a 200,
 * then a 403 for a scope the credential lacks, explained on the page. Afterwards the secret is in
 * no page source, RSC payload, storage, cookie or server log; the page runs under the nonce CSP
 * with no 'unsafe-inline' for scripts and no CSP violation. Figures go to artifacts/reference-e2e/.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../../emulator/src/index";
import { managementClient } from "../../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { type SampleApi, startSampleApi } from "../../sample-api/server";
import { localPortalEnv } from "../lib/config/local-env";
import { chromiumLaunchOptions } from "./browser";
import { freePort, type RunningPortal, startProductionPortal } from "./next-server";
import { addApisToConfig, sampleApiEntry } from "./reference";
import { shippedConfigWith } from "./support";

const SHOTS = path.resolve(__dirname, "..", "..", "artifacts", "reference-e2e");
const PASSWORD = "E2e-Password-2026!";
const EMAIL = "carol@example.test";

let tenants: SeededTenants;
let sampleApi: SampleApi;
let portal: RunningPortal;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let secret = "";
/** A line from the middle of the downloaded private key: what a leak would contain. */
let keyLine = "";
const consoleLines: string[] = [];
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { source: _source, ...launch } = await chromiumLaunchOptions();
  browser = await chromium.launch(launch);
  const port = await freePort();
  tenants = await startSeededTenants({
    callbackUrl: `http://localhost:${port}/auth/callback`,
    logoutUrl: `http://localhost:${port}`,
  });
  // The new user, as the tenant's sign-up would make them (the bootstrap client's Management API).
  await managementClient(
    tenants.tenants.production.domain,
    readBootstrap(tenants.stateDir, "production"),
  ).users.create({
    connection: "Username-Password-Authentication",
    email: EMAIL,
    password: PASSWORD,
    email_verified: true,
  });
  const audience = tenants.seed.sandbox.exampleApi.identifier;
  sampleApi = await startSampleApi({ tenantDomain: tenants.tenants.sandbox.domain, audience });
  // The shipped config with key pairs in Sandbox too (the shipped file offers client secrets
  // only; the local tenants start on Enterprise features), and the sample API on this test's port.
  const configFile = shippedConfigWith({ sandbox: ["client_secret", "key_pair"] });
  addApisToConfig(configFile, [sampleApiEntry(audience, sampleApi.url)]);
  portal = await startProductionPortal(port, {
    ...localPortalEnv(tenants.seed, {
      baseUrl: `http://localhost:${port}`,
      sessionSecret: "e2e-session-secret-0123456789abcdef0123456789abcdef",
      caCertPath: process.env.NODE_EXTRA_CA_CERTS ?? "",
      searchLagMs: 1000,
    }),
    PORTAL_CONFIG: configFile,
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
}, 900_000); // the first file to ask builds the portal (production-build.ts)

afterAll(async () => {
  if (portal) writeFileSync(path.join(SHOTS, "server.log"), portal.output());
  writeFileSync(path.join(SHOTS, "browser-console.log"), consoleLines.join("\n"));
  writeFileSync(path.join(SHOTS, "figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
  await context?.close().catch(() => undefined);
  await browser?.close();
  await portal?.stop();
  await sampleApi?.close();
  await tenants?.close();
});

describe("the API reference in a browser", () => {
  it("is public and read-only signed out, under a nonce CSP without unsafe-inline scripts", async () => {
    const started = Date.now();
    const response = await page.goto(`${portal.url}/reference/example`);
    await page.getByTestId("operation-listExamples").waitFor({ timeout: 30_000 });
    figures.signedOutLoadMs = Date.now() - started;
    figures.signedOutHtmlBytes = (await response?.text())?.length ?? 0;
    const csp = response?.headers()["content-security-policy"] ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(await page.getByTestId("try-sign-in").textContent()).toContain("Sign in");
    expect(await page.getByTestId("operation-createExample").textContent()).toContain(
      "write:examples",
    );
    expect(await page.getByTestId("auth-production").textContent()).toContain(
      "the portal sends nothing to Production",
    );
    expect(await page.locator("[data-testid^=try-send-]").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "01-signed-out.png"), fullPage: true });
  }, 120_000);

  it("a new user signs in, makes a team and a Sandbox credential", async () => {
    await page.goto(`${portal.url}/`);
    await page.getByRole("link", { name: "Sign in to get started" }).click();
    await page.waitForURL(/\/authorize/);
    await page.fill("#username", EMAIL);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(`${portal.url}/`);
    await page.fill("input[name=teamName]", "Reference readers");
    await page.getByRole("button", { name: "Create team" }).click();
    await expect
      .poll(() => page.getByTestId("page-title").textContent(), { timeout: 30_000 })
      .toBe("Reference readers");
    await page.goto(`${portal.url}/credentials/sandbox`);
    await page.fill("input[name=name]", "reference-reader");
    await page.getByRole("button", { name: "Create credential" }).click();
    secret =
      (await page.getByTestId("reveal-client-secret").textContent({ timeout: 30_000 })) ?? "";
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "I have stored the secret" }).click();
  }, 120_000);

  it("tries an operation with the credential: 200 from the sample API, then 403 explained", async () => {
    await page.goto(`${portal.url}/reference/example`);
    await page.getByTestId("try-secret").fill(secret);
    await page.getByTestId("try-get-token").click();
    expect(await page.getByTestId("try-token-ready").textContent({ timeout: 30_000 })).toContain(
      "read:examples",
    );
    // Cleared as soon as it was sent.
    expect(await page.getByTestId("try-secret").inputValue()).toBe("");
    const sample = (await page.getByTestId("try-token-sample").textContent()) ?? "";
    expect(sample).toContain(`https://${tenants.tenants.sandbox.domain}/oauth/token`);
    expect(sample).toContain("$CLIENT_SECRET");

    let started = Date.now();
    await page.getByTestId("try-send-listExamples").click();
    const list = page.getByTestId("try-result-listExamples");
    expect(await list.getByTestId("try-status").textContent({ timeout: 30_000 })).toBe("200");
    figures.tryItRoundTripMs = Date.now() - started;
    expect(await list.textContent()).toContain("ex_1");

    started = Date.now();
    await page.getByTestId("try-send-createExample").click();
    const create = page.getByTestId("try-result-createExample");
    expect(await create.getByTestId("try-status").textContent({ timeout: 30_000 })).toBe("403");
    const why = (await create.getByTestId("try-explanation").textContent()) ?? "";
    expect(why).toContain("missing scope");
    expect(why).toContain("write:examples");
    await page.screenshot({ path: path.join(SHOTS, "02-try-it.png"), fullPage: true });
  }, 120_000);

  it("tries it with a key pair: the browser signs with the key file, 200", async () => {
    await page.goto(`${portal.url}/credentials/sandbox`);
    await page.fill("input[name=keyPairName]", "reference-key");
    await page.getByRole("button", { name: "Create key pair" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-private-key").click({ timeout: 30_000 }),
    ]);
    const keyFile = await download.path();
    keyLine = readFileSync(keyFile, "utf8").split("\n")[5] ?? "";
    expect(keyLine.length).toBeGreaterThan(40);
    await page.getByRole("button", { name: "Done" }).click();
    await page.goto(`${portal.url}/reference/example`);
    await page.getByTestId("try-credential").selectOption({ label: "reference-key (key pair)" });
    // The sample for a key pair signs an assertion with the downloaded key file.
    const sample = (await page.getByTestId("try-token-sample").textContent()) ?? "";
    expect(sample).toContain("reference-key.private-key.pem");
    expect(sample).toContain("client_assertion_type");
    await page.getByTestId("try-key-file").setInputFiles(keyFile);
    await page.getByTestId("try-get-token").click();
    await page.getByTestId("try-token-ready").waitFor({ timeout: 30_000 });
    await page.getByTestId("try-send-getExample").click();
    const one = page.getByTestId("try-result-getExample");
    expect(await one.getByTestId("try-status").textContent({ timeout: 30_000 })).toBe("200");
  }, 120_000);

  it("leaves the secret and the key nowhere: page, RSC payload, storage, cookies, server log; no CSP violation", async () => {
    for (const leak of [secret, keyLine]) {
      expect(await page.content()).not.toContain(leak);
      expect(portal.output()).not.toContain(leak);
    }
    const rsc = await page.evaluate(async () =>
      (await fetch(location.href, { headers: { RSC: "1" } })).text(),
    );
    expect(rsc.length).toBeGreaterThan(100);
    expect(rsc).not.toContain(secret);
    expect(rsc).not.toContain(keyLine);
    const storage = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
    );
    expect(storage).not.toContain(secret);
    expect(storage).not.toContain(keyLine);
    const cookies = await context.cookies();
    expect(JSON.stringify(cookies)).not.toContain(secret);
    expect(portal.output()).not.toContain(secret);
    expect(consoleLines.filter((l) => /Content Security Policy|CSP/i.test(l))).toEqual([]);
  });
});
