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
 */
import { runCli, UsageError } from "../lib/cli";
import { formatDifferences } from "./compare";
import { parseEnvironment } from "./desired";
import { applyTenant, driftTenant } from "./tenant";

const USAGE = "usage: tenant apply|drift <sandbox|production>";

async function main(): Promise<number> {
  const [command, env] = process.argv.slice(2);
  if (command !== "apply" && command !== "drift") throw new UsageError(USAGE);
  const environment = parseEnvironment(env);
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
