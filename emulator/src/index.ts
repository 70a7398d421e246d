/**
 * Local Auth0 tenants: `production` and `sandbox`, each on its own loopback port (HTTPS with a
 * local CA, plain HTTP for the browser), state persisted under `stateDir/<tenant>/`.
 */
import path from "node:path";
import { ensureLocalCa } from "./ca";
import type { RateLimitProfileName } from "./control";
import type { EntityPlanName } from "./management/entity-limits";
import { OpenApi } from "./openapi";
import { DEFAULT_TENANTS_DIR } from "./paths";
import type { Auth0Plan } from "./plans";
import { listenDual } from "./server";
import { Tenant, type TenantHandle } from "./tenant";

export { ensureLocalCa, type LocalCa } from "./ca";
export {
  type Fault,
  RATE_LIMIT_PROFILES,
  type RateLimit,
  type RateLimitProfileName,
} from "./control";
export { DEFAULT_CA_DIR, DEFAULT_TENANTS_DIR } from "./paths";
export { relaunchWithLocalCa } from "./relaunch";
export { readBootstrap, type SeedOptions, type SeedResult, seedTenants } from "./seed";
export {
  BOOTSTRAP_FILE,
  type BootstrapCredentials,
  DEFAULT_SEARCH_LAG_MS,
  Tenant,
  type TenantHandle,
} from "./tenant";

export const TENANT_NAMES = ["production", "sandbox"] as const;
export type TenantName = (typeof TENANT_NAMES)[number];

export interface StartOptions {
  /** Folder holding one state folder per tenant (default `<repo>/.astral/tenants`). */
  stateDir?: string;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: { production?: number; sandbox?: number };
  /**
   * Host names the tenants are reached by (default `localhost`): one that resolves to 127.0.0.1
   * and that the server certificate covers (`*.tenants.test`, see ca.ts), e.g. in the image test.
   */
  hosts?: { production?: string; sandbox?: string };
  /** Folder of the local CA (default `<repo>/.astral/ca`). */
  caDir?: string;
  /**
   * How long writes take to reach searches, in ms (rule `consistency.search-lag`; default
   * `DEFAULT_SEARCH_LAG_MS`, 0 turns the lag off).
   */
  searchLagMs?: number;
  /** How long a rotated secret takes to work, in ms (rule `clients.rotate.delay`; default 1000). */
  rotationDelayMs?: number;
  /** Rate-limit profile of both tenants (rule `ratelimit.profiles`; default `test`). */
  rateLimitProfile?: RateLimitProfileName;
  /** Entity limits of both tenants by Auth0 plan (rule `entities.plan`; default `unlimited`). */
  entityPlan?: EntityPlanName;
  /**
   * Auth0 plan of both tenants (emulator/src/plans.ts): features, and the defaults of
   * `rateLimitProfile` and `entityPlan`. Default: Enterprise features, `test` limits.
   */
  plan?: Auth0Plan;
}

export interface RunningTenants {
  tenants: Record<TenantName, TenantHandle>;
  /** The live tenants, for test control (reset, rate limits, faults). */
  live: Record<TenantName, Tenant>;
  /** Stops both listeners and writes pending state. */
  close(): Promise<void>;
}

let sharedOpenApi: OpenApi | undefined;

export async function startTenants(opts: StartOptions = {}): Promise<RunningTenants> {
  const stateDir = opts.stateDir ?? DEFAULT_TENANTS_DIR;
  const ca = ensureLocalCa(opts.caDir);
  sharedOpenApi ??= new OpenApi();
  const openApi = sharedOpenApi;
  const live = {} as Record<TenantName, Tenant>;
  const closers: Array<() => Promise<void>> = [];
  try {
    for (const name of TENANT_NAMES) {
      const tenant = new Tenant(name, path.join(stateDir, name), openApi, {
        searchLagMs: opts.searchLagMs,
        rateLimitProfile: opts.rateLimitProfile,
        rotationDelayMs: opts.rotationDelayMs,
        entityPlan: opts.entityPlan,
        plan: opts.plan,
      });
      const port = opts.ports?.[name] ?? 0;
      const server = await listenDual(
        { port, keyPath: ca.serverKeyPath, certPath: ca.serverCertPath },
        (req, res) => void tenant.handle(req, res),
      ).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EADDRINUSE") throw err;
        throw new Error(
          `port ${port} for the ${name} tenant is in use (local tenants already running?)`,
        );
      });
      closers.push(async () => {
        await server.close();
        tenant.store.flush();
      });
      await tenant.bind(server.port, opts.hosts?.[name]);
      live[name] = tenant;
    }
  } catch (err) {
    await Promise.all(closers.map((c) => c()));
    throw err;
  }
  const handle = (t: Tenant): TenantHandle => ({
    name: t.name,
    domain: t.domain,
    baseUrl: t.baseUrl,
    issuer: t.issuer,
    stateDir: t.stateDir,
  });
  return {
    tenants: { production: handle(live.production), sandbox: handle(live.sandbox) },
    live,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
