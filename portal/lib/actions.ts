import { z } from "zod";
import {
  auditCredential,
  auditTry,
  clientId,
  credential,
  credentialKind,
  credentialRef,
  cursor,
  cursorPage,
  environment,
  idempotencyKey,
  issuedKeyPair,
  keyAlg,
  name,
  newCredential,
  page,
  paging,
  publicKeyPem,
  recentIds,
  revealed,
  team,
  teamId,
  triedToken,
  user,
  userId,
} from "./action-schemas";
import { adminActions } from "./admin-actions";
import { type Ctx, isAdmin, offeredEnvironments } from "./domain/context";
import { revokeCredential, rotateCredential } from "./domain/credential-changes";
import { createCredential, listCredentials } from "./domain/credentials";
import {
  acceptInvite,
  createInvite,
  describeInviteForAudit,
  resetTeamInvites,
} from "./domain/invites";
import { createKeyPairCredential } from "./domain/key-pairs";
import { listMembers, removeMember } from "./domain/members";
import { credentialsHeldBy, rotateCredentials } from "./domain/offboarding";
import { createTeam, getTeam } from "./domain/teams";
import { tryCredential } from "./domain/try-credential";
import { tryKeyPair } from "./domain/try-key-pair";
import { defineAction } from "./guard";
import { tryApiRequest } from "./reference/try-request";

export const actions = {
  /** The signed-in user's view of the portal: who they are, their team, what is offered. */
  whoAmI: defineAction({
    name: "whoAmI",
    access: "user",
    input: z.object({}),
    output: z.object({
      userId: z.string(),
      email: z.string(),
      teamId: z.string().optional(),
      isAdmin: z.boolean(),
      environments: z.array(
        z.object({
          id: environment,
          label: z.string(),
          description: z.string(),
          credentialKinds: z.array(credentialKind),
          keyPairLifetimeDays: z.number(),
        }),
      ),
    }),
    run: async (ctx: Ctx) => ({
      userId: ctx.actor.userId,
      email: ctx.actor.email,
      teamId: ctx.actor.teamId,
      isAdmin: isAdmin(ctx.actor),
      environments: offeredEnvironments(ctx.portal).map(
        ({ id, label, description, credentialKinds, keyPairLifetimeDays }) => ({
          id,
          label,
          description,
          credentialKinds,
          keyPairLifetimeDays,
        }),
      ),
    }),
  }),

  getTeam: defineAction({
    name: "getTeam",
    access: "team",
    input: z.object({ teamId }),
    output: team,
    run: (ctx, i) => getTeam(ctx, i.teamId),
  }),

  listMembers: defineAction({
    name: "listMembers",
    access: "team",
    input: z.object({ teamId, ...paging, recent: recentIds(userId) }),
    output: page(user),
    run: (ctx, i) => listMembers(ctx, i.teamId, i),
  }),

  removeMember: defineAction({
    name: "removeMember",
    access: "team",
    input: z.object({ teamId, userId }),
    /** `held`: the team's credentials whose working secret or private key they still hold. */
    output: z.object({
      removed: z.literal(true),
      held: z.array(credential.extend({ holds: z.enum(["secret", "private key"]) })),
    }),
    audit: { target: (i) => ({ teamId: i.teamId, userId: i.userId }) },
    run: async (ctx, i) => {
      await removeMember(ctx, i.teamId, i.userId);
      const held = await credentialsHeldBy(ctx, i.teamId, i.userId);
      return { removed: true as const, held };
    },
  }),

  /** Offboarding: rotates the secrets a removed member held, in one step (offboarding.ts). */
  rotateCredentials: defineAction({
    name: "rotateCredentials",
    access: "team",
    input: z.object({
      teamId,
      credentials: z.array(z.object({ environment, clientId })).min(1).max(50),
    }),
    output: z.array(revealed),
    audit: {
      target: (i, r) => ({
        teamId: i.teamId,
        clientIds: (r ?? i.credentials).map((c) => c.clientId).join(","),
      }),
    },
    run: (ctx, i) => rotateCredentials(ctx, i),
  }),

  createTeam: defineAction({
    name: "createTeam",
    access: "user",
    input: z.object({ name, idempotencyKey: idempotencyKey.optional() }),
    output: team,
    audit: { target: (i, r) => ({ teamName: i.name, teamId: r?.teamId }) },
    run: (ctx, i) => createTeam(ctx, { ...i, join: true }),
  }),

  createTeamInvite: defineAction({
    name: "createTeamInvite",
    access: "team",
    input: z.object({ teamId }),
    output: z.object({ token: z.string(), expiresAt: z.string() }),
    audit: { target: (i) => ({ teamId: i.teamId }) },
    run: (ctx, i) => createInvite(ctx, { kind: "team", teamId: i.teamId }),
  }),

  /** "Reset invite links": ends every invite link of the team made so far (members, admins). */
  resetTeamInvites: defineAction({
    name: "resetTeamInvites",
    access: "team",
    input: z.object({ teamId }),
    output: z.object({ reset: z.literal(true) }),
    audit: { target: (i) => ({ teamId: i.teamId }) },
    run: async (ctx, i) => {
      await resetTeamInvites(ctx, i.teamId);
      return { reset: true as const };
    },
  }),

  acceptInvite: defineAction({
    name: "acceptInvite",
    access: "user",
    input: z.object({ token: z.string().min(20).max(4096) }),
    output: z.object({
      kind: z.enum(["team", "admin"]),
      teamId: z.string().optional(),
      teamName: z.string().optional(),
    }),
    // Accepted and refused alike: the invite's kind, id and team (never the token itself).
    audit: { target: (i) => describeInviteForAudit(i.token) },
    run: (ctx, i) => acceptInvite(ctx, i.token),
  }),

  listCredentials: defineAction({
    name: "listCredentials",
    access: "team",
    input: z.object({ teamId, environment, ...cursor, recent: recentIds(clientId) }),
    output: cursorPage(credential),
    run: (ctx, i) => listCredentials(ctx, i.teamId, i.environment, i),
  }),

  createCredential: defineAction({
    name: "createCredential",
    access: "team",
    input: z.object(newCredential),
    output: revealed,
    audit: auditCredential,
    run: (ctx, i) => createCredential(ctx, i),
  }),

  /** Also "Replace…": a new key pair naming the one it replaces; both work until that is revoked. */
  createKeyPairCredential: defineAction({
    name: "createKeyPairCredential",
    access: "team",
    input: z.object({
      ...newCredential,
      publicKeyPem,
      alg: keyAlg,
      replaces: clientId.optional(),
    }),
    output: issuedKeyPair,
    audit: {
      ...auditCredential,
      target: (i, r) => ({ teamId: i.teamId, clientId: r?.clientId, replaces: i.replaces }),
    },
    run: (ctx, i) => createKeyPairCredential(ctx, i),
  }),

  rotateCredential: defineAction({
    name: "rotateCredential",
    access: "team",
    input: credentialRef,
    output: revealed,
    audit: auditCredential,
    run: (ctx, i) => rotateCredential(ctx, i),
  }),

  revokeCredential: defineAction({
    name: "revokeCredential",
    access: "team",
    input: credentialRef,
    output: credential,
    audit: auditCredential,
    run: (ctx, i) => revokeCredential(ctx, i),
  }),

  tryCredential: defineAction({
    name: "tryCredential",
    access: "team",
    input: z.object({
      teamId,
      clientId,
      clientSecret: z.string().min(8).max(256),
      audience: z.string().url(),
      activeFrom: z.iso.datetime().optional(),
    }),
    output: triedToken,
    audit: auditTry,
    run: (ctx, i) => tryCredential(ctx, i),
  }),

  tryKeyPairCredential: defineAction({
    name: "tryKeyPairCredential",
    access: "team",
    input: z.object({
      teamId,
      clientId,
      // A compact JWS signed in the browser; a 4096-bit RSA signature is 683 characters.
      clientAssertion: z
        .string()
        .max(4096)
        .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "Not a signed JWT"),
      audience: z.string().url(),
    }),
    output: triedToken,
    audit: auditTry,
    run: (ctx, i) => tryKeyPair(ctx, i),
  }),

  // "Try it" on the API reference: one request to the API's Sandbox, through the portal
  // (lib/reference/try-request.ts). The audit line names the operation, never the token.
  tryApiRequest: defineAction({
    name: "tryApiRequest",
    access: "team",
    input: z.object({
      teamId,
      clientId,
      api: z.string().max(63),
      operationId: z.string().max(200),
      path: z.string().startsWith("/").max(2048),
      query: z.record(z.string().max(100), z.string().max(2048)).default({}),
      body: z
        .string()
        .max(64 * 1024)
        .optional(),
      accessToken: z
        .string()
        .max(8192)
        .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "Not a JWT"),
    }),
    output: z.object({
      status: z.number(),
      contentType: z.string(),
      body: z.string(),
      truncated: z.boolean(),
      explanation: z.string().optional(),
    }),
    audit: {
      target: (i: { teamId: string; clientId: string; api: string; operationId: string }) => ({
        teamId: i.teamId,
        clientId: i.clientId,
        api: i.api,
        operation: i.operationId,
      }),
      environment: () => "sandbox",
    },
    run: (ctx, i) => tryApiRequest(ctx, i),
  }),

  // The admin pages' actions (access "admin"): admin-actions.ts.
  ...adminActions,
};

export type Actions = typeof actions;
