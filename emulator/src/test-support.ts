/**
 * For integration tests: both tenants on random ports with a temporary state folder, seeded
 * through the Management API, plus run-time control (reset, rate limits, faults).
 * Node must trust the local CA: `npm test` sets `NODE_EXTRA_CA_CERTS` before vitest starts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { stopWhenFileEnds } from "../../tests/support/stop-later";
import { ensureLocalCa } from "./ca";
import { CONFORMANCE_DIR_ENV, ConformanceRecorder } from "./conformance/record";
import {
  type Fault,
  RATE_LIMIT_PROFILES,
  type RateLimit,
  type RateLimitProfileName,
} from "./control";
import {
  type RunningTenants,
  type StartOptions,
  startTenants,
  TENANT_NAMES,
  type TenantName,
} from "./index";
import type { EntityPlanName } from "./management/entity-limits";
import { REPO_ROOT } from "./paths";
import type { Auth0Plan } from "./plans";
import { type SeedOptions, type SeedResult, seedTenants } from "./seed";

export interface TenantsControl {
  /** Clears one tenant's (or both tenants') state, then seeds again; returns the new seed. */
  reset(tenant?: TenantName): Promise<SeedResult>;
  /** Auth0-style rate limiting (429 + `x-ratelimit-*`); `undefined` turns it off. */
  setRateLimit(tenant: TenantName, limit: RateLimit | undefined): void;
  /** Replaces the tenant's injected faults; `[]` clears them. */
  setFaults(tenant: TenantName, faults: Fault[]): void;
  /** Turns off rate limits and faults everywhere (the search lag stays). */
  clear(): void;
  /** How long writes take to reach searches on both tenants, in ms (0: at once). */
  setSearchLag(ms: number): void;
  /** How long a rotated secret takes to work on both tenants, in ms (0: at once). */
  setRotationDelay(ms: number): void;
  /** The tenant's Auth0 rate-limit configuration (default `test`; survives `clear()`). */
  setRateLimitProfile(tenant: TenantName, profile: RateLimitProfileName): void;
  /** The tenant's Auth0 entity limits by plan (default `unlimited`; survives `clear()`). */
  setEntityPlan(tenant: TenantName, plan: EntityPlanName): void;
  /**
   * The tenant's Auth0 plan: its features, rate limits and entity limits (emulator/src/plans.ts;
   * default: Enterprise features, `test` rate limits, no entity limits; survives `clear()`).
   */
  setPlan(tenant: TenantName, plan: Auth0Plan): void;
}

export interface SeededTenants {
  tenants: RunningTenants["tenants"];
  seed: SeedResult;
  control: TenantsControl;
  stateDir: string;
  /**
   * Stops the tenants and deletes the temporary state (once; it also happens by itself when the
   * test file ends, tests/support/stop-later.ts).
   */
  close(): Promise<void>;
}

/** Seed options, fixed ports and host names for the tenants (see `StartOptions`), and more. */
export interface SeededTenantsOptions extends SeedOptions, Pick<StartOptions, "ports" | "hosts"> {
  /**
   * How long writes take to reach searches, in ms (rule `consistency.search-lag`). Default
   * `DEFAULT_SEARCH_LAG_MS`: on, so a read-your-writes bug fails a test. Tests that are not
   * about searches may pass 0.
   */
  searchLagMs?: number;
  /**
   * Record the Management API requests for the conformance check (when `npm test` sets
   * `ASTRAL_CONFORMANCE_DIR`). Default: on, except for the emulator's own tests, which send
   * requests Auth0 would reject on purpose.
   */
  recordConformance?: boolean;
  /** How long a rotated secret takes to work, in ms (rule `clients.rotate.delay`; default 1000). */
  rotationDelayMs?: number;
}

/** The running test file, relative to the repository (vitest knows it). */
function currentTestFile(): string {
  const file = expect.getState().testPath ?? "";
  return file ? path.relative(REPO_ROOT, file) : "unknown";
}

export async function startSeededTenants(opts: SeededTenantsOptions = {}): Promise<SeededTenants> {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS !== caCertPath) {
    throw new Error(
      `this process does not trust the local CA: run tests with \`npm test [-- <files>]\`, or start ` +
        `vitest with NODE_EXTRA_CA_CERTS=${caCertPath}`,
    );
  }
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(os.tmpdir(), "astral-tenants-"));
  const running = await startTenants({
    stateDir,
    ports: opts.ports,
    hosts: opts.hosts,
    searchLagMs: opts.searchLagMs,
    rotationDelayMs: opts.rotationDelayMs,
  });
  const conformanceDir = process.env[CONFORMANCE_DIR_ENV];
  if (conformanceDir) {
    const source = currentTestFile();
    if (opts.recordConformance ?? !source.startsWith("emulator/")) {
      const recorder = new ConformanceRecorder(conformanceDir, source);
      for (const name of TENANT_NAMES) running.live[name].recorder = recorder;
    }
  }
  const seedOpts = { ...opts, stateDir };
  // Stopped when the test file ends even if the caller never gets here (a timed-out beforeAll);
  // once only, however often it is called (tests/support/stop-later.ts).
  const close = stopWhenFileEnds(async () => {
    await running.close();
    if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
  });
  let seed: SeedResult;
  try {
    seed = await seedTenants(running.tenants, seedOpts);
  } catch (err) {
    await close(); // leave nothing running or on disk behind a failed start
    throw err;
  }
  const result: SeededTenants = {
    tenants: running.tenants,
    seed,
    stateDir,
    control: {
      reset: async (tenant) => {
        for (const name of tenant ? [tenant] : TENANT_NAMES) await running.live[name].reset();
        result.seed = await seedTenants(running.tenants, seedOpts);
        return result.seed;
      },
      setRateLimit: (tenant, limit) => running.live[tenant].control.setRateLimit(limit),
      setFaults: (tenant, faults) => running.live[tenant].control.setFaults(faults),
      clear: () => {
        for (const name of TENANT_NAMES) running.live[name].control.clear();
      },
      setRateLimitProfile: (tenant, profile) =>
        running.live[tenant].control.setProfile(RATE_LIMIT_PROFILES[profile]),
      setEntityPlan: (tenant, plan) => {
        running.live[tenant].store.entityPlan = plan;
      },
      setPlan: (tenant, plan) => running.live[tenant].setPlan(plan),
      setRotationDelay: (ms) => {
        for (const name of TENANT_NAMES) running.live[name].store.rotationDelayMs = ms;
      },
      setSearchLag: (ms) => {
        for (const name of TENANT_NAMES) running.live[name].store.setSearchLag(ms);
      },
    },
    close,
  };
  return result;
}
