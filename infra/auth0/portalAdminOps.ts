/**
 * The first portal admin, as plain functions over the Management API (official `auth0` SDK):
 * find the user by email or create it, merge `portal-admin` into `app_metadata.permissions`, and
 * on delete remove only that permission. `PortalAdmin` (a Pulumi dynamic resource) calls these;
 * the integration tests call them against the local tenants.
 *
 * Every function is self-contained (the SDK is required inside, the permission name is an input):
 * a dynamic provider's functions are serialized into the Pulumi state and run in a separate Node
 * process without TypeScript, where only `require` of installed JavaScript packages works (the
 * workspace's `@astral/contract` is TypeScript source, so it is not required here).
 */

/** Where and as whom the functions act: a tenant and the Astral Backend's credentials. */
export interface AdminBackend {
  /** Tenant domain, `host[:port]`, no protocol. */
  domain: string;
  clientId: string;
  clientSecret: string;
}

export interface PortalAdminInputs {
  /** Email of the admin; Auth0 stores database users' emails in lower case. */
  email: string;
  /** Database connection a new user is created in. */
  connection: string;
  /** The permission to grant: the contract's PORTAL_ADMIN_PERMISSION. */
  permission: string;
  backend: AdminBackend;
}

export interface PortalAdminState {
  userId: string;
  email: string;
  /** True when this resource created the user (it is never deleted: only the permission is). */
  createdUser: boolean;
  /**
   * Whether the user holds the permission, as last seen: create and update make it true; a
   * refresh that finds it removed makes it false, and the next `pulumi up` grants it again.
   */
  isAdmin?: boolean;
}

type Metadata = Record<string, unknown> | undefined | null;

/** `permissions` with `permission` added once, other entries untouched and in order. */
export function withPermission(appMetadata: Metadata, permission: string): string[] {
  const current = permissionsOf(appMetadata);
  return current.includes(permission) ? current : [...current, permission];
}

/** `permissions` without `permission`, other entries untouched and in order. */
export function withoutPermission(appMetadata: Metadata, permission: string): string[] {
  return permissionsOf(appMetadata).filter((p) => p !== permission);
}

function permissionsOf(appMetadata: Metadata): string[] {
  const permissions = appMetadata?.permissions;
  return Array.isArray(permissions) ? permissions.filter((p) => typeof p === "string") : [];
}

/** Of several users sharing an email, prefer the one in `connection`, then the oldest. */
export function pickUser<
  T extends { identities?: Array<{ connection?: string }>; created_at?: unknown },
>(users: T[], connection: string): T | undefined {
  const inConnection = users.filter((u) => u.identities?.some((i) => i.connection === connection));
  const pool = inConnection.length > 0 ? inConnection : users;
  return [...pool].sort((a, b) =>
    String(a.created_at ?? "").localeCompare(String(b.created_at ?? "")),
  )[0];
}

function managementClient(backend: AdminBackend) {
  const { ManagementClient } = require("auth0") as typeof import("auth0");
  return new ManagementClient({
    domain: backend.domain,
    clientId: backend.clientId,
    clientSecret: backend.clientSecret,
  });
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 404;
}

/**
 * The tenant refused the credentials themselves: the SDK's token request (POST /oauth/token) got
 * 401 (a wrong or rotated secret: `access_denied`) or 403 (`unauthorized_client`: no grant).
 * Auth0 SDK `management/wrapper/token-provider.js` throws these as ManagementError "ManagementClient:
 * token request failed" with the response's status. Management API errors (a 403 for a missing
 * scope, a 404, a 5xx) are not this.
 */
export function isTokenRejected(error: unknown): boolean {
  const e = error as { statusCode?: number; message?: unknown } | null;
  return (
    (e?.statusCode === 401 || e?.statusCode === 403) &&
    String(e.message).includes("token request failed")
  );
}

/** Finds the user by email or creates it, then makes it a portal admin. Idempotent. */
export async function ensurePortalAdmin(inputs: PortalAdminInputs): Promise<PortalAdminState> {
  const client = managementClient(inputs.backend);
  const permission = inputs.permission;
  const email = inputs.email.trim().toLowerCase();
  const found = pickUser(await client.users.listUsersByEmail({ email }), inputs.connection);

  if (!found?.user_id) {
    const { randomBytes } = require("node:crypto") as typeof import("node:crypto");
    // Nobody knows this password: the admin sets their own with "Forgot password" (or signs in
    // through another connection linked to the same email).
    const created = await client.users.create({
      connection: inputs.connection,
      email,
      password: `${randomBytes(24).toString("base64url")}aA1!`,
      email_verified: false,
      verify_email: true,
      app_metadata: { permissions: [permission] },
    });
    if (!created.user_id) throw new Error(`Auth0 created ${email} but returned no user_id`);
    return { userId: created.user_id, email, createdUser: true };
  }

  const userId = found.user_id;
  const current = await client.users.get(userId);
  const appMetadata = current.app_metadata as Metadata;
  if (!permissionsOf(appMetadata).includes(permission)) {
    // Auth0 merges app_metadata's top-level keys: sending `permissions` alone keeps the others.
    await client.users.update(userId, {
      app_metadata: { permissions: withPermission(appMetadata, permission) },
    });
  }
  return { userId, email, createdUser: false };
}

/** Whether the user still exists and is a portal admin (for `pulumi refresh`). */
export async function readPortalAdmin(
  backend: AdminBackend,
  userId: string,
  permission: string,
): Promise<{ exists: boolean; isAdmin: boolean; email?: string }> {
  const client = managementClient(backend);
  try {
    const user = await client.users.get(userId);
    const isAdmin = permissionsOf(user.app_metadata as Metadata).includes(permission);
    return { exists: true, isAdmin, email: user.email };
  } catch (error) {
    if (isNotFound(error)) return { exists: false, isAdmin: false };
    throw error;
  }
}

/** Removes only `portal-admin` from the user's permissions; the user and other keys stay. */
export async function removePortalAdmin(
  backend: AdminBackend,
  userId: string,
  permission: string,
): Promise<void> {
  const client = managementClient(backend);
  let appMetadata: Metadata;
  try {
    appMetadata = (await client.users.get(userId)).app_metadata as Metadata;
  } catch (error) {
    if (isNotFound(error)) return; // already gone: nothing to remove
    throw error;
  }
  if (!permissionsOf(appMetadata).includes(permission)) return;
  await client.users.update(userId, {
    app_metadata: { permissions: withoutPermission(appMetadata, permission) },
  });
}
