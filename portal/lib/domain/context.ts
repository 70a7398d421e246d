/**
 * What every domain function receives: the portal (config, tenants, keys, audit sink), the actor
 * (who is asking, as the guard resolved them from the session) and the request id.
 */
import { type Environment, PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import type { EnvironmentConfig, PortalConfig } from "../config/schema";
import { PortalError } from "../errors";
import type { Tenant } from "../management/tenant";
import type { AuditSink } from "./audit";

export interface Actor {
  userId: string;
  email: string;
  teamId?: string | undefined;
  permissions: readonly string[];
}

export interface Portal {
  /** The current `portal.config.js` (a function: in development a change shows on refresh). */
  config: () => PortalConfig;
  tenants: Partial<Record<Environment, Tenant>>;
  /** The tenant holding team records and the portal's users. */
  home: Environment;
  /** Key that signs invite links (derived from the session secret). */
  inviteKey: Uint8Array;
  audit: AuditSink;
  now: () => Date;
  /**
   * How far Auth0's search indexes (client search, user search v3) may lag writes. Auth0 only
   * says "eventually consistent"; decisions that need the index to have caught up wait this long.
   */
  searchLagMs: number;
  /** How long a rotated secret may take to work: Auth0 documents up to 30 s. */
  rotationDelayMs: number;
}

export interface Ctx {
  portal: Portal;
  actor: Actor;
  requestId: string;
}

export const isAdmin = (actor: Actor) => actor.permissions.includes(PORTAL_ADMIN_PERMISSION);

export function homeTenant(portal: Portal): Tenant {
  const tenant = portal.tenants[portal.home];
  if (!tenant)
    throw new PortalError("not_configured", `The ${portal.home} tenant is not configured.`);
  return tenant;
}

/** The tenant of an environment this portal offers (configured in portal.config.js and env). */
export function offeredEnvironment(
  portal: Portal,
  environment: Environment,
): { tenant: Tenant; config: EnvironmentConfig } {
  const config = portal.config().environments.find((e) => e.id === environment);
  const tenant = portal.tenants[environment];
  if (!config || !tenant)
    throw new PortalError(
      "not_configured",
      `This portal does not offer ${environment} credentials.`,
    );
  return { tenant, config };
}

/** Environments offered: configured in portal.config.js and with Management access. */
export function offeredEnvironments(portal: Portal): EnvironmentConfig[] {
  return portal.config().environments.filter((e) => portal.tenants[e.id]);
}
