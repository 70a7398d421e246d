/**
 * The schema of `portal.config.js`: the single source of truth for what a portal operator may
 * configure. Users write its input type; the portal reads its parsed output.
 */
import { CREDENTIAL_KINDS, ENVIRONMENTS } from "@astral/contract";
import { z } from "zod";
import { apiReferences, checkApiAudiences } from "./apis";

const hexColour = z
  .string()
  .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "Colour must be a hex colour such as #4f46e5");

/** A path served from `portal/public` or an absolute https URL. */
const asset = z
  .string()
  .refine(
    (v) => v.startsWith("/") || v.startsWith("https://"),
    "Asset must be a path under public/ starting with / or an https:// URL",
  );

export const LINK_ICONS = ["book", "code", "status", "chat", "key", "terminal"] as const;

const apiGrant = z.strictObject({
  /** The API identifier (audience) a new credential is granted. */
  audience: z.string().url("Audience must be the API identifier URL, e.g. https://api.example.com"),
  /** Scopes granted on that audience; an empty list grants none. */
  scopes: z.array(z.string().min(1).regex(/^\S+$/, "A scope has no spaces")).default([]),
});

const environment = z.strictObject({
  id: z.enum(ENVIRONMENTS),
  /** Shown to users, e.g. "Sandbox". */
  label: z.string().min(1),
  description: z.string().default(""),
  /** What a credential created in this environment is granted. At least one audience. */
  apis: z.array(apiGrant).min(1, "List at least one API audience to grant"),
  /**
   * The kinds of credential offered here: `client_secret` (works on every Auth0 plan) and/or
   * `key_pair` (Private Key JWT: the browser makes the key, Auth0 holds only the public key;
   * Auth0 offers it on Enterprise plans). Default: client secrets only.
   */
  credentialKinds: z
    .array(z.enum([CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair]))
    .min(1, "Offer at least one credential kind: client_secret and/or key_pair")
    .refine((kinds) => new Set(kinds).size === kinds.length, "Each credential kind may appear once")
    .default([CREDENTIAL_KINDS.clientSecret]),
  /** Key pairs: days until a new key expires (its `expires_at` in Auth0). 1 to 730, default 90. */
  keyPairLifetimeDays: z.number().int().min(1).max(730).default(90),
});

/**
 * Limits that keep one team or one user from spending the tenants' application entity limit
 * (every team and every credential is an Auth0 client; docs/decisions/0700-access-taken-back.md).
 */
const limits = z.strictObject({
  /**
   * Credentials one team may hold in each environment, client secrets and key pairs together.
   * At most 100: the create counts them with one search page of 100.
   */
  credentialsPerTeam: z
    .number("Must be a whole number from 1 to 100")
    .int("Must be a whole number from 1 to 100")
    .min(1, "Must be at least 1")
    .max(100, "May be at most 100 (one search page of 100 counts them)")
    .default(20),
  /**
   * Team records one user may create in 24 hours (their own team, or teams an admin creates).
   * Counted from the user's own create records, which last 24 h. At most 50.
   */
  teamsPerUserPerDay: z
    .number("Must be a whole number from 1 to 50")
    .int("Must be a whole number from 1 to 50")
    .min(1, "Must be at least 1")
    .max(50, "May be at most 50 (the user's create records, in app_metadata, hold them)")
    .default(5),
  /**
   * The tenants' application entity limit (Auth0 plan: Free 10, Self Service 100). New teams and
   * credentials are refused once a tenant holds this many minus `reservedApplications`.
   */
  applicationsPerTenant: z
    .number("Must be a whole number of at least 2")
    .int("Must be a whole number of at least 2")
    .min(2, "Must be at least 2")
    .default(100),
  /** Applications kept free for the backend's own clients (login app, bootstrap, backend…). */
  reservedApplications: z
    .number("Must be a whole number of at least 0")
    .int("Must be a whole number of at least 0")
    .min(0, "Must be at least 0")
    .default(5),
});

const portalConfigShape = z.strictObject({
  branding: z.strictObject({
    title: z.string().min(1),
    subtitle: z.string().default(""),
    logo: asset.optional(),
    favicon: asset.optional(),
    colors: z
      .strictObject({ primary: hexColour, secondary: hexColour })
      .default({ primary: "#4f46e5", secondary: "#0ea5e9" }),
  }),
  links: z
    .array(
      z.strictObject({
        url: z.string().url("Link url must be an absolute URL"),
        label: z.string().min(1),
        description: z.string().default(""),
        icon: z.enum(LINK_ICONS).default("book"),
      }),
    )
    .default([]),
  environments: z
    .array(environment)
    .min(1, "Offer at least one environment")
    .refine(
      (envs) => new Set(envs.map((e) => e.id)).size === envs.length,
      "Each environment id may appear once",
    ),
  /** How long an invite link stays valid, in hours. */
  inviteTtlHours: z
    .number()
    .int()
    .positive()
    .max(24 * 30)
    .default(72),
  limits: limits.prefault({}),
  apis: apiReferences,
});

export const PortalConfigSchema = portalConfigShape.superRefine(checkApiAudiences);

export type PortalConfigInput = z.input<typeof PortalConfigSchema>;
export type PortalConfig = z.output<typeof PortalConfigSchema>;
export type EnvironmentConfig = PortalConfig["environments"][number];
export type ApiReferenceConfig = PortalConfig["apis"][number];
