/**
 * `npm run dev`: the two local Auth0 tenants on fixed ports, state in `.astral/tenants/`, seeded
 * through their Management API. `npm run dev -- --reset` starts from empty state.
 *
 * `startAndSeed()` is the piece to build on (the portal adds its `.env.local` and Next.js).
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import {
  DEFAULT_TENANTS_DIR,
  ensureLocalCa,
  type RunningTenants,
  type SeedResult,
  seedTenants,
  startTenants,
} from "../emulator/src/index";
import { startPortal } from "./dev-portal";

export const DEV_PORTS = { production: 4001, sandbox: 4002 } as const;

export interface DevTenants {
  running: RunningTenants;
  seed: SeedResult;
  caCertPath: string;
}

/** Ensures the CA, starts both tenants on their fixed ports and seeds them. */
export async function startAndSeed(opts: { reset?: boolean } = {}): Promise<DevTenants> {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS !== caCertPath) {
    throw new Error(`NODE_EXTRA_CA_CERTS must be ${caCertPath} when this process starts`);
  }
  if (opts.reset) rmSync(DEFAULT_TENANTS_DIR, { recursive: true, force: true });
  const running = await startTenants({ stateDir: DEFAULT_TENANTS_DIR, ports: DEV_PORTS });
  const seed = await seedTenants(running.tenants, { stateDir: DEFAULT_TENANTS_DIR });
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

/**
 * Node reads NODE_EXTRA_CA_CERTS only when it starts: without it, run this script again as a
 * child with it set (the seed and anything started from here then trust the local CA).
 */
function relaunchWithCa(): boolean {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS === caCertPath) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

async function main(): Promise<void> {
  if (relaunchWithCa()) return;
  const dev = await startAndSeed({ reset: process.argv.includes("--reset") });
  console.log(describe(dev));
  // The portal on :3000 (skip with --no-portal); see scripts/dev-portal.ts.
  const portal = process.argv.includes("--no-portal") ? undefined : startPortal(dev);
  portal?.on("exit", (code) => {
    void dev.running.close().then(() => process.exit(code ?? 0));
  });
  const stop = () => {
    portal?.kill("SIGTERM");
    void dev.running.close().then(() => process.exit(0));
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
