/**
 * Which credential kinds each environment offers is decided in one place, portal.config.js
 * (`environments[].credentialKinds`), and everything else derives from it: the portal's offer,
 * the Astral Backend's grant (`backendScopes` in the contract), the plan check of the stack config
 * and of `npm run dev -- --plan`, and the tenant drift check (docs/decisions/0800).
 */
import path from "node:path";
import {
  type Auth0Plan,
  type CredentialKind,
  ENVIRONMENTS,
  type Environment,
  kindsRefusedOnPlan,
} from "@astral/contract";
import { loadPortalConfig } from "./load";
import type { PortalConfig } from "./schema";

/** The repository's portal.config.js (what the image ships and the stacks read). */
export const REPO_PORTAL_CONFIG = path.resolve(__dirname, "..", "..", "portal.config.js");

/** The kinds each environment offers; an environment the portal does not offer has none. */
export function offeredKinds(config: PortalConfig): Record<Environment, CredentialKind[]> {
  const out = {} as Record<Environment, CredentialKind[]>;
  for (const id of ENVIRONMENTS)
    out[id] = [...(config.environments.find((e) => e.id === id)?.credentialKinds ?? [])];
  return out;
}

/** `offeredKinds` of the repository's portal.config.js (or of `file`). */
export function offeredKindsOf(file = REPO_PORTAL_CONFIG): Record<Environment, CredentialKind[]> {
  return offeredKinds(loadPortalConfig(file));
}

/**
 * What is wrong when a tenant on `plan` must serve `kinds` for `environment`; `planKey` names
 * where the plan was set (`astral:auth0Plan`, `--plan`). Empty: the plan serves them.
 */
export function planProblem(
  plan: Auth0Plan,
  environment: Environment,
  kinds: readonly CredentialKind[],
  planKey: string,
): string | undefined {
  const refused = kindsRefusedOnPlan(plan, kinds);
  if (refused.length === 0) return undefined;
  const rest = kinds.filter((k) => !refused.includes(k));
  return (
    `${planKey} is "${plan}", and Auth0 refuses ${refused.join(", ")} credentials on that plan ` +
    `(Private Key JWT needs enterprise), but portal.config.js offers them in ${environment} ` +
    `(environments[id=${environment}].credentialKinds = ${JSON.stringify(kinds)}). Set ${planKey} to ` +
    `enterprise if the tenant is on Enterprise, or set that credentialKinds to ` +
    `${JSON.stringify(rest.length ? rest : ["client_secret"])}.`
  );
}
