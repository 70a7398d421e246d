/**
 * `tenant apply` and `tenant drift` against a local tenant with the real auth0-deploy-cli: the
 * first test is the rehearsal of docs/operations.md's "Tenant settings" block (the operator's
 * commands through tests/support/doc-shell.ts, the CLI run for real over HTTPS), on a fresh Free
 * tenant, checked by reading the tenant back. `a0deploy import` takes about a minute of one core,
 * so this file runs it once (why once stands for every plan: tenant.unit.test.ts); the refused
 * import is tenant-verify.integration.test.ts, a file of its own so that the two imports can run
 * side by side.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { MANAGEMENT_API_SCOPES } from "@astral/contract";
import type { ManagementClient } from "auth0";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { offeredKindsOf } from "../../portal/lib/config/offer";
import { DocShell } from "../../tests/support/doc-shell";
import { testTempDir } from "../../tests/support/temp-dirs";
import { A0DEPLOY_IMPORT_TIMEOUT_MS } from "../../tests/support/timeouts";
import { REPO_ROOT } from "../lib/stacks";
import { managementClient, type TenantCredentials } from "./management";

let env: SeededTenants;
let credentials: TenantCredentials;
let mgmt: ManagementClient;

beforeAll(async () => {
  // The Astral Backend's grant as the repository's portal.config.js offers (what drift checks).
  env = await startSeededTenants({ credentialKinds: offeredKindsOf() });
  await fresh();
});
afterAll(() => env?.close());

async function backendGrant() {
  const page = await mgmt.clientGrants.list({ client_id: env.seed.sandbox.backend.clientId });
  return page.data[0];
}

async function allClients(): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of await mgmt.clients.list({ per_page: 100 })) ids.push(c.client_id as string);
  return ids.sort();
}

/** `npm run tenant -- <args>`: the CLI in a child process, credentials in its environment only. */
function tenantCli(
  args: string[],
  shellEnv: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        "scripts/tenant/cli.ts",
        ...args,
      ],
      // Only the shell's AUTH0_* reach the CLI: a doc that forgets one must fail here.
      { cwd: REPO_ROOT, env: { ...withoutAuth0(process.env), ...shellEnv } },
    );
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stdout += d;
    });
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

function withoutAuth0(vars: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...vars };
  for (const key of Object.keys(out)) if (key.startsWith("AUTH0_")) delete out[key];
  return out;
}

/** `npm run tenant -- drift sandbox`, as CI runs it. */
const driftCli = () =>
  tenantCli(["drift", "sandbox"], {
    AUTH0_DOMAIN: credentials.domain,
    AUTH0_CLIENT_ID: credentials.clientId,
    AUTH0_CLIENT_SECRET: credentials.clientSecret,
  });

/** docs/operations.md's "Tenant settings" block. */
function tenantBlock(): string {
  const text = readFileSync(path.join(REPO_ROOT, "docs/operations.md"), "utf8");
  const section = text.slice(text.indexOf("## Tenant settings"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("docs/operations.md has no sh block under Tenant settings");
  return block;
}

describe("tenant apply and drift (local tenant, real a0deploy)", () => {
  it(
    "applies tenants/ to a fresh tenant on Auth0's Free plan (no email provider), proven by reading the tenant back, without touching Pulumi's clients",
    async () => {
      const clientsBefore = await allClients();
      // A fresh Free tenant: its features and entity limits, and no email provider, so an email
      // template `from` would be refused (rule email-templates.from-needs-provider). Free's 2
      // requests/s would stretch a0deploy's import past this test's time (retries under rate
      // limits are tested on their own), so the test rate limits stay.
      env.control.setPlan("sandbox", "free");
      env.control.setRateLimitProfile("sandbox", "test");
      await expect(mgmt.emails.provider.get()).rejects.toMatchObject({ statusCode: 404 });
      // The docs' commands, typed as the operator would, with the CLI run for real: apply
      // (import, then read back), then drift.
      const shell = new DocShell(testTempDir("astral-tenant-doc-"), {
        placeholders: {
          "<sandbox tenant domain>": credentials.domain,
          "<deploy client id>": credentials.clientId,
        },
        typed: credentials.clientSecret,
        tenant: async (args, shellEnv) => {
          const { code, stdout } = await tenantCli(args, shellEnv);
          if (code !== 0)
            throw new Error(`npm run tenant -- ${args.join(" ")} exited ${code}:\n${stdout}`);
          return stdout;
        },
      });
      await shell.run(tenantBlock(), "docs/operations.md (Tenant settings)");
      env.control.setPlan("sandbox", "enterprise");
      env.control.setRateLimitProfile("sandbox", "test");
      env.control.setEntityPlan("sandbox", "unlimited");
      const output = shell.output.join("\n");
      expect(output).toContain(
        `sandbox tenant (${credentials.domain}) matches tenants/ after import`,
      );
      expect(output).toContain("no drift: the sandbox tenant");
      expect(output).not.toContain(credentials.clientSecret);
      // Not the exit code (a0deploy once reported success on a 404): the tenant itself.
      expect(await allClients()).toEqual(clientsBefore);
      expect([...((await backendGrant())?.scope ?? [])].sort()).toEqual(
        [...MANAGEMENT_API_SCOPES].sort(),
      );
      const db = (await mgmt.connections.list({ name: "Username-Password-Authentication" }))
        .data[0];
      expect(db?.options).toMatchObject({ password_complexity_options: { min_length: 12 } });
      const verify = await mgmt.emailTemplates.get("verify_email");
      expect(verify).toMatchObject({ enabled: true, from: null });
      expect((await mgmt.branding.get()).colors?.primary).toBe("#6B4EFF");
      const settings = await mgmt.tenants.settings.get();
      expect(settings.friendly_name).toBe("Astral Sandbox");
    },
    A0DEPLOY_IMPORT_TIMEOUT_MS,
  );

  it("names every drifted field, the grant's scopes included, and exits 1", async () => {
    await mgmt.tenants.settings.update({ support_email: "someone-else@acme.example" });
    await mgmt.branding.update({ colors: { primary: "#FF0000" } });
    const db = (await mgmt.connections.list({ name: "Username-Password-Authentication" })).data[0];
    await mgmt.connections.update(db?.id as string, {
      options: { ...db?.options, password_complexity_options: { min_length: 6 } },
    });
    const grant = await backendGrant();
    await mgmt.clientGrants.update(grant?.id as string, {
      scope: [...(grant?.scope ?? []).filter((s) => s !== "delete:client_keys"), "read:logs"],
    });

    const { code, stdout } = await driftCli();
    expect(code).toBe(1);
    const lines = stdout.split("\n").filter((l) => l.startsWith("  "));
    expect(lines).toEqual([
      '  tenant.support_email: expected "platform-team@acme.example", found "someone-else@acme.example"',
      '  branding.colors.primary: expected "#6B4EFF", found "#FF0000"',
      "  databases[Username-Password-Authentication].options.password_complexity_options.min_length: expected 12, found 6",
      `  clientGrants[Astral Backend → https://${credentials.domain}/api/v2/].scope (missing): expected ["delete:client_keys"], found (missing)`,
      `  clientGrants[Astral Backend → https://${credentials.domain}/api/v2/].scope (not in the contract): expected (missing), found ["read:logs"]`,
    ]);
    expect(stdout).toContain("drift in the sandbox tenant");
    expect(stdout).not.toContain(credentials.clientSecret);
  }, 60_000);
});

/** The sandbox tenant's bootstrap client: the deploy client a platform engineer sets up. */
async function fresh(): Promise<TenantCredentials> {
  const boot = readBootstrap(env.stateDir, "sandbox");
  credentials = {
    domain: env.seed.sandbox.domain,
    clientId: boot.clientId,
    clientSecret: boot.clientSecret,
  };
  mgmt = managementClient(credentials);
  return credentials;
}
