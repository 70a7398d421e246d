/**
 * The secret rotation runbook (docs/runbooks/rotate-astral-backend-secret.md), rehearsed: its ```sh
 * blocks run in order in bash, with the operator's two inputs, against the local sandbox tenant
 * over HTTPS (real curl and jq: the token, the rotation, the token checks) and fakes for the rest
 * (tests/support/runbook-fakes.sh: `pulumi`, `gh`, `aws`, whose CI runs do what the workflows'
 * `pulumi up` does to the secret). Afterwards Auth0, every holder's state and Secrets Manager hold
 * the new secret, the old one gets no token, and nothing printed the secret in clear. A runbook
 * that drifts from what the stacks export fails here.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalCa } from "../emulator/src/ca";
import { readBootstrap } from "../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../emulator/test-support";
import { OPERATOR_ORG } from "../stacks/test/operator-values";
import { testTempDir } from "./support/temp-dirs";

const root = path.resolve(__dirname, "..");
const RUNBOOK = readFileSync(
  path.join(root, "docs/runbooks/rotate-astral-backend-secret.md"),
  "utf8",
);
const HOLDERS = ["sandbox", "production", "pr-7"];

let env: SeededTenants;
let portal: Server;

beforeAll(async () => {
  env = await startSeededTenants({ searchLagMs: 0 });
  // Each holder's portal answers its health check (step 7).
  portal = createServer((req, res) => res.writeHead(req.url === "/api/health" ? 200 : 404).end());
  await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => portal?.close(resolve));
  await env?.close();
});

/** The runbook's shell, its blocks in order, with the operator's inputs (step 0) filled in. */
function runbookScript(text: string): string {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const inputs = blocks[0] ?? "";
  expect(inputs.match(/^export \w+=/gm)).toEqual(["export ORG=", "export ENV="]);
  blocks[0] = inputs
    .replace(/^export ORG=\S+/m, `export ORG=${OPERATOR_ORG}`)
    .replace(/^export ENV=\S+/m, "export ENV=sandbox");
  return blocks.join("\n");
}

/** The fakes' state: three stacks hold the sandbox backend's current secret. */
function fakeWorld(dir: string, secret: string) {
  const domain = env.seed.sandbox.domain;
  const boot = readBootstrap(env.stateDir, "sandbox");
  const clientId = env.seed.sandbox.backend.clientId;
  for (const sub of ["state", "outputs", "config", "secrets", "history", "bin"])
    mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, "stacks"), `${HOLDERS.join("\n")}\n`);
  const url = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  for (const stack of HOLDERS) {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:astral/${stack}/SANDBOX_AUTH0_MANAGEMENT_CLIENT_SECRET-5f0c1a2-Xy9AbC`;
    const resources: unknown[] = [
      {
        type: "aws:secretsmanager/secret:Secret",
        outputs: { arn, name: `astral/${stack}/SANDBOX_AUTH0_MANAGEMENT_CLIENT_SECRET-5f0c1a2` },
      },
      {
        type: "aws:ecs/service:Service",
        outputs: { cluster: `arn:aws:ecs:eu-west-1:123456789012:cluster/${stack}`, name: stack },
      },
      { type: "aws:cloudwatch/logGroup:LogGroup", outputs: { name: `/astral/${stack}` } },
    ];
    if (stack === "sandbox")
      resources.push({
        type: "auth0:index/clientCredentials:ClientCredentials",
        outputs: { clientId, clientSecret: { plaintext: JSON.stringify(secret) } },
      });
    writeFileSync(
      path.join(dir, "state", `${stack}.json`),
      JSON.stringify({ deployment: { resources } }),
    );
    writeFileSync(path.join(dir, "secrets", arn.replace(/[/:]/g, "_")), secret);
    writeFileSync(path.join(dir, "history", stack), "update succeeded 2026-11-01T00:00:00Z\n");
    writeFileSync(
      path.join(dir, "outputs", `${stack}.json`),
      JSON.stringify({
        portalUrl: url,
        ...(stack === "sandbox"
          ? { tenantDomains: { sandbox: domain }, backendClientIds: { sandbox: clientId } }
          : {}),
      }),
    );
    writeFileSync(
      path.join(dir, "config", `${stack}.json`),
      JSON.stringify({
        "aws:region": "eu-west-1",
        "astral:auth0ClientId": boot.clientId,
        "astral:auth0ClientSecret": boot.clientSecret,
      }),
    );
  }
  const fakes = path.join(root, "tests/support/runbook-fakes.sh");
  chmodSync(fakes, 0o755);
  for (const name of ["pulumi", "gh", "aws", "sleep"])
    symlinkSync(fakes, path.join(dir, "bin", name));
  return {
    PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
    CURL_CA_BUNDLE: ensureLocalCa().caCertPath,
    FAKE_DIR: dir,
    FAKE_DOMAIN: domain,
    FAKE_BOOT_ID: boot.clientId,
    FAKE_BOOT_SECRET: boot.clientSecret,
    FAKE_CLIENT_ID: clientId,
    FAKE_OWNER: "sandbox",
    FAKE_UPPER: "SANDBOX",
  };
}

/** Runs the script in bash, asynchronously: the local tenants answer from this process. */
async function runRunbook(script: string, world: Record<string, string>) {
  const child = spawn("bash", ["-eo", "pipefail", "-c", script], {
    env: { HOME: process.env.HOME ?? "/tmp", LANG: "C.UTF-8", NODE_ENV: "test", ...world },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => chunks.push(d));
  child.stderr.on("data", (d: Buffer) => chunks.push(d));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, out: Buffer.concat(chunks).toString("utf8") };
}

/** Whether `secret` gets a Management API token for the sandbox backend. */
async function tokenStatus(secret: string): Promise<number> {
  const response = await fetch(`https://${env.seed.sandbox.domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: env.seed.sandbox.backend.clientId,
      client_secret: secret,
      audience: `https://${env.seed.sandbox.domain}/api/v2/`,
    }),
  });
  return response.status;
}

describe("the rotation runbook, rehearsed (sandbox backend: sandbox, production, a preview)", () => {
  it("rotates in Auth0 and carries the new secret to every holder, printing only hashes", async () => {
    const old = env.seed.sandbox.backend.clientSecret;
    const dir = testTempDir("astral-runbook-");
    const world = fakeWorld(dir, old);
    const { code, out } = await runRunbook(runbookScript(RUNBOOK), world);
    expect(code, out).toBe(0);

    // Auth0 has a new secret; the old one gets no token any more, the new one does.
    const sha = (text: string) => /([0-9a-f]{64}) {2}-/.exec(text)?.[1];
    const client = await fetch(
      `https://${env.seed.sandbox.domain}/api/v2/clients/${env.seed.sandbox.backend.clientId}`,
      { headers: { authorization: `Bearer ${await bootstrapToken()}` } },
    );
    const current = ((await client.json()) as { client_secret: string }).client_secret;
    expect(current).not.toBe(old);
    expect(await tokenStatus(old)).toBe(401);
    expect(out).toContain("new secret: HTTP 200");
    // Every holder's Secrets Manager value and last update (step 8), by hash.
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(current).digest("hex");
    for (const stack of HOLDERS) {
      expect(out).toContain(`${hash}  ${OPERATOR_ORG}/astral/${stack}`);
      expect(out).toMatch(
        new RegExp(`${OPERATOR_ORG}/astral/${stack}: update succeeded at 2026-12`),
      );
      expect(out).toContain(`${OPERATOR_ORG}/astral/${stack} health: HTTP 200`);
    }
    expect(sha(out)).toBe(hash); // step 5: the state's hash, equal to the new secret's
    // Nothing printed a secret in clear.
    for (const secret of [current, old, world.FAKE_BOOT_SECRET as string])
      expect(out).not.toContain(secret);
  }, 90_000);

  it("fails a runbook that drifts from what the stacks export", async () => {
    const drifted = RUNBOOK.replace("backendClientIds", "backendClientId");
    const { code, out } = await runRunbook(
      runbookScript(drifted),
      fakeWorld(testTempDir("astral-runbook-"), "x"),
    );
    expect(code).not.toBe(0);
    expect(out).toMatch(/CLIENT_ID: not found/);
    expect(out).not.toContain("rotated: new secret");
  });
});

async function bootstrapToken(): Promise<string> {
  const boot = readBootstrap(env.stateDir, "sandbox");
  const response = await fetch(`https://${env.seed.sandbox.domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: boot.clientId,
      client_secret: boot.clientSecret,
      audience: `https://${env.seed.sandbox.domain}/api/v2/`,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
