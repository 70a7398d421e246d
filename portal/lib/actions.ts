/**
 * Every operation the portal's pages and server actions perform, with its access rule, input and
 * output schemas. Pages and `app/**\/actions.ts` call these and nothing else.
 */
import { CREDENTIAL_KINDS, ENVIRONMENTS } from "@astral/contract";
import { z } from "zod";
import { listAdmins, removeAdmin } from "./domain/admins";
import { type Ctx, isAdmin, offeredEnvironments } from "./domain/context";
import {
  createCredential,
  listCredentials,
  revokeCredential,
  rotateCredential,
} from "./domain/credentials";
import { IDEMPOTENCY_KEY, TEAM_ID } from "./domain/ids";
import {
  acceptInvite,
  createInvite,
  describeInviteForAudit,
  resetTeamInvites,
} from "./domain/invites";
import { createKeyPairCredential } from "./domain/key-pairs";
import {
  createTeam,
  deleteTeam,
  getTeam,
  listMembers,
  listTeams,
  removeMember,
} from "./domain/teams";
import { tryCredential } from "./domain/try-credential";
import { tryKeyPair } from "./domain/try-key-pair";
import { defineAction } from "./guard";
import { scriptProblem } from "./names";
import { tryApiRequest } from "./reference/try-request";

const teamId = z.string().regex(TEAM_ID, "Not a team id");
const environment = z.enum(ENVIRONMENTS);
const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Not a client id");
const userId = z.string().regex(/^[A-Za-z0-9_|.@:-]{3,128}$/, "Not a user id");
const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY, "Not an idempotency key");
const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "At most 254 characters")
  .pipe(z.email("Not an email address (e.g. name@example.com)"));
// User search v3: Auth0 returns at most 1000 results across pages (page × perPage ≤ 1000).
const paging = {
  page: z.coerce.number().int().min(0).max(999).default(0),
  perPage: z.coerce.number().int().min(1).max(50).default(20),
};
/** Client search pages by cursor (`from` = the previous page's `next`); no totals. */
const cursor = {
  take: z.coerce.number().int().min(1).max(50).default(20),
  from: z.string().min(1).max(1024).optional(),
};
/** Ids the viewer just changed, re-read consistently to hide the search index's lag. */
const recentIds = <T extends z.ZodType>(id: T) => z.array(id).max(5).optional();
const name = z
  .string()
  .trim()
  .min(2, "At least 2 characters")
  .max(60, "At most 60 characters")
  .regex(/^[\p{L}\p{N} ._()-]+$/u, "Letters, digits, spaces and . _ ( ) - only")
  .superRefine((value, check) => {
    const problem = scriptProblem(value); // look-alike names (lib/names.ts)
    if (problem) check.addIssue({ code: "custom", message: problem });
  });

const user = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  picture: z.string().optional(),
  teamId: z.string().optional(),
  permissions: z.array(z.string()),
});
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), page: z.number(), perPage: z.number(), total: z.number() });
const cursorPage = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().optional() });
const team = z.object({
  teamId: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  deletingSince: z.string().optional(),
});
const credentialKind = z.enum([CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair]);
const keyAlg = z.enum(["RS256", "PS256"]);
const credential = z.object({
  clientId: z.string(),
  name: z.string(),
  environment,
  teamId: z.string(),
  createdBy: z.string(),
  createdByEmail: z.string().optional(),
  createdAt: z.string(),
  kind: credentialKind,
  keyAlg: keyAlg.optional(),
  keyExpiresAt: z.string().optional(),
  replaces: z.string().optional(),
});
/** The only output that carries a secret: create and rotate, shown once. */
const revealed = credential.extend({
  clientSecret: z.string(),
  tokenUrl: z.string(),
  audiences: z.array(z.string()),
  activeFrom: z.string(),
});
/** A key pair's create: carries no secret at all (the private key stays in the browser). */
const issuedKeyPair = credential.extend({
  tokenUrl: z.string(),
  assertionAudience: z.string(),
  audiences: z.array(z.string()),
});
/** A PEM public key: at most a 4096-bit key's SPKI with line breaks (about 800 characters). */
const publicKeyPem = z
  .string()
  .min(100, "Paste the whole PEM public key")
  .max(2000, "Too long for a 4096-bit public key");
const credentialRef = z.object({ teamId, environment, clientId });
/** `recent`: ids this browser just created or revoked here, re-read so the limit counts right. */
const newCredential = { teamId, environment, name, idempotencyKey, recent: recentIds(clientId) };
/** "Try this credential": the Sandbox token it got, decoded for display. */
const triedToken = z.object({
  accessToken: z.string(),
  expiresIn: z.number().optional(),
  header: z.record(z.string(), z.unknown()),
  claims: z.record(z.string(), z.unknown()),
});
const auditTry = {
  target: (i: { teamId: string; clientId: string }) => ({ teamId: i.teamId, clientId: i.clientId }),
  environment: () => "sandbox",
};
const auditCredential = {
  target: (i: { teamId: string; clientId?: string }, r?: { clientId?: string }) => ({
    teamId: i.teamId,
    clientId: r?.clientId ?? i.clientId,
  }),
  environment: (i: { environment: string }) => i.environment,
};

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
    output: z.object({ removed: z.literal(true) }),
    audit: { target: (i) => ({ teamId: i.teamId, userId: i.userId }) },
    run: async (ctx, i) => {
      await removeMember(ctx, i.teamId, i.userId);
      return { removed: true as const };
    },
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

export type Actions = typeof actions;
