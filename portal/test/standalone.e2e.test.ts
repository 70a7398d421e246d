/**
 * The container's server, without a container engine: `next build` (standalone output, in its own
 * build folder), the files the Dockerfile copies beside it (both in ./production-build.ts, shared
 * with the browser tests: one build per run), then `node portal/server.js` with
 * exactly the environment the ECS task definition gives (the contract's PORTAL_ENV names, plus
 * what the image sets). Checks health, the landing page, production headers, that no .env file
 * ships, graceful SIGTERM, and reports the standalone bundle's size.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PORTAL_ENV } from "@astral/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { untilHealthy } from "../../scripts/lib/standalone-portal";
import { cookieHeader, signInOverHttp } from "../../tests/support/http-sign-in";
import { stopWhenFileEnds } from "../../tests/support/stop-later";
import { testTempDir } from "../../tests/support/temp-dirs";
import { LOCAL_TENANTS_ENV } from "../lib/config/local-tenants";
import { freePort } from "./next-server";
import { productionBuild, STANDALONE_DIR } from "./production-build";

const standalone = STANDALONE_DIR;

function du(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = du(p);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

let tenants: SeededTenants;
let server: ChildProcess;
let output = "";
let url = "";
let taskEnv: Record<string, string> = {};
let localUrl = "";

beforeAll(async () => {
  await productionBuild();
  // The login client's callback is the local-tenants-mode server's (the last test below).
  localUrl = `http://127.0.0.1:${await freePort()}`;
  tenants = await startSeededTenants({ callbackUrl: `${localUrl}/auth/callback` });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  taskEnv = {
    PATH: process.env.PATH ?? "",
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
    // Set by the image.
    NODE_ENV: "production",
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    NEXT_TELEMETRY_DISABLED: "1",
    // From the task definition (secrets from Secrets Manager), by the contract's names.
    [PORTAL_ENV.login.domain]: "astral-test.eu.auth0.com",
    [PORTAL_ENV.login.clientId]: tenants.seed.production.login.clientId,
    [PORTAL_ENV.login.clientSecret]: tenants.seed.production.login.clientSecret,
    [PORTAL_ENV.login.sessionSecret]: "standalone-test-secret-0123456789abcdef0123456789",
    [PORTAL_ENV.login.baseUrl]: "https://portal.example.com",
  };
  const env = taskEnv;
  for (const environment of ["production", "sandbox"] as const) {
    const names = PORTAL_ENV.management[environment];
    env[names.domain] = tenants.tenants[environment].domain;
    env[names.clientId] = tenants.seed[environment].backend.clientId;
    env[names.clientSecret] = tenants.seed[environment].backend.clientSecret;
  }
  server = spawn(process.execPath, ["portal/server.js"], {
    cwd: standalone,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = server;
  stopWhenFileEnds(() => {
    if (started.exitCode === null) started.kill("SIGKILL");
  });
  server.stdout?.on("data", (d) => {
    output += d;
  });
  server.stderr?.on("data", (d) => {
    output += d;
  });
  await untilHealthy(url, server, () => output);
}, 900_000); // the first file to ask builds the portal (production-build.ts)

describe("standalone server (the container's entry point)", () => {
  it("reports the bundle size and ships no .env file", () => {
    const size = du(standalone);
    console.log(
      `standalone bundle: ${(size.bytes / 1024 / 1024).toFixed(1)} MiB in ${size.files} files (with static assets and public/)`,
    );
    expect(size.bytes).toBeLessThan(150 * 1024 * 1024);
    expect(existsSync(path.join(standalone, "portal", ".env.local"))).toBe(false);
    expect(existsSync(path.join(standalone, "portal", ".env"))).toBe(false);
  });

  it("serves health and the landing page with production security headers", async () => {
    const health = await fetch(`${url}/api/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    // Ready for the load balancer once its reads ahead of the first page views are done.
    await expect
      .poll(async () => (await fetch(`${url}/api/ready`)).status, { timeout: 30_000 })
      .toBe(200);
    expect(output).toMatch(/"type":"prewarm"/);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Sign in to get started");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    // Scripts: only those carrying this response's nonce (no 'unsafe-inline'), and Next put the
    // nonce on every script tag of the page.
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).not.toContain("unsafe-inline");
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeTruthy();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    const again = (await fetch(`${url}/`)).headers.get("content-security-policy");
    expect(again).not.toBe(csp); // a fresh nonce per response
    expect(health.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(health.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("answers a 2 MB body with 413 and a 5000-deep JSON with 400, without internals (issue 15)", async () => {
    const post = (body: string) =>
      fetch(`${url}/`, {
        method: "POST",
        body,
        headers: {
          origin: taskEnv[PORTAL_ENV.login.baseUrl] ?? "",
          "next-action": "a".repeat(42),
          "content-type": "text/plain;charset=UTF-8",
        },
      });
    const big = await post("x".repeat(2 * 1024 * 1024));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      code: "payload_too_large",
      message: "The request body is larger than 1 MB.",
    });
    const deep = await post(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    expect(deep.status).toBe(400);
    const text = await deep.text();
    expect(JSON.parse(text)).toMatchObject({ code: "invalid_input" });
    expect(text).not.toMatch(/at |Error|node_modules|\.js/);
    expect(output).not.toMatch(/RangeError|Maximum call stack/);
  });

  it("refuses to start with a bad portal.config.js or a missing variable, naming each problem", async () => {
    const dir = testTempDir("bad-config-");
    const bad = path.join(dir, "portal.config.js");
    writeFileSync(
      bad,
      'module.exports = { branding: { title: "" }, environments: [], colour: 1 };',
    );
    const { AUTH0_SECRET: _omitted, ...withoutSecret } = taskEnv;
    // A port of its own: Next's server.js reads PORT "0" as unset and binds 3000, which a
    // developer's `npm run dev` holds (the test then failed on EADDRINUSE, not on the config).
    const port = String(await freePort());
    const run = spawnSync(process.execPath, ["portal/server.js"], {
      cwd: standalone,
      env: { ...withoutSecret, PORT: port, PORTAL_CONFIG: bad } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const text = `${run.stdout}${run.stderr}`;
    expect(text).toContain("Astral portal cannot start");
    expect(text).toContain("branding.title");
    expect(text).toContain("unknown key(s) colour");
    expect(text).toContain("environments: Offer at least one environment");
    expect(text).toContain("AUTH0_SECRET is missing");
  });

  it("serves the API reference signed out, every script under the nonce, and measures it", async () => {
    await fetch(`${url}/reference/example`); // first render: loads and caches the document
    const times: number[] = [];
    let html = "";
    let csp = "";
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const res = await fetch(`${url}/reference/example`);
      html = await res.text();
      times.push(performance.now() - started);
      expect(res.status).toBe(200);
      csp = res.headers.get("content-security-policy") ?? "";
    }
    times.sort((a, b) => a - b);
    console.log(
      `reference page: median ${times[5]?.toFixed(0)} ms, max ${times[9]?.toFixed(0)} ms, ${html.length} bytes of HTML`,
    );
    expect(html).toContain("List examples");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    for (const tag of [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]))
      expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("refuses to start with an OpenAPI document that is not valid, naming the API and problem", async () => {
    const dir = testTempDir("bad-openapi-");
    writeFileSync(
      path.join(dir, "bad.json"),
      JSON.stringify({ openapi: "3.0.3", info: { title: "x" }, paths: {} }),
    );
    const config = path.join(dir, "portal.config.js");
    const audience = "https://api.example.local/";
    const env = (id: string) => ({ id, label: id, apis: [{ audience }] });
    writeFileSync(
      config,
      `module.exports = ${JSON.stringify({
        branding: { title: "T" },
        environments: [env("sandbox")],
        apis: [
          {
            id: "broken",
            title: "Broken",
            openapi: "bad.json",
            environments: { sandbox: { audience, baseUrl: "https://api.example.com" } },
          },
        ],
      })};`,
    );
    const run = spawnSync(process.execPath, ["portal/server.js"], {
      cwd: standalone,
      // A free port, not "0" (which server.js reads as 3000: see the bad-config test above).
      env: {
        ...taskEnv,
        PORT: String(await freePort()),
        PORTAL_CONFIG: config,
      } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const text = `${run.stdout}${run.stderr}`;
    expect(text).toContain("Astral portal cannot start");
    expect(text).toMatch(/apis\[broken\]\.openapi: .*version/);
  });

  it("signs in against the local tenants only in local-tenants mode, asked for by name", async () => {
    const local = {
      ...taskEnv,
      PORT: new URL(localUrl).port,
      [PORTAL_ENV.login.domain]: tenants.tenants.production.domain,
      [PORTAL_ENV.login.baseUrl]: localUrl,
    };
    // Without the mode, a local login domain is refused at start, by name, not at sign-in.
    const refused = spawnSync(process.execPath, ["portal/server.js"], {
      cwd: standalone,
      env: local as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(refused.status).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toContain(
      `${PORTAL_ENV.login.domain} ${tenants.tenants.production.domain} is a local tenant: the production build signs in against one only with ${LOCAL_TENANTS_ENV}=1`,
    );
    const withMode = spawn(process.execPath, ["portal/server.js"], {
      cwd: standalone,
      env: { ...local, [LOCAL_TENANTS_ENV]: "1" } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    withMode.stdout?.on("data", (d) => {
      log += d;
    });
    withMode.stderr?.on("data", (d) => {
      log += d;
    });
    try {
      await untilHealthy(localUrl, withMode, () => log);
      const { jar, steps } = await signInOverHttp(localUrl, tenants.seed.production.admin);
      expect(steps.done.status, log).toBe(307);
      const home = await fetch(`${localUrl}/`, { headers: { cookie: cookieHeader(jar) } });
      expect(await home.text()).toContain("You are a portal admin");
    } finally {
      withMode.kill("SIGKILL");
    }
  }, 60_000);

  it("stops gracefully on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) =>
      server.once("exit", (code) => resolve(code)),
    );
    const started = Date.now();
    server.kill("SIGTERM");
    const code = await exited;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([0, 143]).toContain(code);
  });
});
