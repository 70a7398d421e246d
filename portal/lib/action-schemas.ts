/**
 * The input and output schemas the actions (lib/actions.ts) share: ids, names, pages, and the
 * shapes of teams, users and credentials that may leave the server (nothing else does).
 */
import { CREDENTIAL_KINDS, ENVIRONMENTS } from "@astral/contract";
import { z } from "zod";
import { IDEMPOTENCY_KEY, TEAM_ID } from "./domain/ids";
import { scriptProblem } from "./names";

export const teamId = z.string().regex(TEAM_ID, "Not a team id");
export const environment = z.enum(ENVIRONMENTS);
export const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Not a client id");
export const userId = z.string().regex(/^[A-Za-z0-9_|.@:-]{3,128}$/, "Not a user id");
export const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY, "Not an idempotency key");
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "At most 254 characters")
  .pipe(z.email("Not an email address (e.g. name@example.com)"));
// User search v3: Auth0 returns at most 1000 results across pages (page × perPage ≤ 1000).
export const paging = {
  page: z.coerce.number().int().min(0).max(999).default(0),
  perPage: z.coerce.number().int().min(1).max(50).default(20),
};
/** Items per page of a list page (and the first read of a create's checks: credentials.ts). */
export const PAGE_TAKE = 20;
/** Client search pages by cursor (`from` = the previous page's `next`); no totals. */
export const cursor = {
  take: z.coerce.number().int().min(1).max(50).default(PAGE_TAKE),
  from: z.string().min(1).max(1024).optional(),
};
/** Ids the viewer just changed, re-read consistently to hide the search index's lag. */
export const recentIds = <T extends z.ZodType>(id: T) => z.array(id).max(5).optional();
export const name = z
  .string()
  .trim()
  .min(2, "At least 2 characters")
  .max(60, "At most 60 characters")
  .regex(/^[\p{L}\p{N} ._()-]+$/u, "Letters, digits, spaces and . _ ( ) - only")
  .superRefine((value, check) => {
    const problem = scriptProblem(value); // look-alike names (lib/names.ts)
    if (problem) check.addIssue({ code: "custom", message: problem });
  });

export const user = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  picture: z.string().optional(),
  teamId: z.string().optional(),
  permissions: z.array(z.string()),
});
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), page: z.number(), perPage: z.number(), total: z.number() });
export const cursorPage = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().optional() });
export const team = z.object({
  teamId: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  deletingSince: z.string().optional(),
});
export const credentialKind = z.enum([CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair]);
export const keyAlg = z.enum(["RS256", "PS256"]);
export const credential = z.object({
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
export const revealed = credential.extend({
  clientSecret: z.string(),
  tokenUrl: z.string(),
  audiences: z.array(z.string()),
  activeFrom: z.string(),
});
/** A key pair's create: carries no secret at all (the private key stays in the browser). */
export const issuedKeyPair = credential.extend({
  tokenUrl: z.string(),
  assertionAudience: z.string(),
  audiences: z.array(z.string()),
});
/** A PEM public key: at most a 4096-bit key's SPKI with line breaks (about 800 characters). */
export const publicKeyPem = z
  .string()
  .min(100, "Paste the whole PEM public key")
  .max(2000, "Too long for a 4096-bit public key");
export const credentialRef = z.object({ teamId, environment, clientId });
/** `recent`: ids this browser just created or revoked here, re-read so the limit counts right. */
export const newCredential = {
  teamId,
  environment,
  name,
  idempotencyKey,
  recent: recentIds(clientId),
};
/** "Try this credential": the Sandbox token it got, decoded for display. */
export const triedToken = z.object({
  accessToken: z.string(),
  expiresIn: z.number().optional(),
  header: z.record(z.string(), z.unknown()),
  claims: z.record(z.string(), z.unknown()),
});
export const auditTry = {
  target: (i: { teamId: string; clientId: string }) => ({ teamId: i.teamId, clientId: i.clientId }),
  environment: () => "sandbox",
};
export const auditCredential = {
  target: (i: { teamId: string; clientId?: string }, r?: { clientId?: string }) => ({
    teamId: i.teamId,
    clientId: r?.clientId ?? i.clientId,
  }),
  environment: (i: { environment: string }) => i.environment,
};
