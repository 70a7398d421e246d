/**
 * `npm run dev`: the two local Auth0 tenants on fixed ports, state in `.astral/tenants/`, seeded
 * through their Management API. `npm run dev -- --reset` starts from empty state;
 * `npm run dev -- --plan <free|essentials|professional|enterprise>` picks the tenants' Auth0 plan
 * (default free); `npm run tenants:reset` only clears the state.
 *
 * `startAndSeed()` is the piece to build on (the portal adds its `.env.local` and Next.js).
 */
import { rmSync } from "node:fs";
import { type CredentialKind, ENVIRONMENTS, type Environment } from "@astral/contract";
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
import { AUTH0_PLANS, type Auth0Plan, PLANS, planNamed } from "../emulator/src/plans";
import { relaunchWithLocalCa } from "../emulator/src/relaunch";
import { offeredKindsOf, planProblem } from "../portal/lib/config/offer";
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

/**
 * `--plan <name>` (or `--plan=<name>`): the tenants' Auth0 plan, default `free`. A name that is
 * not a plan stops the start, naming the plans.
 */
export function planFromArgs(argv: readonly string[]): Auth0Plan {
  const i = argv.findIndex((a) => a === "--plan" || a.startsWith("--plan="));
  if (i < 0) return "free";
  const arg = argv[i] ?? "";
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[i + 1];
  if (value === undefined || value.startsWith("--"))
    throw new Error(`--plan needs a name: one of ${AUTH0_PLANS.join(", ")}`);
  return planNamed(value, "--plan");
}

/**
 * Refuses a plan that cannot serve what portal.config.js offers (the stack config's check, for
 * the local tenants): on Free the portal must never offer a kind the tenant refuses.
 */
export function checkPlanServesOffer(
  plan: Auth0Plan,
  offer: Record<Environment, CredentialKind[]>,
): void {
  const problems = ENVIRONMENTS.map((env) => planProblem(plan, env, offer[env], "--plan")).filter(
    (p): p is string => p !== undefined,
  );
  if (problems.length) throw new Error(problems.join("\n"));
}

/**
 * Ensures the CA, starts both tenants on their fixed ports, on `plan` (default `free`), and seeds
 * them with the grant portal.config.js's offer needs.
 */
export async function startAndSeed(
  opts: { reset?: boolean; plan?: Auth0Plan; seed?: Omit<SeedOptions, "stateDir"> } = {},
): Promise<DevTenants> {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS !== caCertPath) {
    throw new Error(`NODE_EXTRA_CA_CERTS must be ${caCertPath} when this process starts`);
  }
  const plan = opts.plan ?? "free";
  const offer = offeredKindsOf();
  checkPlanServesOffer(plan, offer);
  if (opts.reset) rmSync(DEFAULT_TENANTS_DIR, { recursive: true, force: true });
  const running = await startTenants({
    stateDir: DEFAULT_TENANTS_DIR,
    ports: DEV_PORTS,
    // Searches lag writes as Auth0's do (ASTRAL_EMULATOR_SEARCH_LAG_MS, default 1000; 0: off).
    searchLagMs: searchLagFromEnv(),
    // The plan brings its features, rate limits and entity limits (emulator/src/plans.ts); on
    // Free, 10 applications leave room for about seven teams and credentials.
    // ASTRAL_EMULATOR_RATE_LIMIT_PROFILE and ASTRAL_EMULATOR_ENTITY_PLAN override the limits.
    plan,
    rateLimitProfile: rateLimitProfileFromEnv(PLANS[plan].rateLimitProfile),
    entityPlan: entityPlanFromEnv(PLANS[plan].entityPlan),
  });
  const seed = await seedTenants(running.tenants, {
    credentialKinds: offer,
    ...opts.seed,
    stateDir: DEFAULT_TENANTS_DIR,
  });
  return { running, seed, caCertPath };
}

/** What was started and made; the admin's password is a local account's, the secrets stay out. */
export function describe({ running, seed, caCertPath }: DevTenants): string {
  const { production, sandbox } = running.tenants;
  return [
    `Local Auth0 tenants are up (Auth0 plan: ${running.live.production.plan}):`,
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
  const dev = await startAndSeed({
    reset: process.argv.includes("--reset"),
    plan: planFromArgs(process.argv.slice(2)),
  });
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
