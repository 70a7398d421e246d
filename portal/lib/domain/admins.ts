/** Portal admins: users whose `app_metadata.permissions` holds `portal-admin`. */
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { PortalError } from "../errors";
import { queries } from "../management/queries";
import { type Ctx, homeTenant } from "./context";
import { getUser, patchAppMetadata, searchUsers } from "./users";

export function listAdmins(ctx: Ctx, { page, perPage }: { page: number; perPage: number }) {
  return searchUsers(homeTenant(ctx.portal), queries.admins(), page, perPage, ctx.requestId);
}

/** Removes `portal-admin` only (other permissions stay). The last admin cannot be removed. */
export async function removeAdmin(ctx: Ctx, userId: string): Promise<void> {
  const tenant = homeTenant(ctx.portal);
  const user = await getUser(tenant, userId, ctx.requestId);
  if (!user.permissions.includes(PORTAL_ADMIN_PERMISSION))
    throw new PortalError("not_found", "That user is not an admin.");
  const admins = await listAdmins(ctx, { page: 0, perPage: 2 });
  if (admins.total <= 1)
    throw new PortalError("conflict", "This is the last admin; invite another admin first.");
  await patchAppMetadata(
    tenant,
    userId,
    { permissions: user.permissions.filter((p) => p !== PORTAL_ADMIN_PERMISSION) },
    ctx.requestId,
  );
}
