/**
 * The portal's environment, read by the names in the contract (`PORTAL_ENV`). Each tenant's
 * Management API access is optional on its own (a sandbox or preview stack only gets sandbox's),
 * but half a set is an error, reported by variable name.
 */
import { ENVIRONMENTS, type Environment, PORTAL_ENV } from "@astral/contract";
import { localTenantsProblems } from "./local-tenants";

export interface ManagementAccess {
  environment: Environment;
  domain: string;
  clientId: string;
  clientSecret: string;
}

export class PortalEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Portal environment is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PortalEnvError";
  }
}

/** The only value of PORTAL_ENV.login.plainHttpPreview (what the preview stack sets). */
export const PLAIN_HTTP_PREVIEW = "no-domain";

const DOMAIN = /^[a-z0-9.-]+(:\d{1,5})?$/i;

/** Management access per environment that has its three variables set. */
export function readManagementAccess(
  env: Record<string, string | undefined> = process.env,
): Partial<Record<Environment, ManagementAccess>> {
  const problems: string[] = [];
  const result: Partial<Record<Environment, ManagementAccess>> = {};
  for (const environment of ENVIRONMENTS) {
    const names = PORTAL_ENV.management[environment];
    const values = {
      domain: env[names.domain],
      clientId: env[names.clientId],
      clientSecret: env[names.clientSecret],
    };
    const set = Object.entries(values).filter(([, v]) => v);
    if (set.length === 0) continue;
    for (const [key, value] of Object.entries(values))
      if (!value) problems.push(`${names[key as keyof typeof names]} is missing`);
    if (values.domain && !DOMAIN.test(values.domain))
      problems.push(`${names.domain} must be a host only, without protocol or slashes`);
    if (problems.length === 0)
      result[environment] = { environment, ...(values as Omit<ManagementAccess, "environment">) };
  }
  if (problems.length) throw new PortalEnvError(problems);
  if (Object.keys(result).length === 0)
    throw new PortalEnvError([
      `set ${PORTAL_ENV.management.production.domain}|_ID|_SECRET or ${PORTAL_ENV.management.sandbox.domain}|_ID|_SECRET`,
    ]);
  return result;
}

/** The login variables `@auth0/nextjs-auth0` reads; reported by name when missing. */
export function checkLoginEnv(env: Record<string, string | undefined> = process.env): void {
  const l = PORTAL_ENV.login;
  const problems = [l.domain, l.clientId, l.clientSecret, l.sessionSecret, l.baseUrl]
    .filter((name) => !env[name])
    .map((name) => `${name} is missing`);
  const secret = env[l.sessionSecret];
  if (secret && secret.length < 32)
    problems.push(`${l.sessionSecret} must be at least 32 characters`);
  // Session cookies are Secure only when the portal is served over https (lib/auth0.ts): a
  // production portal on a plain-http base URL would send the session in clear. The one
  // exception is explicit: a throwaway preview stack without a domain (its ALB has no
  // certificate) sets ASTRAL_PLAIN_HTTP_PREVIEW=no-domain, which the CrossGuard policy allows
  // only on a task definition tagged as that preview, never on sandbox or production.
  const baseUrl = env[l.baseUrl];
  const plainHttpPreview = env[l.plainHttpPreview];
  if (plainHttpPreview !== undefined && plainHttpPreview !== PLAIN_HTTP_PREVIEW)
    problems.push(`${l.plainHttpPreview} must be "${PLAIN_HTTP_PREVIEW}" when set`);
  if (
    baseUrl &&
    env.NODE_ENV === "production" &&
    !baseUrl.startsWith("https://") &&
    !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(baseUrl) &&
    !(plainHttpPreview === PLAIN_HTTP_PREVIEW && baseUrl.startsWith("http://"))
  )
    problems.push(
      `${l.baseUrl} must be an https:// URL in production (a preview stack without a domain sets ${l.plainHttpPreview}=${PLAIN_HTTP_PREVIEW})`,
    );
  problems.push(...localTenantsProblems(env));
  if (problems.length) throw new PortalEnvError(problems);
}

/**
 * The tenant that holds team records and the portal's users: production when this portal has
 * production access, else sandbox (a sandbox or preview stack logs users into sandbox).
 */
export function homeEnvironment(
  access: Partial<Record<Environment, ManagementAccess>>,
): Environment {
  return access.production ? "production" : "sandbox";
}
