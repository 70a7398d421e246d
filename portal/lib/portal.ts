/**
 * The process-wide Portal: config loader, one Tenant per environment (one token cache each),
 * invite key, audit sink. Created on first use and kept on globalThis so that Next's module
 * reloading in development does not multiply token caches.
 */
import { ENVIRONMENTS, type Environment, PORTAL_ENV } from "@astral/contract";
import { homeEnvironment, readManagementAccess } from "./config/env";
import { loadPortalConfig } from "./config/load";
import { SEARCH_LAG_ENV } from "./config/local-env";
import { createAuditSink } from "./domain/audit";
import type { Portal } from "./domain/context";
import { deriveInviteKey } from "./domain/invites";
import { READ_POLICIES, taskRateFrom, tenantPlanFrom } from "./management/rate-plan";
import { Tenant, type TenantOptions } from "./management/tenant";

/** Auth0 documents no bound on its search lag; a minute is what the portal waits for it. */
export const DEFAULT_SEARCH_LAG_MS = 60_000;
/** "New secrets may be delayed up to thirty seconds while rotating."
 * (https://auth0.com/docs/get-started/applications/rotate-client-secret) */
export const AUTH0_ROTATION_DELAY_MS = 30_000;

/**
 * `ASTRAL_READ_CACHE_TTL_MS` (optional): how long Management reads are reused
 * (`TenantOptions.readCacheTtlMs`; 0 turns the read cache off). The load benchmark runs the
 * production build with and without the cache through it; unset, the default lifetimes.
 */
export const READ_CACHE_TTL_ENV = "ASTRAL_READ_CACHE_TTL_MS";

function millisecondsFrom(env: Record<string, string | undefined>, name: string) {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw.trim()))
    throw new Error(`${name} must be a whole number of milliseconds, not "${raw}"`);
  return Number(raw.trim());
}

export function createPortal(
  env: Record<string, string | undefined> = process.env,
  options: {
    tenant?: TenantOptions;
    configFile?: string;
    auditFile?: string;
    /** Tests and the local tenants: their index lag is known and short. */
    searchLagMs?: number;
    rotationDelayMs?: number;
  } = {},
): Portal {
  const access = readManagementAccess(env);
  const tenants: Partial<Record<Environment, Tenant>> = {};
  // Read even when a caller states the rate, so a bad value is reported wherever it is set.
  const rates = Object.fromEntries(ENVIRONMENTS.map((e) => [e, taskRateFrom(env, e)]));
  const readCacheTtlMs = millisecondsFrom(env, READ_CACHE_TTL_ENV);
  const searchLagMs =
    options.searchLagMs ?? millisecondsFrom(env, SEARCH_LAG_ENV) ?? DEFAULT_SEARCH_LAG_MS;
  for (const [environment, a] of Object.entries(access))
    tenants[environment as Environment] = new Tenant(a, {
      rate: rates[environment],
      searchLagMs,
      readPolicy: READ_POLICIES[tenantPlanFrom(env, environment as Environment)],
      ...(readCacheTtlMs === undefined ? {} : { readCacheTtlMs }),
      ...options.tenant,
    });
  const sessionSecret = env[PORTAL_ENV.login.sessionSecret];
  if (!sessionSecret) throw new Error(`${PORTAL_ENV.login.sessionSecret} is missing`);
  return {
    config: () => loadPortalConfig(options.configFile),
    tenants,
    home: homeEnvironment(access),
    inviteKey: deriveInviteKey(sessionSecret),
    audit: createAuditSink(options.auditFile ?? env.AUDIT_LOG_FILE),
    now: () => new Date(),
    searchLagMs,
    rotationDelayMs: options.rotationDelayMs ?? AUTH0_ROTATION_DELAY_MS,
  };
}

const globalKey = Symbol.for("astral.portal");
type Holder = { [globalKey]?: Portal };

export function portal(): Portal {
  const holder = globalThis as Holder;
  holder[globalKey] ??= createPortal();
  return holder[globalKey];
}
