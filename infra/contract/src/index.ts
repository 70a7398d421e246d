/**
 * The Astral contract: one source for what infra, the portal, the local tenants' seeding and the
 * tests must agree on. Change it here and nowhere else.
 */
import { z } from "zod";

/** The two Auth0 tenants Astral works with. */
export const ENVIRONMENTS = ["production", "sandbox"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Management API resources the Astral Backend may touch, and the actions on each. */
export const MANAGEMENT_API_RESOURCES = [
  "client_grants",
  "users",
  "users_app_metadata",
  "clients",
  "client_keys",
] as const;
export const MANAGEMENT_API_ACTIONS = ["read", "create", "update", "delete"] as const;

/**
 * The Astral Backend's grant on the Management API: read, create, update and delete on the five
 * resources above. Exactly these 20 scopes, nothing more.
 */
export const MANAGEMENT_API_SCOPES: readonly string[] = Object.freeze(
  MANAGEMENT_API_RESOURCES.flatMap((resource) =>
    MANAGEMENT_API_ACTIONS.map((action) => `${action}:${resource}`),
  ),
);

/** How a credential's client authenticates: `client_secret` (the default) or `key_pair`. */
export const CREDENTIAL_KINDS = { clientSecret: "client_secret", keyPair: "key_pair" } as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[keyof typeof CREDENTIAL_KINDS];

/**
 * What key pairs add to the grant, only in a tenant whose environment offers them: a create with
 * `client_authentication_methods` (Private Key JWT) needs `create:client_credentials` (auth0 SDK
 * `management/api/resources/clients/client/Client.d.ts`, `create`: "To configure
 * `client_authentication_methods`, the `create:client_credentials` scope is required"). The portal
 * never reads, changes or deletes a credential on its own (Replace… makes a new client, revoking
 * deletes the client), so `read:`, `update:` and `delete:client_credentials` stay out
 * (portal/test/least-privilege.integration.test.ts measures it).
 */
export const KEY_PAIR_SCOPES: readonly string[] = Object.freeze(["create:client_credentials"]);

/**
 * The Astral Backend's grant in a tenant whose environment offers `kinds`: the 20 scopes, plus
 * KEY_PAIR_SCOPES where key pairs are offered. The one derivation infra, seeding and tests use.
 */
export function backendScopes(kinds: readonly CredentialKind[]): string[] {
  return kinds.includes(CREDENTIAL_KINDS.keyPair)
    ? [...MANAGEMENT_API_SCOPES, ...KEY_PAIR_SCOPES]
    : [...MANAGEMENT_API_SCOPES];
}

/**
 * Auth0's subscription plans (https://auth0.com/pricing): Free, and the Self Service plans
 * Essentials and Professional, and Enterprise. They differ in rate limits, entity limits and
 * features; the stack config states each tenant's plan (`astral:auth0Plan`).
 */
export const AUTH0_PLANS = ["free", "essentials", "professional", "enterprise"] as const;
export type Auth0Plan = (typeof AUTH0_PLANS)[number];

/**
 * The credential kinds each plan can serve: a client secret on every plan; a key pair (Private
 * Key JWT) only on Enterprise ("Configure Private Key JWT Authentication": available to customers
 * on the Enterprise plan; Auth0 refuses it elsewhere with 403 `insufficient_entitlement`).
 */
export const PLAN_CREDENTIAL_KINDS: Readonly<Record<Auth0Plan, readonly CredentialKind[]>> = {
  free: [CREDENTIAL_KINDS.clientSecret],
  essentials: [CREDENTIAL_KINDS.clientSecret],
  professional: [CREDENTIAL_KINDS.clientSecret],
  enterprise: [CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair],
};

/** The kinds in `kinds` that a tenant on `plan` refuses (empty: the plan serves them all). */
export function kindsRefusedOnPlan(
  plan: Auth0Plan,
  kinds: readonly CredentialKind[],
): CredentialKind[] {
  return kinds.filter((kind) => !PLAN_CREDENTIAL_KINDS[plan].includes(kind));
}

/**
 * `client_metadata` of the Astral Backend client: the plan the stack config states for its tenant
 * and the credential kinds portal.config.js offers there (space-separated: Auth0 keeps only
 * string values), so that a policy (infra/policy) and a reader of the tenant can see both.
 */
export const BACKEND_METADATA = {
  plan: "astralAuth0Plan",
  credentialKinds: "astralCredentialKinds",
} as const;

/** The Management API audience of a tenant: `https://<tenant domain>/api/v2/`. */
export function managementApiAudience(domain: string): string {
  return `https://${domain}/api/v2/`;
}

/** Display name of the M2M client the portal uses to call the Management API. */
export const ASTRAL_BACKEND_CLIENT_NAME = "Astral Backend";
/** Display name of the portal's login application. */
export const PORTAL_LOGIN_CLIENT_NAME = "Astral Portal";

/** The permission, in `app_metadata.permissions`, that makes a user a portal admin. */
export const PORTAL_ADMIN_PERMISSION = "portal-admin";

/** A user's `app_metadata` as the portal reads it. Other keys are kept untouched. */
export const AppMetadata = z
  .object({
    /** The team the user belongs to: its record's client_id (a user belongs to at most one team). */
    teamId: z.string().min(1).optional(),
    /** Portal permissions; `portal-admin` makes an admin. */
    permissions: z.array(z.string()).optional(),
    /**
     * Ids of the last admin invites this user accepted (bounded, newest last): an admin invite is
     * single-use. Read with GET /users/{id}, which is consistent (searches lag).
     */
    adminInvitesAccepted: z.array(z.string()).optional(),
    /** ISO 8601 time `portal-admin` was last removed: admin invites issued before it are void. */
    adminRemovedAt: z.string().optional(),
  })
  .passthrough();
export type AppMetadata = z.infer<typeof AppMetadata>;

/**
 * `client_metadata.astral` marks every client the portal manages, and says what it is. Auth0 only
 * allows string values in `client_metadata` (at most 10 keys), hence flat strings everywhere.
 */
export const CLIENT_KIND_KEY = "astral";
export const CLIENT_KINDS = { credential: "credential", team: "team" } as const;

/**
 * A credential: a `non_interactive` client in the environment's tenant, one client grant per
 * configured API audience.
 */
export const CredentialMetadata = z.object({
  astral: z.literal(CLIENT_KINDS.credential),
  teamId: z.string().min(1),
  /** Auth0 user id of the member who created it. */
  createdBy: z.string().min(1),
  /** Their email address then: the list shows it without a user read per row. */
  createdByEmail: z.string().max(254).optional(),
  /** ISO 8601 time of creation. */
  createdAt: z.string().min(1),
  /** Idempotency key of the create request (see the creating user's `astral_create_*` record). */
  requestId: z.string().min(1).optional(),
  /**
   * `key_pair`: the client authenticates with Private Key JWT (a public key in Auth0, the private
   * key only with the customer; ADR 0800). Absent: a client secret.
   */
  kind: z.literal(CREDENTIAL_KINDS.keyPair).optional(),
  /** Key pairs: the signing algorithm the key was registered with. */
  keyAlg: z.enum(["RS256", "PS256"]).optional(),
  /**
   * Key pairs: ISO 8601 expiry the portal set as the key's `expires_at` (reading it back from
   * Auth0 would need `read:client_credentials`, which the Astral Backend does not have).
   */
  keyExpiresAt: z.string().min(1).optional(),
  /** Key pairs: the client id of the credential this one replaces (both live until revoked). */
  replaces: z.string().min(1).optional(),
});
export type CredentialMetadata = z.infer<typeof CredentialMetadata>;

/**
 * A team record: a client without grant types in the home tenant. Its `client_id` is the team's
 * id (ADR 0600), so reading a team is a consistent `GET /clients/{id}`; members carry that id in
 * `app_metadata.teamId`, credentials in `client_metadata.teamId`. It can never obtain a token.
 */
export const TeamMetadata = z.object({
  astral: z.literal(CLIENT_KINDS.team),
  teamName: z.string().min(1),
  createdBy: z.string().min(1),
  createdAt: z.string().min(1),
  /** Idempotency key of the create request (see the creating user's `astral_create_*` record). */
  requestId: z.string().min(1).optional(),
  /** ISO 8601 time an admin started deleting the team: no new credentials or members. */
  deletingSince: z.string().min(1).optional(),
  /**
   * Team invites carry the epoch current when they were made; removing a member or "Reset invite
   * links" replaces it, which ends every earlier invite. Absent until the first change.
   */
  inviteEpoch: z.string().min(1).optional(),
});
export type TeamMetadata = z.infer<typeof TeamMetadata>;

/** The portal's environment variables for one tenant's Management API access. */
export function managementEnv(environment: Environment) {
  const prefix = environment.toUpperCase();
  return {
    domain: `${prefix}_AUTH0_MANAGEMENT_CLIENT_DOMAIN`,
    clientId: `${prefix}_AUTH0_MANAGEMENT_CLIENT_ID`,
    clientSecret: `${prefix}_AUTH0_MANAGEMENT_CLIENT_SECRET`,
  } as const;
}

/** Every environment variable the portal reads, by role. Secrets are flagged. */
export const PORTAL_ENV = {
  management: {
    production: managementEnv("production"),
    sandbox: managementEnv("sandbox"),
  },
  /** The login application (names as `@auth0/nextjs-auth0` v4 reads them). */
  login: {
    domain: "AUTH0_DOMAIN",
    clientId: "AUTH0_CLIENT_ID",
    clientSecret: "AUTH0_CLIENT_SECRET",
    /** Session cookie encryption secret, 32+ bytes. */
    sessionSecret: "AUTH0_SECRET",
    baseUrl: "APP_BASE_URL",
    /**
     * Set (to "no-domain") only by a preview stack without a domain, whose ALB serves plain http:
     * the one case where a production build may run on an http base URL. A policy refuses it on
     * any task definition not tagged as such a preview.
     */
    plainHttpPreview: "ASTRAL_PLAIN_HTTP_PREVIEW",
  },
  /**
   * The Management API rate the portal keeps to in each tenant (ADR 0600 "Token bucket per
   * tenant"): the tenant's Auth0 plan, and how many portal tasks share its limit. Set by the
   * stack for each tenant the portal calls.
   */
  rate: {
    production: { plan: "PRODUCTION_AUTH0_PLAN", tasks: "PRODUCTION_PORTAL_TASKS" },
    sandbox: { plan: "SANDBOX_AUTH0_PLAN", tasks: "SANDBOX_PORTAL_TASKS" },
  },
} as const;

/** The variables that carry secrets: they must only ever come from a secret store. */
export const PORTAL_SECRET_ENV: readonly string[] = [
  PORTAL_ENV.management.production.clientSecret,
  PORTAL_ENV.management.sandbox.clientSecret,
  PORTAL_ENV.login.clientSecret,
  PORTAL_ENV.login.sessionSecret,
];
