/**
 * `npm run tenant -- <command> <sandbox|production>`: tenant settings with auth0-deploy-cli.
 *
 *   apply <env>   import tenants/ into the tenant, then verify by reading it back
 *   drift <env>   export the tenant and report, field by field, where it differs from tenants/
 *                 and from the contract; exit 1 on drift
 *
 * Environment: AUTH0_DOMAIN (host only), AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET of a client with
 * the Management API scopes the CLI needs (read/update tenant settings, branding, connections,
 * email templates; read clients and client grants for the checks).
 * `--local`: the local tenant of `npm run dev` instead, with its bootstrap client
 * (`.astral/tenants/<env>/bootstrap.json`) and the local CA.
 */
import { parseArgs } from "node:util";
import { DEFAULT_TENANTS_DIR } from "../../emulator/src/paths";
import { relaunchWithLocalCa } from "../../emulator/src/relaunch";
import { readBootstrap } from "../../emulator/src/seed";
import { runCli, UsageError } from "../lib/cli";
import { formatDifferences } from "./compare";
import { parseEnvironment } from "./desired";
import { applyTenant, driftTenant } from "./tenant";

const USAGE = "usage: tenant apply|drift <sandbox|production> [--local]";

async function main(): Promise<number | undefined> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { local: { type: "boolean", default: false } },
  });
  const [command, env] = positionals;
  if (command !== "apply" && command !== "drift") throw new UsageError(USAGE);
  const environment = parseEnvironment(env);
  if (values.local) {
    // The local tenants' HTTPS needs the local CA, which Node reads only at start.
    if (relaunchWithLocalCa()) return new Promise<undefined>(() => {});
    const boot = readBootstrap(DEFAULT_TENANTS_DIR, environment);
    process.env.AUTH0_DOMAIN = new URL(boot.audience).host;
    process.env.AUTH0_CLIENT_ID = boot.clientId;
    process.env.AUTH0_CLIENT_SECRET = boot.clientSecret;
  }
  const {
    AUTH0_DOMAIN: domain,
    AUTH0_CLIENT_ID: clientId,
    AUTH0_CLIENT_SECRET: clientSecret,
  } = process.env;
  const missing = Object.entries({
    AUTH0_DOMAIN: domain,
    AUTH0_CLIENT_ID: clientId,
    AUTH0_CLIENT_SECRET: clientSecret,
  })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) throw new UsageError(`${missing.join(", ")} must be set`);
  if (/^https?:\/\//.test(domain as string))
    throw new UsageError("AUTH0_DOMAIN must be a host only, without https://");
  const credentials = {
    domain: domain as string,
    clientId: clientId as string,
    clientSecret: clientSecret as string,
  };

  if (command === "apply") {
    await applyTenant({ environment, credentials });
    console.log(`${environment} tenant (${domain}) matches tenants/ after import`);
    return 0;
  }
  const differences = await driftTenant({ environment, credentials });
  if (differences.length === 0) {
    console.log(
      `no drift: the ${environment} tenant (${domain}) matches tenants/ and the contract`,
    );
    return 0;
  }
  console.log(`drift in the ${environment} tenant (${domain}), ${differences.length} field(s):`);
  console.log(formatDifferences(differences));
  return 1;
}

runCli(main);
