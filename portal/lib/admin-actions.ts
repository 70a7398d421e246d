/**
 * The admin pages' actions: every one needs `portal-admin` (access "admin", checked by the
 * guard). Spread into `actions` (actions.ts), which is the one registry the pages call.
 */
import { z } from "zod";
import {
  cursor,
  cursorPage,
  email,
  environment,
  idempotencyKey,
  name,
  page,
  paging,
  team,
  teamId,
  user,
  userId,
} from "./action-schemas";
import { listAdmins, removeAdmin } from "./domain/admins";
import { listAdminInvites, revokeAdminInvite } from "./domain/invite-issuer";
import { createInvite } from "./domain/invites";
import { deleteTeam } from "./domain/team-deletion";
import { listTeams } from "./domain/team-lists";
import { createTeam } from "./domain/teams";
import { tenantUsage } from "./domain/tenant-room";
import { defineAction } from "./guard";

export const adminActions = {
  adminListTeams: defineAction({
    name: "adminListTeams",
    access: "admin",
    input: z.object({ ...cursor, counts: z.boolean().default(false) }),
    output: cursorPage(
      team.extend({
        members: z.number().optional(),
        credentials: z.partialRecord(environment, z.number()).optional(),
      }),
    ),
    run: (ctx, i) => listTeams(ctx, i),
  }),

  adminCreateTeam: defineAction({
    name: "adminCreateTeam",
    access: "admin",
    input: z.object({ name, idempotencyKey: idempotencyKey.optional() }),
    output: team,
    audit: { target: (i, r) => ({ teamName: i.name, teamId: r?.teamId }) },
    run: (ctx, i) => createTeam(ctx, { ...i, join: false }),
  }),

  adminDeleteTeam: defineAction({
    name: "adminDeleteTeam",
    access: "admin",
    input: z.object({ teamId }),
    output: z.object({
      credentials: z.number(),
      members: z.number(),
      complete: z.boolean(),
      finishAfter: z.string().optional(),
    }),
    audit: { target: (i) => ({ teamId: i.teamId }) },
    run: (ctx, i) => deleteTeam(ctx, i.teamId),
  }),

  adminCreateAdminInvite: defineAction({
    name: "adminCreateAdminInvite",
    access: "admin",
    input: z.object({ email }),
    output: z.object({ token: z.string(), expiresAt: z.string() }),
    audit: { target: (i) => ({ kind: "admin", email: i.email }) },
    run: (ctx, i) => createInvite(ctx, { kind: "admin", email: i.email }),
  }),

  /** Pending admin invites of the current admins: issuer and expiry (invite-issuer.ts). */
  adminListAdminInvites: defineAction({
    name: "adminListAdminInvites",
    access: "admin",
    input: z.object({}),
    output: z.array(
      z.object({
        id: z.string(),
        email: z.string(),
        expiresAt: z.string(),
        issuerId: z.string(),
        issuerEmail: z.string(),
      }),
    ),
    run: (ctx) => listAdminInvites(ctx),
  }),

  adminRevokeAdminInvite: defineAction({
    name: "adminRevokeAdminInvite",
    access: "admin",
    input: z.object({ issuerId: userId, inviteId: z.uuid() }),
    output: z.object({ revoked: z.literal(true) }),
    audit: { target: (i) => ({ kind: "admin", inviteId: i.inviteId, issuedBy: i.issuerId }) },
    run: async (ctx, i) => {
      await revokeAdminInvite(ctx, i);
      return { revoked: true as const };
    },
  }),

  /** Each tenant's applications against the cap (limits.applicationsPerTenant). */
  adminTenantUsage: defineAction({
    name: "adminTenantUsage",
    access: "admin",
    input: z.object({}),
    output: z.array(
      z.object({ environment, applications: z.number(), cap: z.number(), limit: z.number() }),
    ),
    run: (ctx) => tenantUsage(ctx),
  }),

  adminListAdmins: defineAction({
    name: "adminListAdmins",
    access: "admin",
    input: z.object({ ...paging }),
    output: page(user),
    run: (ctx, i) => listAdmins(ctx, i),
  }),

  adminRemoveAdmin: defineAction({
    name: "adminRemoveAdmin",
    access: "admin",
    input: z.object({ userId }),
    output: z.object({ removed: z.literal(true) }),
    audit: { target: (i) => ({ userId: i.userId }) },
    run: async (ctx, i) => {
      await removeAdmin(ctx, i.userId);
      return { removed: true as const };
    },
  }),
};
