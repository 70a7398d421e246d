/**
 * `npm run dev`: the two local Auth0 tenants on fixed ports, state in `.astral/tenants/`, seeded
 * through their Management API. `npm run dev -- --reset` starts from empty state;
 * `npm run tenants:reset` only clears the state.
 *
 * `startAndSeed()` is the piece to build on (the portal adds its `.env.local` and Next.js).
 */
import { rmSync } from "node:fs";
import {
  entityPlanFromEnv,
  rateLimitProfileFromEnv,
  searchLagFromEnv,
} from "../emulator/src/env-options";
import {
  DEFAULT_TENANTS_DIR,
  ensureLocalCa,
  type RunningTenants,
  type SeedOptions,
  type SeedResult,
  seedTenants,
  startTenants,
} from "../emulator/src/index";
import { relaunchWithLocalCa } from "../emulator/src/relaunch";
import { type SampleApi, startSampleApi } from "../sample-api/server";
import { startPortal } from "./dev-portal";

export const DEV_PORTS = { production: 4001, sandbox: 4002 } as const;
/** The sample Example API; portal.config.js `apis` names http://localhost:4003 as its Sandbox. */
export const SAMPLE_API_PORT = 4003;

export interface DevTenants {
  running: RunningTenants;
  seed: SeedResult;
  caCertPath: string;
}

/** Ensures the CA, starts both tenants on their fixed ports and seeds them. */
export async function startAndSeed(
  opts: { reset?: boolean; seed?: Omit<SeedOptions, "stateDir"> } = {},
): Promise<DevTenants> {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS !== caCertPath) {
    throw new Error(`NODE_EXTRA_CA_CERTS must be ${caCertPath} when this process starts`);
  }
  if (opts.reset) rmSync(DEFAULT_TENANTS_DIR, { recursive: true, force: true });
  const running = await startTenants({
    stateDir: DEFAULT_TENANTS_DIR,
    ports: DEV_PORTS,
    // Searches lag writes as Auth0's do (ASTRAL_EMULATOR_SEARCH_LAG_MS, default 1000; 0: off).
    searchLagMs: searchLagFromEnv(),
    // Auth0's Free configuration (ASTRAL_EMULATOR_RATE_LIMIT_PROFILE picks another).
    rateLimitProfile: rateLimitProfileFromEnv("free"),
    // Self Service entity limits (100 applications, 100 APIs): every team and credential is an
    // application, and Free's 10 (the 2020 policy) leave room for about seven, too few to try the
    // portal; a portal for many API consumers runs on a paid tenant. Rate limits stay Free's.
    // ASTRAL_EMULATOR_ENTITY_PLAN=free shows Free's cap (decision 0100).
    entityPlan: entityPlanFromEnv("self-service"),
  });
  const seed = await seedTenants(running.tenants, { ...opts.seed, stateDir: DEFAULT_TENANTS_DIR });
  return { running, seed, caCertPath };
}

/** What was started and made; the admin's password is a local account's, the secrets stay out. */
export function describe({ running, seed, caCertPath }: DevTenants): string {
  const { production, sandbox } = running.tenants;
  return [
    "Local Auth0 tenants are up:",
    `  production  ${production.baseUrl}  (login pages also at http://${production.domain})`,
    `  sandbox     ${sandbox.baseUrl}  (login pages also at http://${sandbox.domain})`,
    `  local CA    ${caCertPath}  (Node: NODE_EXTRA_CA_CERTS=${caCertPath})`,
    "Seeded (through the Management API):",
    `  Astral Backend    production ${seed.production.backend.clientId}, sandbox ${seed.sandbox.backend.clientId}`,
    `  Example API       ${seed.production.exampleApi.identifier} (${seed.production.exampleApi.scopes.join(", ")})`,
    `  Portal login app  ${seed.production.login.clientId}`,
    `  Portal admin      ${seed.production.admin.email} / ${seed.production.admin.password}`,
    "Secrets are in .astral/tenants/ (git-ignored). Ctrl-C stops.",
  ].join("\n");
}

async function main(): Promise<void> {
  if (process.argv.includes("--reset-only")) {
    // `npm run tenants:reset`: forget both tenants' state (the CA stays).
    rmSync(DEFAULT_TENANTS_DIR, { recursive: true, force: true });
    console.log(`Cleared ${DEFAULT_TENANTS_DIR}`);
    return;
  }
  if (relaunchWithLocalCa()) return;
  const dev = await startAndSeed({ reset: process.argv.includes("--reset") });
  console.log(describe(dev));
  // The Example API that the portal's reference tries (sample-api/), checking Sandbox tokens.
  const sampleApi: SampleApi = await startSampleApi({
    tenantDomain: dev.running.tenants.sandbox.domain,
    audience: dev.seed.sandbox.exampleApi.identifier,
    port: SAMPLE_API_PORT,
  });
  console.log(`  Sample API        ${sampleApi.url} (reference: /reference/example in the portal)`);
  const closeAll = () => Promise.all([dev.running.close(), sampleApi.close()]);
  // The portal on :3000 (skip with --no-portal); see scripts/dev-portal.ts.
  const portal = process.argv.includes("--no-portal") ? undefined : startPortal(dev);
  portal?.on("exit", (code) => {
    void closeAll().then(() => process.exit(code ?? 0));
  });
  const stop = () => {
    portal?.kill("SIGTERM");
    void closeAll().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`npm run dev failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
