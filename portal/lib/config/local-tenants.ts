/**
 * Local-tenants mode: the production build (`next build` + the standalone server) signing users
 * in against the local tenants, which listen on localhost with a port. `@auth0/nextjs-auth0`
 * refuses such a domain ("Domain cannot contain ports") unless `allowInsecureRequests` is set,
 * which `lib/auth0.ts` does for a local domain under `next dev`, and under a production build
 * only when this mode is asked for by name. The load benchmark and the browser tests use it; the
 * portal image refuses it (`portal/Dockerfile` sets IN_IMAGE_ENV), so no deployment can relax the
 * SDK's checks by a stray variable.
 */
import { PORTAL_ENV } from "@astral/contract";

/** `ASTRAL_LOCAL_TENANTS=1` asks for the mode (the only value). */
export const LOCAL_TENANTS_ENV = "ASTRAL_LOCAL_TENANTS";
/** Set by the portal image: its portal talks to real Auth0 tenants only. */
export const IN_IMAGE_ENV = "ASTRAL_IMAGE";

const LOCAL_DOMAIN = /^(localhost|127\.0\.0\.1)(:\d+)?$/;

type Env = Record<string, string | undefined>;

/** Whether the login domain is a local tenant (localhost or 127.0.0.1, any port). */
export function isLocalDomain(domain: string | undefined): boolean {
  return LOCAL_DOMAIN.test(domain ?? "");
}

/** Whether the login client may reach a local tenant (its relaxed checks): see the file comment. */
export function signsInToLocalTenants(env: Env = process.env): boolean {
  return (
    isLocalDomain(env[PORTAL_ENV.login.domain]) &&
    (env.NODE_ENV !== "production" || env[LOCAL_TENANTS_ENV] === "1")
  );
}

/** What is wrong with the mode's settings, each named; empty when nothing is. */
export function localTenantsProblems(env: Env = process.env): string[] {
  const mode = env[LOCAL_TENANTS_ENV];
  const domain = env[PORTAL_ENV.login.domain];
  const problems: string[] = [];
  if (mode !== undefined && mode !== "1")
    problems.push(`${LOCAL_TENANTS_ENV} must be "1" when set`);
  if (mode !== undefined && env[IN_IMAGE_ENV])
    problems.push(
      `${LOCAL_TENANTS_ENV} is refused in the portal image: the image signs in against real Auth0 tenants only`,
    );
  else if (mode === "1" && domain && !isLocalDomain(domain))
    problems.push(
      `${LOCAL_TENANTS_ENV}=1 is for the local tenants: ${PORTAL_ENV.login.domain} must be localhost or 127.0.0.1 (with a port), not ${domain}`,
    );
  if (env.NODE_ENV === "production" && mode === undefined && isLocalDomain(domain))
    problems.push(
      `${PORTAL_ENV.login.domain} ${domain} is a local tenant: the production build signs in against one only with ${LOCAL_TENANTS_ENV}=1 (refused in the portal image)`,
    );
  return problems;
}
