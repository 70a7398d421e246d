/**
 * The portal's environment for the local tenants, by the contract's names: what `npm run dev`
 * writes to portal/.env.local and what the browser test gives `next dev`. In AWS the same names
 * come from the ECS task definition (secrets from Secrets Manager).
 */
import { type Auth0Plan, PORTAL_ENV } from "@astral/contract";

/**
 * `PORTAL_SEARCH_LAG_MS` (optional): how far the tenants' search may lag writes, when it is known
 * (the local tenants). Unset (real Auth0): the portal's default (ADR 0600).
 */
export const SEARCH_LAG_ENV = "PORTAL_SEARCH_LAG_MS";
const SEARCH_LAG_MARGIN_MS = 500;

export interface LocalSeed {
  production: {
    domain: string;
    backend: { clientId: string; clientSecret: string };
    login: { clientId: string; clientSecret: string };
  };
  sandbox: { domain: string; backend: { clientId: string; clientSecret: string } };
}

export function localPortalEnv(
  seed: LocalSeed,
  opts: {
    baseUrl: string;
    sessionSecret: string;
    caCertPath: string;
    auditLogFile?: string;
    /** The local tenants' search lag (ms): the portal waits this plus a margin (ADR 0600). */
    searchLagMs?: number;
    /** The local tenants' plan, whose rate the portal keeps to (default: startTenants' enterprise). */
    auth0Plan?: Auth0Plan;
  },
): Record<string, string> {
  const env: Record<string, string> = {
    [PORTAL_ENV.login.domain]: seed.production.domain,
    [PORTAL_ENV.login.clientId]: seed.production.login.clientId,
    [PORTAL_ENV.login.clientSecret]: seed.production.login.clientSecret,
    [PORTAL_ENV.login.sessionSecret]: opts.sessionSecret,
    [PORTAL_ENV.login.baseUrl]: opts.baseUrl,
    // The printed curl trusts the local CA, so it works as shown.
    PORTAL_CURL_CA_FILE: opts.caCertPath,
  };
  for (const environment of ["production", "sandbox"] as const) {
    const names = PORTAL_ENV.management[environment];
    env[names.domain] = seed[environment].domain;
    env[names.clientId] = seed[environment].backend.clientId;
    env[names.clientSecret] = seed[environment].backend.clientSecret;
  }
  // One local portal process: it has the tenants' whole rate to itself.
  for (const environment of ["production", "sandbox"] as const) {
    env[PORTAL_ENV.rate[environment].plan] = opts.auth0Plan ?? "enterprise";
    env[PORTAL_ENV.rate[environment].tasks] = "1";
  }
  if (opts.auditLogFile) env.AUDIT_LOG_FILE = opts.auditLogFile;
  if (opts.searchLagMs !== undefined)
    env[SEARCH_LAG_ENV] = String(opts.searchLagMs + SEARCH_LAG_MARGIN_MS);
  return env;
}

/** `.env` file text; values are quoted so secrets with special characters survive. */
export function toDotEnv(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n")}\n`;
}
