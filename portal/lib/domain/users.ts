/**
 * Users as the portal sees them (home tenant): membership is `app_metadata.teamId`, admin is
 * `portal-admin` in `app_metadata.permissions` (contract). Reads are pageable searches.
 */
import { AppMetadata } from "@astral/contract";
import type { Management } from "auth0";
import { FRESH_READ } from "../management/read-cache";
import type { Tenant } from "../management/tenant";

export interface PortalUser {
  userId: string;
  email: string;
  /** Auth0's `email_verified`; undefined when the tenant did not say. */
  emailVerified?: boolean | undefined;
  name: string;
  picture?: string | undefined;
  teamId?: string | undefined;
  permissions: string[];
  /** Auth0's `blocked`: a blocked user is refused on every request (lib/domain/actor.ts). */
  blocked: boolean;
  /** Ids of the last admin invites accepted (app_metadata; see lib/domain/invites.ts). */
  adminInvitesAccepted: string[];
  /** When `portal-admin` was last removed (ISO 8601), if ever. */
  adminRemovedAt?: string | undefined;
  /**
   * The user's invite-issuing epoch (`app_metadata.inviteIssuerEpoch`, "" until first changed):
   * every invite they issue carries it; removing their admin right or their membership replaces
   * it, which voids everything they issued (lib/domain/invite-issuer.ts).
   */
  issuerEpoch: string;
  /** Admin invites this user issued that are not yet used, revoked or void (invite-issuer.ts). */
  pendingAdminInvites: PendingAdminInvite[];
}

/** One pending admin invite, kept in its issuer's `app_metadata` under its own top-level key. */
export interface PendingAdminInvite {
  id: string;
  email: string;
  /** Expiry, ISO 8601. */
  expiresAt: string;
}

export const ISSUER_EPOCH_KEY = "inviteIssuerEpoch";
export const ADMIN_INVITE_PREFIX = "astral_admin_invite_";

function pendingAdminInvites(raw: Record<string, unknown>): PendingAdminInvite[] {
  return Object.entries(raw).flatMap(([key, value]) => {
    if (!key.startsWith(ADMIN_INVITE_PREFIX) || !value || typeof value !== "object") return [];
    const { email, expiresAt } = value as Record<string, unknown>;
    if (typeof email !== "string" || typeof expiresAt !== "string") return [];
    return [{ id: key.slice(ADMIN_INVITE_PREFIX.length), email, expiresAt }];
  });
}

export interface Paged<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

export function toPortalUser(user: Management.UserResponseSchema): PortalUser {
  const meta = AppMetadata.safeParse(user.app_metadata ?? {});
  const appMetadata = meta.success ? meta.data : {};
  const raw = (user.app_metadata ?? {}) as Record<string, unknown>;
  const epoch = raw[ISSUER_EPOCH_KEY];
  return {
    userId: user.user_id ?? "",
    email: user.email ?? "",
    emailVerified: user.email_verified,
    name: user.name ?? user.email ?? user.user_id ?? "",
    picture: user.picture,
    teamId: appMetadata.teamId,
    permissions: appMetadata.permissions ?? [],
    blocked: user.blocked === true,
    adminInvitesAccepted: appMetadata.adminInvitesAccepted ?? [],
    adminRemovedAt: appMetadata.adminRemovedAt,
    issuerEpoch: typeof epoch === "string" ? epoch : "",
    pendingAdminInvites: pendingAdminInvites(raw),
  };
}

export async function getUser(
  tenant: Tenant,
  userId: string,
  requestId: string,
  options: { fresh?: boolean } = {},
) {
  return toPortalUser(await readUser(tenant, userId, requestId, options));
}

/**
 * One consistent read of a user (GET /users/{id}): the record, not the search index. `fresh`
 * also bypasses the portal's read cache (up to its TTL old otherwise): for limit counts and
 * re-checks of a right, which must see another portal task's write of a moment ago.
 */
export function readUser(
  tenant: Tenant,
  userId: string,
  requestId: string,
  { fresh = false }: { fresh?: boolean } = {},
) {
  return tenant.run(
    "read a user",
    (c) => (fresh ? c.users.get(userId, undefined, FRESH_READ) : c.users.get(userId)),
    { safeToRepeat: true, requestId },
  );
}

export async function searchUsers(
  tenant: Tenant,
  q: string,
  page: number,
  perPage: number,
  requestId: string,
  /** Past the read cache: a search a change rests on (team deletion) must not add its age. */
  { fresh = false }: { fresh?: boolean } = {},
): Promise<Paged<PortalUser>> {
  const params = { q, search_engine: "v3" as const, page, per_page: perPage, include_totals: true };
  const result = await tenant.run(
    "search users",
    (c) => (fresh ? c.users.list(params, FRESH_READ) : c.users.list(params)),
    { safeToRepeat: true, requestId },
  );
  return {
    items: result.data.map(toPortalUser),
    page,
    perPage,
    total: result.response.total ?? result.data.length,
  };
}

/** Counts matches with one call that returns no rows. */
export async function countUsers(tenant: Tenant, q: string, requestId: string): Promise<number> {
  const result = await searchUsers(tenant, q, 0, 1, requestId);
  return result.total;
}

/**
 * Replaces the portal's keys in a user's app_metadata. Auth0 merges app_metadata at the top
 * level, and a key set to null is removed, so other keys are never touched. Returns the user's
 * whole app_metadata as the answer has it: the record right after this write (rules row
 * `writes.answer-record`).
 */
export async function patchAppMetadata(
  tenant: Tenant,
  userId: string,
  patch: { teamId?: string | null; permissions?: string[]; [key: string]: unknown },
  requestId: string,
): Promise<Record<string, unknown>> {
  const user = await tenant.run(
    "update a user's team or permissions",
    (c) => c.users.update(userId, { app_metadata: patch as Record<string, unknown> }),
    { safeToRepeat: true, requestId },
  );
  return (user.app_metadata ?? {}) as Record<string, unknown>;
}
