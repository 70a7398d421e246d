/**
 * `tenant apply` verifies by reading the tenant back: an import the real auth0-deploy-cli calls
 * successful is refused when the tenant does not show it. Apart from tenant.integration.test.ts
 * (each file runs one `a0deploy import`, about a minute of one core), so that both run at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../../emulator/test-support";
import { A0DEPLOY_IMPORT_TIMEOUT_MS } from "../../tests/support/timeouts";
import { applyTenant } from "./tenant";

let env: SeededTenants;

beforeAll(async () => {
  env = await startSeededTenants();
});
afterAll(() => env?.close());

describe("tenant apply (local tenant, real a0deploy)", () => {
  it(
    "refuses an import the CLI calls successful when the tenant does not show it",
    async () => {
      const boot = readBootstrap(env.stateDir, "sandbox");
      const credentials = {
        domain: env.seed.sandbox.domain,
        clientId: boot.clientId,
        clientSecret: boot.clientSecret,
      };
      // The Management API answers 200 to the branding update but changes nothing.
      env.control.setFaults("sandbox", [{ route: "PATCH /api/v2/branding", status: 200 }]);
      try {
        await expect(applyTenant({ environment: "sandbox", credentials })).rejects.toThrow(
          /a0deploy import exited 0, but the sandbox tenant does not match tenants\/:\n {2}branding\.logo_url: expected/,
        );
      } finally {
        env.control.clear();
      }
    },
    A0DEPLOY_IMPORT_TIMEOUT_MS,
  );
});
