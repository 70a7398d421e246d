/**
 * The local tenants for the benchmark, started without vitest (emulator/test-support reads
 * vitest's state for its conformance recording, which a plain script cannot load): the same
 * SeededTenants shape over `startTenants` + `seedTenants`, with a temporary state folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  RATE_LIMIT_PROFILES,
  seedTenants,
  startTenants,
  TENANT_NAMES,
} from "../../../emulator/src/index";
import type { SeededTenants } from "../../../emulator/test-support";

export async function startBenchTenants(): Promise<SeededTenants> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "astral-bench-"));
  const running = await startTenants({ stateDir });
  const seed = await seedTenants(running.tenants, { stateDir });
  const each = (f: (name: (typeof TENANT_NAMES)[number]) => void) => TENANT_NAMES.forEach(f);
  return {
    tenants: running.tenants,
    seed,
    stateDir,
    control: {
      reset: () => Promise.reject(new Error("not used by the benchmark")),
      setRateLimit: (tenant, limit) => running.live[tenant].control.setRateLimit(limit),
      setFaults: (tenant, faults) => running.live[tenant].control.setFaults(faults),
      clear: () => each((name) => running.live[name].control.clear()),
      setRateLimitProfile: (tenant, profile) =>
        running.live[tenant].control.setProfile(RATE_LIMIT_PROFILES[profile]),
      setEntityPlan: (tenant, plan) => {
        running.live[tenant].store.entityPlan = plan;
      },
      setPlan: (tenant, plan) => running.live[tenant].setPlan(plan),
      setSearchLag: (ms) => each((name) => running.live[name].store.setSearchLag(ms)),
      setRotationDelay: (ms) =>
        each((name) => {
          running.live[name].store.rotationDelayMs = ms;
        }),
    },
    close: async () => {
      await running.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
