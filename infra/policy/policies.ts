/**
 * CrossGuard policies for the Astral stacks, as plain objects: tests call `validateResource` /
 * `validateStack` directly; `index.ts` only wraps them in a PolicyPack (which starts a server).
 * Property names are the Pulumi (camelCase) ones the providers' schemas use.
 */
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  AUTH0_PLANS,
  type Auth0Plan,
  BACKEND_METADATA,
  backendScopes,
  CREDENTIAL_KINDS,
  type CredentialKind,
  kindsRefusedOnPlan,
  PORTAL_ENV,
  PORTAL_SECRET_ENV,
} from "@astral/contract";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { BUILD_CACHE_TAG, CACHE_TAG_MUTABILITY, PLAIN_HTTP_TAG, ROLE_TAG } from "../aws/tags";

/** Names that look like they carry a secret, beyond the contract's list. */
const SECRET_LIKE = /SECRET|PASSWORD|TOKEN|PRIVATE_KEY|API_KEY/i;

/** The most a Management API grant may hold: the 20 scopes and what key pairs need. */
const MOST_SCOPES = backendScopes([CREDENTIAL_KINDS.clientSecret, CREDENTIAL_KINDS.keyPair]);

export const backendGrantScopes: ResourceValidationPolicy = {
  name: "astral-backend-grant-scopes",
  description:
    "A Management API grant may carry only the contract's scopes (backendScopes: the 20, plus create:client_credentials for key pairs), never allowAllScopes.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "auth0:index/clientGrant:ClientGrant") return;
    const audience = args.props.audience;
    if (typeof audience !== "string" || !audience.endsWith("/api/v2/")) return;
    if (args.props.allowAllScopes === true) {
      reportViolation(
        `Grant on ${audience} sets allowAllScopes; list the contract's scopes instead.`,
      );
    }
    const scopes: unknown[] = Array.isArray(args.props.scopes) ? args.props.scopes : [];
    const extra = scopes.filter((s) => !MOST_SCOPES.includes(String(s)));
    if (extra.length > 0) {
      reportViolation(`Grant on ${audience} has scopes outside the contract: ${extra.join(", ")}.`);
    }
  },
};

export const backendPlanServesKinds: ResourceValidationPolicy = {
  name: "astral-backend-plan-serves-kinds",
  description:
    "The Astral Backend states its tenant's Auth0 plan and offered credential kinds (client_metadata), and the plan serves them: key pairs (Private Key JWT) need enterprise.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "auth0:index/client:Client") return;
    if (args.props.name !== ASTRAL_BACKEND_CLIENT_NAME) return;
    const metadata: Record<string, unknown> = args.props.clientMetadata ?? {};
    const plan = metadata[BACKEND_METADATA.plan];
    const kinds = String(metadata[BACKEND_METADATA.credentialKinds] ?? "")
      .split(" ")
      .filter(Boolean) as CredentialKind[];
    if (typeof plan !== "string" || !(AUTH0_PLANS as readonly string[]).includes(plan)) {
      reportViolation(
        `The Astral Backend does not state its tenant's Auth0 plan (client_metadata.${BACKEND_METADATA.plan}); set astral:auth0Plan.`,
      );
      return;
    }
    const refused = kindsRefusedOnPlan(plan as Auth0Plan, kinds);
    if (refused.length > 0)
      reportViolation(
        `The tenant's Auth0 plan "${plan}" (astral:auth0Plan) refuses ${refused.join(", ")} credentials, which portal.config.js offers (credentialKinds); Private Key JWT needs enterprise.`,
      );
  },
};

export const noPlaintextSecretInTaskDefinition: ResourceValidationPolicy = {
  name: "astral-no-plaintext-secret-in-task-definition",
  description:
    "Secrets reach ECS tasks only through secrets[].valueFrom (a Secrets Manager or SSM ARN), never environment.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:ecs/taskDefinition:TaskDefinition") return;
    const raw = args.props.containerDefinitions;
    if (typeof raw !== "string") return; // unknown during preview
    let containers: Array<{
      name?: string;
      environment?: Array<{ name?: string }>;
      secrets?: Array<{ name?: string; valueFrom?: string }>;
    }>;
    try {
      containers = JSON.parse(raw);
    } catch {
      reportViolation("containerDefinitions is not valid JSON.");
      return;
    }
    for (const container of containers) {
      for (const variable of container.environment ?? []) {
        const name = String(variable.name ?? "");
        if (PORTAL_SECRET_ENV.includes(name) || SECRET_LIKE.test(name)) {
          reportViolation(
            `Container ${container.name}: ${name} is a secret in plain environment; use secrets[].valueFrom.`,
          );
        }
      }
      for (const secret of container.secrets ?? []) {
        if (!/^arn:aws[a-z-]*:(secretsmanager|ssm):/.test(String(secret.valueFrom ?? ""))) {
          reportViolation(
            `Container ${container.name}: secret ${secret.name} must come from a Secrets Manager or SSM ARN.`,
          );
        }
      }
    }
  },
};

/** Parsed container definitions of a task definition, or undefined while unknown (preview). */
function containersOf(
  props: Record<string, unknown>,
): Array<{ name?: string; environment?: Array<{ name?: string; value?: string }> }> | undefined {
  const raw = props.containerDefinitions;
  if (typeof raw !== "string") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export const plainHttpOnlyInPreviews: ResourceValidationPolicy = {
  name: "astral-plain-http-only-in-previews",
  description: `${PORTAL_ENV.login.plainHttpPreview} (the portal's allowance for an http base URL) only on a preview stack's task definition.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:ecs/taskDefinition:TaskDefinition") return;
    const tags: Record<string, string> = args.props.tags ?? {};
    if (tags[ROLE_TAG] === "preview") return;
    for (const container of containersOf(args.props) ?? []) {
      if (container.environment?.some((v) => v.name === PORTAL_ENV.login.plainHttpPreview)) {
        reportViolation(
          `Container ${container.name}: ${PORTAL_ENV.login.plainHttpPreview} is set on a ${tags[ROLE_TAG] ?? "untagged"} stack; only a preview without a domain may serve the portal over http.`,
        );
      }
    }
  },
};

export const albListenersHttps: ResourceValidationPolicy = {
  name: "astral-alb-listeners-https",
  description:
    "ALB listeners serve HTTPS, or redirect HTTP to HTTPS (a preview without a domain may opt out by tag).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:lb/listener:Listener") return;
    const protocol = args.props.protocol;
    if (protocol === "HTTPS" || protocol === "TLS") return;
    const actions: Array<{ type?: string; redirect?: { protocol?: string } }> =
      args.props.defaultActions ?? [];
    const redirectsToHttps =
      actions.length > 0 &&
      actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
    if (redirectsToHttps) return;
    const tags: Record<string, string> = args.props.tags ?? {};
    if (tags[PLAIN_HTTP_TAG] === "no-domain" && tags[ROLE_TAG] === "preview") return;
    reportViolation(
      `Listener on port ${args.props.port} serves ${protocol} without redirecting to HTTPS.`,
    );
  },
};

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "astral-ecr-scan-on-push",
  description: "ECR repositories scan images on push and keep tags immutable.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:ecr/repository:Repository") return;
    if (args.props.imageScanningConfiguration?.scanOnPush !== true) {
      reportViolation("ECR repository must set imageScanningConfiguration.scanOnPush = true.");
    }
    // The build cache repository may exclude exactly its one cache tag, nothing else.
    const cacheOnly =
      args.props.imageTagMutability === CACHE_TAG_MUTABILITY.imageTagMutability &&
      JSON.stringify(args.props.imageTagMutabilityExclusionFilters) ===
        JSON.stringify(CACHE_TAG_MUTABILITY.imageTagMutabilityExclusionFilters);
    if (args.props.imageTagMutability !== "IMMUTABLE" && !cacheOnly) {
      reportViolation(
        `ECR repository must set imageTagMutability = "IMMUTABLE" (a build cache repository: immutable except the "${BUILD_CACHE_TAG}" tag).`,
      );
    }
  },
};

export const logRetentionSet: ResourceValidationPolicy = {
  name: "astral-log-retention-set",
  description: "CloudWatch log groups set a retention (never keep logs forever by omission).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:cloudwatch/logGroup:LogGroup") return;
    const days = args.props.retentionInDays;
    if (typeof days !== "number" || days <= 0) {
      reportViolation("Log group must set retentionInDays.");
    }
  },
};

/** Auth0 resources, the auth0 provider and the PortalAdmin dynamic resource. */
function touchesAuth0(type: string): boolean {
  return (
    type.startsWith("auth0:") ||
    type === "pulumi:providers:auth0" ||
    type === "pulumi-nodejs:dynamic/astral:PortalAdmin"
  );
}

export const previewOwnsNoTenantResources: StackValidationPolicy = {
  name: "astral-preview-declares-nothing-in-a-tenant",
  description:
    "A preview stack borrows the sandbox backend: it declares no Auth0 resource, provider or admin, so it can never touch the production tenant.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const isPreview = args.resources.some((r) => r.props?.tags?.[ROLE_TAG] === "preview");
    if (!isPreview) return;
    for (const resource of args.resources) {
      if (touchesAuth0(resource.type)) {
        reportViolation(`Preview stack declares ${resource.type} ${resource.name}.`, resource.urn);
      }
    }
  },
};

export const resourcePolicies = [
  backendGrantScopes,
  backendPlanServesKinds,
  noPlaintextSecretInTaskDefinition,
  plainHttpOnlyInPreviews,
  albListenersHttps,
  ecrScanOnPush,
  logRetentionSet,
];
export const stackPolicies = [previewOwnsNoTenantResources];
