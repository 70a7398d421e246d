/**
 * The benchmark's local tenants and people: both tenants on the chosen Auth0 plan with search lag
 * on, `teams` team records and `users` members spread over them, as the portal itself writes them
 * (a team record is a grant-less client whose `client_metadata` is the contract's TeamMetadata; a
 * member carries `app_metadata.teamId`), plus the seeded portal admin. Seeding is setup, not
 * measured: it runs under the tenants' test limits, then the plan's limits are switched on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Auth0Plan, CLIENT_KINDS, type TeamMetadata } from "@astral/contract";
import { ManagementClient } from "auth0";
import {
  RATE_LIMIT_PROFILES,
  readBootstrap,
  type SeedResult,
  seedTenants,
  startTenants,
  TENANT_NAMES,
  type TenantName,
} from "../../../emulator/src/index";
import { PLANS } from "../../../emulator/src/plans";
import { CallCounter } from "./calls";

export const BENCH_PASSWORD = "Bench-Load-Password-2026!";

export interface BenchUser {
  email: string;
  password: string;
  teamId?: string;
  admin?: true;
}

export interface Population {
  seed: SeedResult;
  users: BenchUser[];
  /** The Management API requests each tenant answered. */
  counters: Record<TenantName, CallCounter>;
  /** Refills both tenants' rate-limit buckets: each phase starts as a quiet tenant would. */
  restartLimits(): void;
  /** The plan's Management API limit in requests per second (the binding one). */
  limitPerSecond: number;
  close(): Promise<void>;
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size)
    await Promise.all(items.slice(i, i + size).map(work));
}

export async function populate(opts: {
  users: number;
  teams: number;
  plan: Auth0Plan;
  callbackUrl: string;
  logoutUrl: string;
}): Promise<Population> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "astral-bench-load-"));
  const running = await startTenants({ stateDir, plan: opts.plan });
  const close = async () => {
    await running.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const seed = await seedTenants(running.tenants, {
      stateDir,
      callbackUrl: opts.callbackUrl,
      logoutUrl: opts.logoutUrl,
    });
    for (const name of TENANT_NAMES)
      running.live[name].control.setProfile(RATE_LIMIT_PROFILES.test);
    const root = new ManagementClient({
      domain: running.tenants.production.domain,
      ...readBootstrap(stateDir, "production"),
    });
    const users: BenchUser[] = Array.from({ length: opts.users }, (_, i) => ({
      email: `user${i}@bench-load.test`,
      password: BENCH_PASSWORD,
    }));
    const created = await Promise.all(
      users.slice(0, opts.teams).map((owner) =>
        root.users.create({
          connection: "Username-Password-Authentication",
          email: owner.email,
          password: owner.password,
          email_verified: true,
        }),
      ),
    );
    const teamIds: string[] = [];
    await inBatches(created, 8, async (owner) => {
      const i = created.indexOf(owner);
      const metadata: TeamMetadata = {
        astral: CLIENT_KINDS.team,
        teamName: `Load team ${i + 1}`,
        createdBy: owner.user_id as string,
        createdAt: new Date().toISOString(),
      };
      const team = await root.clients.create({
        name: `Team: Load team ${i + 1}`,
        description: "Astral portal team record. It has no grant types and cannot get tokens.",
        app_type: "non_interactive",
        grant_types: [],
        client_metadata: metadata,
      });
      teamIds[i] = team.client_id as string;
      await root.users.update(owner.user_id as string, {
        app_metadata: { teamId: team.client_id },
      });
    });
    users.forEach((u, i) => {
      u.teamId = teamIds[i % opts.teams] as string;
    });
    await inBatches(users.slice(opts.teams), 8, async (u) => {
      await root.users.create({
        connection: "Username-Password-Authentication",
        email: u.email,
        password: u.password,
        email_verified: true,
        app_metadata: { teamId: u.teamId },
      });
    });
    const admin: BenchUser = { ...seed.production.admin, admin: true };
    const counters = {} as Record<TenantName, CallCounter>;
    for (const name of TENANT_NAMES) {
      counters[name] = new CallCounter(stateDir, `bench:load ${name}`);
      running.live[name].recorder = counters[name];
    }
    const restartLimits = () => {
      for (const name of TENANT_NAMES) running.live[name].setPlan(opts.plan);
    };
    restartLimits();
    const profile = RATE_LIMIT_PROFILES[PLANS[opts.plan].rateLimitProfile];
    const limitPerSecond = "global" in profile ? profile.global.perSecond : profile.perSecond;
    return { seed, users: [...users, admin], counters, restartLimits, limitPerSecond, close };
  } catch (error) {
    await close();
    throw error;
  }
}
