/**
 * The secret rotation runbook (docs/runbooks/rotate-astral-backend-secret.md), rehearsed: its ```sh
 * blocks run in order in bash, with the operator's two inputs (each backend: sandbox's, held by
 * sandbox, production and the previews; production's, held by production), against a local tenant
 * over HTTPS (real curl and jq: the token, the rotation, the token checks) and fakes for the rest
 * (tests/support/runbook-fakes.sh: `pulumi`, `gh`, `aws`, whose CI runs do what the workflows'
 * `pulumi up` does to the secret). Afterwards Auth0, every holder's state and Secrets Manager hold
 * the new secret, the old one gets no token, and nothing printed the secret in clear. A runbook
 * that drifts from what the stacks export fails here.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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
type TenantName = "sandbox" | "production";
/** The stacks that exist, and which of them hold each backend's secret. */
const STACKS = ["sandbox", "production", "pr-7"];
const HOLDERS: Record<TenantName, string[]> = { sandbox: STACKS, production: ["production"] };

let env: SeededTenants;
let portal: Server;

beforeAll(async () => {
  for (const tool of ["bash", "jq", "curl"]) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
    if (!found) throw new Error(`the runbook rehearsal needs ${tool} (.ci/run installs it)`);
  }
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
function runbookScript(text: string, tenant: TenantName = "sandbox"): string {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const inputs = blocks[0] ?? "";
  expect(inputs.match(/^export \w+=/gm)).toEqual(["export ORG=", "export ENV="]);
  blocks[0] = inputs
    .replace(/^export ORG=\S+/m, `export ORG=${OPERATOR_ORG}`)
    .replace(/^export ENV=\S+/m, `export ENV=${tenant}`);
  return blocks.join("\n");
}

/** The fakes' state: the holders of `tenant`'s backend secret hold its current value. */
function fakeWorld(dir: string, secret: string, tenant: TenantName = "sandbox") {
  const domain = env.seed[tenant].domain;
  const boot = readBootstrap(env.stateDir, tenant);
  const clientId = env.seed[tenant].backend.clientId;
  const upper = tenant.toUpperCase();
  for (const sub of ["state", "outputs", "config", "secrets", "history", "bin"])
    mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, "stacks"), `${STACKS.join("\n")}\n`);
  const url = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  for (const stack of HOLDERS[tenant]) {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:astral/${stack}/${upper}_AUTH0_MANAGEMENT_CLIENT_SECRET-5f0c1a2-Xy9AbC`;
    const resources: unknown[] = [
      {
        type: "aws:secretsmanager/secret:Secret",
        outputs: { arn, name: `astral/${stack}/${upper}_AUTH0_MANAGEMENT_CLIENT_SECRET-5f0c1a2` },
      },
      {
        type: "aws:ecs/service:Service",
        outputs: { cluster: `arn:aws:ecs:eu-west-1:123456789012:cluster/${stack}`, name: stack },
      },
      { type: "aws:cloudwatch/logGroup:LogGroup", outputs: { name: `/astral/${stack}` } },
    ];
    if (stack === tenant)
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
        ...(stack === tenant
          ? { tenantDomains: { [tenant]: domain }, backendClientIds: { [tenant]: clientId } }
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
    FAKE_OWNER: tenant,
    FAKE_UPPER: upper,
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

/** Whether `secret` gets a Management API token for `tenant`'s backend. */
async function tokenStatus(secret: string, tenant: TenantName): Promise<number> {
  const response = await fetch(`https://${env.seed[tenant].domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: env.seed[tenant].backend.clientId,
      client_secret: secret,
      audience: `https://${env.seed[tenant].domain}/api/v2/`,
    }),
  });
  return response.status;
}

describe("the rotation runbook, rehearsed", () => {
  it.each([
    ["sandbox", "sandbox, production, a preview"],
    ["production", "production only"],
  ] as const)(
    "rotates %s's backend secret and carries it to every holder (%s), printing only hashes",
    async (tenant, _holders) => {
      const old = env.seed[tenant].backend.clientSecret;
      const world = fakeWorld(testTempDir("astral-runbook-"), old, tenant);
      const { code, out } = await runRunbook(runbookScript(RUNBOOK, tenant), world);
      expect(code, out).toBe(0);

      // Auth0 has a new secret; the old one gets no token any more, the new one does.
      const client = await fetch(
        `https://${env.seed[tenant].domain}/api/v2/clients/${env.seed[tenant].backend.clientId}`,
        { headers: { authorization: `Bearer ${await bootstrapToken(tenant)}` } },
      );
      const current = ((await client.json()) as { client_secret: string }).client_secret;
      expect(current).not.toBe(old);
      expect(await tokenStatus(old, tenant)).toBe(401);
      expect(out).toContain("new secret: HTTP 200");
      // Step 5: the state's hash equals the new secret's. Step 8: every holder's Secrets Manager
      // value and last update, and step 7: its health, by stack name.
      const hash = createHash("sha256").update(current).digest("hex");
      expect(/([0-9a-f]{64}) {2}-/.exec(out)?.[1]).toBe(hash);
      for (const stack of HOLDERS[tenant]) {
        const name = `${OPERATOR_ORG}/astral/${stack}`;
        expect(out).toContain(`${hash}  ${name}`);
        expect(out).toMatch(new RegExp(`${name}: update succeeded at 2026-12`));
        expect(out).toContain(`${name} health: HTTP 200`);
      }
      // Nothing printed a secret in clear.
      for (const secret of [current, old, world.FAKE_BOOT_SECRET as string])
        expect(out).not.toContain(secret);
    },
    90_000,
  );

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

async function bootstrapToken(tenant: TenantName): Promise<string> {
  const boot = readBootstrap(env.stateDir, tenant);
  const response = await fetch(`https://${env.seed[tenant].domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: boot.clientId,
      client_secret: boot.clientSecret,
      audience: `https://${env.seed[tenant].domain}/api/v2/`,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
