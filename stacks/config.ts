/**
 * The stack config, parsed once by a zod schema. Every key lives in the `astral` namespace
 * (`pulumi config set astral:<key> ...`). A bad or missing value fails before any resource is
 * declared, with one message listing every problem by its config key; a missing secret names the
 * exact `pulumi config set --secret ...` command.
 */
import { AUTH0_PLANS, type CredentialKind, ENVIRONMENTS, type Environment } from "@astral/contract";
import { z } from "zod";
import { UNIQUE_IMAGE_TAG } from "../infra/aws/imageTag";
import { planProblem } from "../portal/lib/config/offer";
import { exampleValueProblem } from "./examples";

export const CONFIG_NAMESPACE = "astral";
export const STACK_ROLES = ["sandbox", "production", "preview"] as const;
export type StackRole = (typeof STACK_ROLES)[number];

/** Keys that must be set with `pulumi config set --secret`, and how to produce their value. */
export const SECRET_KEYS = {
  auth0ClientSecret:
    "pulumi config set --secret astral:auth0ClientSecret <secret of the Pulumi bootstrap client>",
  sessionSecret: "openssl rand -hex 32 | pulumi config set --secret astral:sessionSecret",
} as const;
type SecretKey = keyof typeof SECRET_KEYS;

const host = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "must be a host name only (lower case, no protocol, port or slash), e.g. acme.eu.auth0.com",
  );
const email = z.email("must be an email address");
const positiveInt = (max: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1, `must be a whole number from 1 to ${max}`)
    .max(max, `must be a whole number from 1 to ${max}`);

/** The most tasks `astral:maxTasks` allows a stack's service. */
export const MAX_TASKS = 50;

/** `sha256:` followed by 64 lower-case hex digits, as `docker buildx` and ECR print digests. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
/** `org/project/stack`, the fully qualified name a StackReference needs. */
const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Settings every role has. */
const common = {
  /**
   * Public host name of the portal (ACM certificate + Route 53 alias). Required for sandbox and
   * production; a preview without one is served over plain HTTP on the ALB's DNS name.
   */
  domainName: host.optional(),
  /** Route 53 hosted zone that holds `domainName`. Required with `domainName`. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,32}$/, "must be a Route 53 hosted zone id such as Z0123456789ABC")
    .optional(),
  /** Session cookie encryption secret (AUTH0_SECRET), at least 32 characters. */
  sessionSecret: z.string().min(32, "must be at least 32 characters (use openssl rand -hex 32)"),
  /** Fargate task size. */
  cpu: z.enum(["256", "512", "1024", "2048"]).default("512"),
  memory: z.enum(["512", "1024", "2048", "4096"]).default("1024"),
  /** Autoscaling bounds (tasks). */
  minTasks: positiveInt(20).default(1),
  maxTasks: positiveInt(MAX_TASKS).default(4),
  /** CloudWatch log retention in days (a value CloudWatch accepts). */
  logRetentionDays: z.coerce
    .number({ error: "must be a number of days" })
    .refine((n) => LOG_RETENTION_DAYS.includes(n), {
      message: "must be one of the values CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, ...",
    })
    .default(30),
};

/** Settings of a stack that owns an Auth0 tenant (sandbox and production). */
const tenantOwner = {
  /** The tenant's domain, e.g. acme-sandbox.eu.auth0.com. */
  auth0Domain: host,
  /**
   * The tenant's Auth0 plan (free, essentials, professional, enterprise): it must serve the
   * credential kinds portal.config.js offers in this stack's environment (key pairs: enterprise).
   */
  auth0Plan: z.enum(AUTH0_PLANS, {
    error: `must be the tenant's Auth0 plan: one of ${AUTH0_PLANS.join(", ")}`,
  }),
  /** The bootstrap client the Pulumi auth0 provider uses in this tenant (see docs/deploy.md). */
  auth0ClientId: z.string().min(1, "must be the bootstrap client's id"),
  auth0ClientSecret: z.string().min(1),
  /** A real portal is served over HTTPS: its host name and Route 53 zone are required here. */
  domainName: host,
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,32}$/, "must be a Route 53 hosted zone id such as Z0123456789ABC"),
  /** The first portal admin: found by email or created, then given `portal-admin`. */
  adminEmail: email,
  /** Optional: the customer's API (audience) that issued credentials are granted to. */
  apiIdentifier: z.url("must be a URL such as https://api.example.com/").optional(),
  apiName: z.string().min(1).default("Customer API"),
};

/** Fargate's valid task sizes, restricted to the memory values the schema offers (MiB). */
const FARGATE_MEMORY: Record<string, string[]> = {
  "256": ["512", "1024", "2048"],
  "512": ["1024", "2048", "4096"],
  "1024": ["2048", "4096"],
  "2048": ["4096"],
};

/** CloudWatch Logs retention values (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** Unique per build (infra/aws/imageTag.ts): ECR tags are immutable. */
const imageTag = z
  .string()
  .regex(
    UNIQUE_IMAGE_TAG,
    'must be a tag no build used before: <git commit>-<build id>, e.g. "$(git rev-parse --short=12 HEAD)-$(date -u +%Y%m%dT%H%M%SZ)"',
  );

const SandboxConfig = z.object({
  role: z.literal("sandbox"),
  ...common,
  ...tenantOwner,
  /** Tag of the image this run builds: unique per build (tags are immutable in ECR). */
  imageTag,
  /** Optional: parent domain of preview portals; the login app then allows https://*.<it>. */
  previewDomain: host.optional(),
});

const ProductionConfig = z.object({
  role: z.literal("production"),
  ...common,
  ...tenantOwner,
  /** The digest promoted from sandbox: production builds nothing. */
  imageDigest: z
    .string()
    .regex(IMAGE_DIGEST, "must be sha256:<64 hex digits>, the digest sandbox runs"),
  /**
   * The ECR repository the digest is pulled from, pinned by the promotion with the digest: never
   * read from sandbox's outputs, so write access to sandbox cannot change what production pulls.
   */
  imageRepository: z
    .string()
    .regex(
      /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*$/,
      "must be an ECR repository URL, <account>.dkr.ecr.<region>.amazonaws.com/<name> (npm run promote -- prepare pins it)",
    ),
  sandboxStack: z
    .string()
    .regex(STACK_NAME, "must be <org>/<project>/<stack>, e.g. acme/astral/sandbox"),
});

const PreviewConfig = z.object({
  role: z.literal("preview"),
  ...common,
  imageTag,
  sandboxStack: z
    .string()
    .regex(STACK_NAME, "must be <org>/<project>/<stack>, e.g. acme/astral/sandbox"),
  prNumber: z.coerce
    .number({ error: "must be the pull request number" })
    .int("must be the pull request number")
    .min(1, "must be the pull request number"),
});

export const StackConfig = z
  .discriminatedUnion("role", [SandboxConfig, ProductionConfig, PreviewConfig], {
    error: () => `must be one of ${STACK_ROLES.join(", ")}`,
  })
  .superRefine((config, ctx) => {
    if (config.domainName && !config.hostedZoneId) {
      ctx.addIssue({
        code: "custom",
        path: ["hostedZoneId"],
        message: "is required when astral:domainName is set",
      });
    }
    const memories = FARGATE_MEMORY[config.cpu] ?? [];
    if (!memories.includes(config.memory)) {
      ctx.addIssue({
        code: "custom",
        path: ["memory"],
        message: `must be one of ${memories.join(", ")} with astral:cpu ${config.cpu} (Fargate task sizes)`,
      });
    }
    if (config.minTasks > config.maxTasks) {
      ctx.addIssue({
        code: "custom",
        path: ["maxTasks"],
        message: `must be at least astral:minTasks (${config.minTasks})`,
      });
    }
  });
export type StackConfig = z.infer<typeof StackConfig>;
export type SandboxConfig = z.infer<typeof SandboxConfig>;
export type ProductionConfig = z.infer<typeof ProductionConfig>;
export type PreviewConfig = z.infer<typeof PreviewConfig>;

/** A config that cannot be used; its message lists every problem by its config key. */
export class StackConfigError extends Error {
  readonly code = "invalid_stack_config";
  constructor(readonly problems: string[]) {
    super(`Invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/**
 * Parses raw config values (keys without the namespace, values as Pulumi stores them: strings)
 * into a typed config, or throws a StackConfigError listing every problem.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, string | undefined>>,
  /** Keys of SECRET_KEYS that are set, but in plain text (without `--secret`). */
  plainSecrets: readonly string[] = [],
  /**
   * The credential kinds portal.config.js offers per environment (`offeredKindsOf()`); a
   * tenant-owning stack's `auth0Plan` must serve its environment's. Absent: not checked.
   */
  offer?: Readonly<Record<Environment, readonly CredentialKind[]>>,
): StackConfig {
  // Values the committed stack files ship as examples must be replaced before a deploy.
  const placeholders = Object.entries(raw)
    .filter(([, value]) => value !== undefined && isPlaceholder(value))
    .map(([key]) => key);
  // The docs' example values (acme.example, the acme tenants and organization) are no config.
  const examples = Object.entries(raw).flatMap(([key, value]) => {
    const problem = value === undefined ? undefined : exampleValueProblem(key, value);
    return problem ? [{ key, problem }] : [];
  });
  const refused = [...placeholders, ...examples.map((e) => e.key)];
  const result = StackConfig.safeParse(raw);
  const planProblems = result.success && offer ? offeredKindsProblems(result.data, offer) : [];
  if (
    result.success &&
    refused.length === 0 &&
    plainSecrets.length === 0 &&
    planProblems.length === 0
  )
    return result.data;
  const issues = result.success ? [] : result.error.issues;
  const problems = [
    ...planProblems,
    ...plainSecrets.map(
      (key) =>
        `${CONFIG_NAMESPACE}:${key} is stored in plain text: remove it from Pulumi.<stack>.yaml, then ${SECRET_KEYS[key as SecretKey] ?? "set it with --secret"}`,
    ),
    ...placeholders.map(
      (key) =>
        `${CONFIG_NAMESPACE}:${key} still holds the stack file's placeholder: set the real value (see its comment in Pulumi.<stack>.yaml)`,
    ),
    ...examples.map(({ key, problem }) => `${CONFIG_NAMESPACE}:${key} ${problem}`),
  ];
  const zodProblems = issues
    .filter((issue) => !refused.includes(String(issue.path[0])))
    .map((issue) => {
      const key = String(issue.path[0] ?? "role");
      const fullKey = `${CONFIG_NAMESPACE}:${key}`;
      const missing = raw[key] === undefined && issue.code !== "custom";
      if (missing && key in SECRET_KEYS) {
        return `${fullKey} is missing: ${SECRET_KEYS[key as SecretKey]}`;
      }
      if (missing) return `${fullKey} is missing: pulumi config set ${fullKey} <value>`;
      return `${fullKey} ${issue.message}`;
    });
  throw new StackConfigError([...new Set([...problems, ...zodProblems])]);
}

/**
 * A tenant-owning stack's plan against what portal.config.js offers in its environment: key pairs
 * need an Enterprise tenant (Auth0 refuses Private Key JWT elsewhere), so a plan that cannot
 * serve the offer fails the preview, naming both settings.
 */
function offeredKindsProblems(
  config: StackConfig,
  offer: Readonly<Record<Environment, readonly CredentialKind[]>>,
): string[] {
  if (config.role === "preview") return [];
  const environment = ENVIRONMENTS.find((e) => e === config.role);
  if (!environment) return [];
  const problem = planProblem(
    config.auth0Plan,
    environment,
    offer[environment],
    `${CONFIG_NAMESPACE}:auth0Plan`,
  );
  return problem ? [problem] : [];
}

/** `REPLACE_WITH_...` values and the all-zero digest are the stack files' placeholders. */
export function isPlaceholder(value: string): boolean {
  return value.startsWith("REPLACE_WITH") || value === `sha256:${"0".repeat(64)}`;
}

/** Every key the schema knows, for reading them out of Pulumi's config. */
export const CONFIG_KEYS = [
  ...new Set(
    [SandboxConfig, ProductionConfig, PreviewConfig].flatMap((schema) => Object.keys(schema.shape)),
  ),
];
