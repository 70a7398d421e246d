/**
 * The browser journey, Chromium driven by playwright-core against the production build (its
 * standalone server in local-tenants mode: ./next-server.ts) and the local
 * tenants: login → create team → invite → second user joins → create credential (secret once,
 * curl, try it) → rotate → revoke → admin view. Screenshots go to artifacts/portal-e2e/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ManagementClient } from "auth0";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { readBootstrap } from "../../emulator/src/index";
import { DEFAULT_SEARCH_LAG_MS } from "../../emulator/src/tenant";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { localPortalEnv } from "../lib/config/local-env";
import { chromiumLaunchOptions } from "./browser";
import { downloadKey, open, runSnippet } from "./browser-steps";
import { browserFailureReport } from "./failure-report";
import { freePort, type RunningPortal, startProductionPortal } from "./next-server";
import { shippedConfigWith } from "./support";

const SHOTS = path.resolve(__dirname, "..", "..", "artifacts", "portal-e2e");
const PASSWORD = "E2e-Password-2026!";

let tenants: SeededTenants;
let portal: RunningPortal;
let browser: Browser;
const contexts: BrowserContext[] = [];
const secrets: string[] = [];
/** Lines from the middle of each downloaded private key: what a leak would contain. */
const privateKeyLines: string[] = [];
const browserLog: string[] = [];

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on("console", (m) => browserLog.push(`[${email}] ${m.type()}: ${m.text()}`));
  await page.goto(`${portal.url}/`);
  await page.getByRole("link", { name: "Sign in to get started" }).click();
  await page.waitForURL(/\/authorize/);
  await page.fill("#username", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${portal.url}/`);
  await expect
    .poll(() => page.getByTestId("signed-in-as").textContent(), { timeout: 30_000 })
    .toBe(email);
  return page;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Debian's Chromium when present, else the npm one. First, so that a missing or misconfigured
  // browser fails before the servers start; never skipped: no browser is a failure.
  const { source, ...launch } = await chromiumLaunchOptions();
  browserLog.push(`browser: ${source} Chromium ${launch.executablePath}`);
  browser = await chromium.launch(launch);
  const port = await freePort();
  tenants = await startSeededTenants({
    callbackUrl: `http://localhost:${port}/auth/callback`,
    logoutUrl: `http://localhost:${port}`,
  });
  const boot = readBootstrap(tenants.stateDir, "production");
  const root = new ManagementClient({ domain: tenants.tenants.production.domain, ...boot });
  for (const name of ["alice", "bob"])
    await root.users.create({
      connection: "Username-Password-Authentication",
      email: `${name}@example.test`,
      password: PASSWORD,
      email_verified: true,
      name: name[0]?.toUpperCase() + name.slice(1),
    });
  const caCertPath = process.env.NODE_EXTRA_CA_CERTS ?? "";
  portal = await startProductionPortal(port, {
    ...localPortalEnv(tenants.seed, {
      baseUrl: `http://localhost:${port}`,
      sessionSecret: "e2e-session-secret-0123456789abcdef0123456789abcdef",
      caCertPath,
      searchLagMs: DEFAULT_SEARCH_LAG_MS,
    }),
    // Key pairs in Sandbox too: the local tenants start on Enterprise features.
    PORTAL_CONFIG: shippedConfigWith({ sandbox: ["client_secret", "key_pair"] }),
  });
}, 900_000); // the first file to ask builds the portal (production-build.ts)

afterAll(async () => {
  // The portal's log beside the screenshots (the last test checks it holds no secret).
  if (portal) writeFileSync(path.join(SHOTS, "server.log"), portal.output());
  writeFileSync(path.join(SHOTS, "browser-console.log"), browserLog.join("\n"));
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await portal?.stop();
  await tenants?.close();
});

// A failure prints what the pages showed and the portal logged (secrets hidden): the tests after
// it build on its state, so the first failure's cause is the one to read.
beforeEach(() => {
  onTestFailed(async () => {
    console.error(
      await browserFailureReport(contexts, portal?.output() ?? "", [
        ...secrets,
        ...privateKeyLines,
      ]),
    );
  });
});

describe("portal in a browser", () => {
  let alice: Page;
  let bob: Page;
  let inviteLink = "";

  it("a new user signs in, sees the no-team page and creates a team", async () => {
    alice = await signIn("alice@example.test", PASSWORD);
    await expect
      .poll(() => alice.getByTestId("no-team").isVisible(), { timeout: 30_000 })
      .toBe(true);
    await shot(alice, "01-no-team");
    await alice.fill("input[name=teamName]", "Payments");
    await alice.getByRole("button", { name: "Create team" }).click();
    await expect
      .poll(() => alice.getByTestId("page-title").textContent(), { timeout: 30_000 })
      .toBe("Payments");
    await shot(alice, "02-team");
  }, 90_000);

  it("an invite link lets a second user join", async () => {
    await alice.getByRole("button", { name: "Create invite link" }).click();
    inviteLink = (await alice.getByTestId("invite-link").textContent({ timeout: 30_000 })) ?? "";
    expect(inviteLink).toContain("/join?token=");
    expect(await alice.getByTestId("invite-terms").textContent()).toMatch(
      /join this team as a member.*until .* UTC, or until a member is removed/,
    );
    await shot(alice, "03-invite");
    bob = await signIn("bob@example.test", PASSWORD);
    await open(bob, inviteLink);
    await bob.getByRole("button", { name: "Accept invite" }).click();
    await expect
      .poll(() => bob.getByTestId("page-title").textContent(), { timeout: 30_000 })
      .toBe("Payments");
    // Bob's own session joined (not Alice's: a browser that mixes contexts' cookies fails here).
    expect(await bob.getByTestId("signed-in-as").textContent()).toBe("bob@example.test");
    await expect
      .poll(() => bob.getByTestId("member-list").textContent())
      .toMatch(/alice@example\.test.*bob@example\.test|bob@example\.test.*alice@example\.test/);
    await shot(bob, "04-joined");
  }, 90_000);

  it("creates a Sandbox credential: secret once, copy buttons, curl, try it", async () => {
    await open(alice, `${portal.url}/credentials/sandbox`);
    await alice.fill("input[name=name]", "billing-service");
    await alice.getByRole("button", { name: "Create credential" }).click();
    const secret =
      (await alice.getByTestId("reveal-client-secret").textContent({ timeout: 30_000 })) ?? "";
    const clientId = (await alice.getByTestId("reveal-client-id").textContent()) ?? "";
    secrets.push(secret);
    expect(secret.length).toBeGreaterThan(20);
    const curl = (await alice.getByTestId("reveal-curl").textContent()) ?? "";
    expect(curl).toContain(clientId);
    expect(curl).toContain(`https://${tenants.tenants.sandbox.domain}/oauth/token`);
    expect(await alice.getByRole("button", { name: "Copy" }).count()).toBeGreaterThanOrEqual(3);
    await alice.getByRole("button", { name: "Get a token" }).click();
    const claims = (await alice.getByTestId("try-claims").textContent({ timeout: 30_000 })) ?? "";
    expect(claims).toContain(`${clientId}@clients`);
    await shot(alice, "05-credential-created");
    await alice.getByRole("button", { name: "I have stored the secret" }).click();
    // Listed at once although the tenant's search index lags: the page re-reads what the user
    // just made.
    await expect.poll(() => alice.getByTestId("credential-row").count()).toBe(1);
    // After the reveal is dismissed, the secret is nowhere on the page.
    expect(await alice.content()).not.toContain(secret);
    await shot(alice, "06-credential-list");
  }, 90_000);

  it("rotates (new secret shown once) and revokes", async () => {
    const row = alice.getByTestId("credential-row");
    await row.getByRole("button", { name: "Rotate" }).click();
    await row.getByRole("button", { name: "Rotate secret" }).click();
    const rotated =
      (await alice.getByTestId("reveal-client-secret").textContent({ timeout: 30_000 })) ?? "";
    secrets.push(rotated);
    expect(rotated).not.toBe(secrets[0]);
    // Auth0 may take up to 30 s to apply a rotated secret: the page says when it will work, and
    // "try this credential" waits for it instead of calling the credential wrong.
    expect(await alice.getByTestId("activation-note").textContent()).toMatch(/starts working/);
    await shot(alice, "07-rotated");
    await row.getByRole("button", { name: "Get a token" }).click();
    expect(await row.getByTestId("try-claims").textContent({ timeout: 45_000 })).toContain(
      "@clients",
    );
    await alice.getByRole("button", { name: "I have stored the secret" }).click();
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Revoke" }).last().click();
    await expect
      .poll(() => alice.getByTestId("credential-row").count(), { timeout: 30_000 })
      .toBe(0);
    await shot(alice, "08-revoked");
  }, 90_000);

  it("creates a key pair in the browser: private key downloaded once, a token with it outside the browser, try it, replace, revoke", async () => {
    await open(alice, `${portal.url}/credentials/sandbox`);
    await alice.fill("input[name=keyPairName]", "payments-worker");
    await alice.getByRole("button", { name: "Create key pair" }).click();
    const key = await downloadKey(alice, privateKeyLines);
    expect(key.pem).toMatch(/^-{5}BEGIN PRIVATE KEY-{5}/);
    expect(key.file).toBe("payments-worker.private-key.pem");
    expect(await alice.getByTestId("private-key-downloaded").isVisible()).toBe(true);
    // After the download the page holds no private key.
    expect(await alice.content()).not.toContain(privateKeyLines.at(-1));
    const clientId = (await alice.getByTestId("reveal-client-id").textContent()) ?? "";
    const snippet = (await alice.getByTestId("reveal-snippet").textContent()) ?? "";
    expect(snippet).toContain(clientId);
    await shot(alice, "12-key-pair-created");

    // Outside the browser: the copied snippet with the downloaded key gets a token.
    const outside = await runSnippet(snippet, key.pem, key.file);
    expect(typeof outside.access_token).toBe("string");
    expect(outside.scope).toBe("read:examples");

    // Try it: the browser signs with the key picked from disk.
    await alice.getByTestId("try-key-file").setInputFiles(key.path);
    await alice.getByRole("button", { name: "Sign and get a token" }).click();
    expect(await alice.getByTestId("try-claims").textContent({ timeout: 30_000 })).toContain(
      `${clientId}@clients`,
    );
    await alice.getByRole("button", { name: "Done" }).click();
    const row = alice.locator(`[data-testid=credential-row][data-client-id="${clientId}"]`);
    await expect
      .poll(() => row.getByTestId("key-expiry").textContent())
      .toMatch(/expires .* \(in 30 days\)/);

    // Replace…: a second key pair beside the first; both listed until the old one is revoked.
    await row.getByRole("button", { name: "Replace…" }).click();
    await alice.getByRole("button", { name: "Create replacement" }).click();
    const replacementKey = await downloadKey(alice, privateKeyLines);
    const replacementId = (await alice.getByTestId("reveal-client-id").textContent()) ?? "";
    await alice.getByRole("button", { name: "Done" }).click();
    await expect
      .poll(() => alice.getByTestId("credential-row").count(), { timeout: 30_000 })
      .toBe(2);
    expect(await row.getByTestId("replaced-by").textContent()).toContain("payments-worker (new)");
    await shot(alice, "13-key-pair-replaced");
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Revoke" }).last().click();
    await expect
      .poll(() => alice.getByTestId("credential-row").count(), { timeout: 30_000 })
      .toBe(1);
    expect(await alice.getByTestId("credential-row").getAttribute("data-client-id")).toBe(
      replacementId,
    );
    const fresh = await runSnippet(
      snippet.replaceAll(clientId, replacementId),
      replacementKey.pem,
      key.file,
    );
    expect(typeof fresh.access_token).toBe("string");
    await shot(alice, "14-key-pair-old-revoked");
  }, 120_000);

  it("the admin sees every team, with counts on request, and a team's details", async () => {
    const admin = await signIn(
      tenants.seed.production.admin.email,
      tenants.seed.production.admin.password,
    );
    await admin.goto(`${portal.url}/admin`);
    await admin.getByTestId("counts-toggle").click();
    await admin.waitForURL(/counts=1/);
    const table = admin.getByTestId("admin-teams");
    await expect.poll(() => table.textContent(), { timeout: 30_000 }).toContain("Payments");
    const row = table.getByRole("row", { name: /Payments/ });
    expect(await row.locator("td").nth(1).textContent()).toBe("2"); // members: Alice, Bob
    await shot(admin, "09-admin-teams");
    await admin.getByRole("link", { name: "Payments" }).click();
    await expect
      .poll(() => admin.getByTestId("page-title").textContent(), { timeout: 30_000 })
      .toBe("Payments");
    await shot(admin, "10-admin-team");
    await admin.goto(`${portal.url}/admin/admins`);
    await expect
      .poll(() => admin.getByTestId("admin-list").textContent(), { timeout: 30_000 })
      .toContain(tenants.seed.production.admin.email);
    await admin.getByLabel("Invitee's email").fill("Bob@Example.test");
    await admin.getByRole("button", { name: "Create admin invite link" }).click();
    expect(await admin.getByTestId("invite-link").textContent({ timeout: 30_000 })).toContain(
      "/join?token=",
    );
    await shot(admin, "11-admin-admins");
    await admin.getByRole("link", { name: "Sign out" }).click();
    await admin.waitForURL(`${portal.url}/`, { timeout: 30_000 });
    await expect
      .poll(() => admin.getByRole("link", { name: "Sign in to get started" }).isVisible(), {
        timeout: 30_000,
      })
      .toBe(true);
  }, 90_000);

  it("a removed member's old invite link is refused with a clear message", async () => {
    await open(alice, `${portal.url}/`);
    const bobRow = alice.getByTestId("member-list").getByRole("listitem").filter({
      hasText: "bob@example.test",
    });
    await bobRow.getByRole("button", { name: "Remove" }).click();
    await bobRow.getByRole("button", { name: "Remove" }).last().click();
    await expect
      .poll(() => alice.getByTestId("member-list").textContent(), { timeout: 30_000 })
      .not.toContain("bob@example.test");
    await open(bob, inviteLink);
    await bob.getByRole("button", { name: "Accept invite" }).click();
    await expect
      .poll(() => bob.locator("p[role=alert]").textContent(), { timeout: 30_000 })
      .toMatch(/This invite link to Payments has been withdrawn: a member was removed/);
    await shot(bob, "12-old-link-refused");
    await bob.goto(`${portal.url}/`);
    await expect.poll(() => bob.getByTestId("no-team").isVisible()).toBe(true);
  }, 90_000);

  it("a visitor creates an account from the landing page and is signed in", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const carol = await context.newPage();
    await carol.goto(`${portal.url}/`);
    await carol.getByRole("link", { name: "Create an account" }).click();
    await carol.waitForURL(/\/authorize/);
    await carol.fill("#email", "carol@example.test");
    await carol.fill("#password", "short");
    await carol.click("button[type=submit]");
    expect(await carol.locator("[role=alert]").textContent()).toContain("Password is too weak");
    await carol.fill("#password", PASSWORD);
    await carol.click("button[type=submit]");
    await carol.waitForURL(`${portal.url}/`);
    await expect
      .poll(() => carol.getByTestId("signed-in-as").textContent(), { timeout: 30_000 })
      .toBe("carol@example.test");
    expect(await carol.getByTestId("no-team").isVisible()).toBe(true);
    await shot(carol, "13-signed-up");
  }, 90_000);

  it("a mutation from another origin is refused and audited", async () => {
    const res = await fetch(`${portal.url}/`, {
      method: "POST",
      headers: { origin: "https://evil.example", "next-action": "0".repeat(40) },
      body: "[]",
    });
    expect(res.status).toBe(403);
    const { requestId } = (await res.json()) as { requestId: string };
    await expect
      .poll(() =>
        portal
          .output()
          .split("\n")
          .some(
            (l) =>
              l.includes(requestId) &&
              l.includes('"action":"crossOriginRequest"') &&
              l.includes("https://evil.example"),
          ),
      )
      .toBe(true);
  });

  it("every page ran under the nonce CSP without a violation", () => {
    // The flows above click client components: they hydrated, so Next's scripts carried the nonce.
    expect(browserLog.filter((l) => /Content Security Policy/i.test(l))).toEqual([]);
  });

  it("no secret or private key ever reached the portal's logs or audit lines", () => {
    for (const s of secrets) expect(portal.output()).not.toContain(s);
    expect(privateKeyLines.length).toBe(2);
    for (const line of privateKeyLines) {
      expect(line.length).toBeGreaterThan(40);
      expect(portal.output()).not.toContain(line);
    }
    expect(portal.output()).not.toContain("PRIVATE KEY");
    expect(portal.output()).toContain("createKeyPairCredential");
    expect(portal.output()).not.toContain(inviteLink.split("token=")[1]);
    expect(portal.output()).toContain('"type":"audit"');
  });
});
