/**
 * The three stack roles (ARCHITECTURE.md "Stacks and environments"), one function each, chosen
 * once by `astral:role`:
 *
 * | role       | owns in Auth0                                   | image                        |
 * |------------|-------------------------------------------------|------------------------------|
 * | sandbox    | sandbox tenant: backend, grant, login, admin    | built from source, pushed    |
 * | production | production tenant: the same set                | sandbox's image by digest    |
 * | preview    | nothing (sandbox backend + login by reference)  | built from source, pushed    |
 */
import { type CredentialKind, type Environment, PORTAL_ENV } from "@astral/contract";
import * as pulumi from "@pulumi/pulumi";
import { ApiResourceServer } from "../infra/auth0/apiResourceServer";
import { AstralBackend, type BackendCredentials } from "../infra/auth0/astralBackend";
import { PortalAdmin } from "../infra/auth0/portalAdmin";
import { PortalLogin } from "../infra/auth0/portalLogin";
import { tenantProvider } from "../infra/auth0/tenantProvider";
import { FrontDoor } from "../infra/aws/frontDoor";
import { keptImageTags } from "../infra/aws/keptImages";
import {
  Network,
  type PortalNetwork,
  type SharedNetworkOutput,
  sharedNetwork,
  twoAvailabilityZones,
} from "../infra/aws/network";
import { ImageRepository, PortalImage, PREVIEW_TAG_PREFIX } from "../infra/aws/registry";
import { PortalSecrets } from "../infra/aws/secrets";
import { PortalService } from "../infra/aws/service";
import { ROLE_TAG } from "../infra/aws/tags";
import { contextHash } from "../scripts/image/context";
import type { PreviewConfig, ProductionConfig, SandboxConfig, StackConfig } from "./config";
import {
  portalRateEnv,
  SANDBOX_RATE_OUTPUTS,
  sandboxPortalShare,
  type TenantShare,
} from "./portal-rate";

/** Secret config values, already wrapped: the plain strings never reach a resource input. */
export interface StackSecrets {
  auth0ClientSecret?: pulumi.Output<string>;
  sessionSecret: pulumi.Output<string>;
}

export interface StackContext {
  project: string;
  stack: string;
  region: string;
  /** Repository root: the image build context. */
  repoRoot: string;
  /** The credential kinds portal.config.js offers per environment (the grant follows them). */
  credentialKinds: Readonly<Record<Environment, readonly CredentialKind[]>>;
}

/** The stack outputs every role exports (the gitops scripts read these names). */
export interface StackOutputs {
  portalUrl: pulumi.Output<string>;
  imageDigest: pulumi.Input<string>;
  imageRepository: pulumi.Input<string>;
  /** Sandbox only: the tag it pushed its image as (promotion records it). */
  imageTag?: pulumi.Input<string>;
  /** Sandbox only: the build cache repository previews read (and only sandbox writes). */
  imageCacheRepository?: pulumi.Input<string>;
  tenantDomains: pulumi.Input<Record<string, pulumi.Input<string>>>;
  backendClientIds: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Sandbox only, secret: read by production and previews through a StackReference. */
  sandboxBackend?: pulumi.Output<BackendCredentials>;
  /** Sandbox only, secret: the login application previews borrow. */
  sandboxLogin?: pulumi.Output<BackendCredentials>;
  /**
   * Preview only, secret: the session secret, kept in the stack's state so that the next CI run
   * (a fresh checkout without the stack's config file) sets the same one (scripts/preview).
   */
  sessionSecret?: pulumi.Output<string>;
  /** Sandbox only: the VPC and subnets previews run in (no VPC per preview). */
  network?: pulumi.Output<SharedNetworkOutput>;
  adminUserId?: pulumi.Output<string>;
  apiIdentifier?: pulumi.Output<string>;
  /** Sandbox only: its tenant's plan and its portal's most tasks (portal-rate.ts). */
  [SANDBOX_RATE_OUTPUTS.plan]?: string;
  [SANDBOX_RATE_OUTPUTS.maxTasks]?: number;
}

/** Every Auth0 credential a portal gets: the domain and client id are plain, the secret is not. */
interface PortalCredentials {
  management: Partial<Record<"production" | "sandbox", pulumi.Input<BackendCredentials>>>;
  login: pulumi.Input<BackendCredentials>;
  /** Production and previews: the sandbox portal, which shares the sandbox tenant's limit. */
  sandboxPortal?: pulumi.Output<TenantShare>;
}

export function declareStack(
  config: StackConfig,
  secrets: StackSecrets,
  ctx: StackContext,
): StackOutputs {
  switch (config.role) {
    case "sandbox":
      return sandboxStack(config, secrets, ctx);
    case "production":
      return productionStack(config, secrets, ctx);
    case "preview":
      return previewStack(config, secrets, ctx);
  }
}

function tagsOf(config: StackConfig, ctx: StackContext): Record<string, string> {
  return { "astral:project": ctx.project, "astral:stack": ctx.stack, [ROLE_TAG]: config.role };
}

/** The Auth0 resources a tenant-owning stack declares in its own tenant. */
function tenantResources(
  environment: "production" | "sandbox",
  config: SandboxConfig | ProductionConfig,
  secrets: StackSecrets,
  ctx: StackContext,
  portalUrl: pulumi.Output<string>,
  extraBaseUrls: string[],
) {
  if (!secrets.auth0ClientSecret) throw new Error("astral:auth0ClientSecret is not set");
  const provider = tenantProvider(`${environment}-tenant`, {
    domain: config.auth0Domain,
    clientId: config.auth0ClientId,
    clientSecret: secrets.auth0ClientSecret,
  });
  // Production's clients, their credentials and the grant: a destroy or an accidental
  // replacement would cut off every portal user and issued credential (protect is inherited).
  const protect = { protect: environment === "production" };
  const backend = new AstralBackend(
    `${environment}-backend`,
    {
      domain: config.auth0Domain,
      provider,
      credentialKinds: ctx.credentialKinds[environment],
      plan: config.auth0Plan,
    },
    protect,
  );
  const login = new PortalLogin(
    `${environment}-login`,
    { domain: config.auth0Domain, portalUrl, extraBaseUrls, provider },
    protect,
  );
  const api = config.apiIdentifier
    ? new ApiResourceServer(`${environment}-api`, {
        identifier: config.apiIdentifier,
        displayName: config.apiName,
        provider,
      })
    : undefined;
  // Acts with the backend's own credentials: it needs the grant in place first, and the database
  // connection enabled for the backend (Auth0 creates users only for such a client).
  const admin = new PortalAdmin(
    `${environment}-admin`,
    { email: config.adminEmail, backend: backend.credentialsOutput() },
    { dependsOn: [backend.grant, backend.connection] },
  );
  return { backend, login, api, admin };
}

function loginCredentials(login: PortalLogin): pulumi.Output<BackendCredentials> {
  return pulumi.secret(
    pulumi
      .all([login.domain, login.clientId, login.clientSecret])
      .apply(([domain, clientId, clientSecret]) => ({ domain, clientId, clientSecret })),
  );
}

/** The portal on AWS: network, front door, secrets, service. */
function portalOnAws(
  config: StackConfig,
  secrets: StackSecrets,
  ctx: StackContext,
  frontDoor: FrontDoor,
  network: PortalNetwork,
  image: pulumi.Input<string>,
  credentials: PortalCredentials,
) {
  const retain = config.role !== "preview";
  const tags = tagsOf(config, ctx);
  const plain = (value: pulumi.Input<BackendCredentials>, key: "domain" | "clientId") =>
    // Domain and client id are not secrets, even when they arrive inside a secret object.
    pulumi.unsecret(pulumi.output(value).apply((v) => v[key]));
  const secret = (value: pulumi.Input<BackendCredentials>) =>
    pulumi.secret(pulumi.output(value).apply((v) => v.clientSecret));

  const environment: Record<string, pulumi.Input<string>> = {
    NODE_ENV: "production",
    // Next.js standalone binds to HOSTNAME; ECS sets it to the task's host name otherwise.
    HOSTNAME: "0.0.0.0",
    PORT: "3000",
    [PORTAL_ENV.login.domain]: plain(credentials.login, "domain"),
    [PORTAL_ENV.login.clientId]: plain(credentials.login, "clientId"),
    [PORTAL_ENV.login.baseUrl]: frontDoor.url,
  };
  // A preview without a domain is served over http on its ALB's name; the portal refuses an http
  // base URL in production unless told this is such a preview (a policy allows it nowhere else).
  if (config.role === "preview" && !config.domainName)
    environment[PORTAL_ENV.login.plainHttpPreview] = "no-domain";
  const ownPlan = config.role === "preview" ? undefined : config.auth0Plan;
  Object.assign(
    environment,
    portalRateEnv({ plan: ownPlan, maxTasks: config.maxTasks }, credentials.sandboxPortal),
  );
  const secretValues: Record<string, pulumi.Input<string>> = {
    [PORTAL_ENV.login.clientSecret]: secret(credentials.login),
    [PORTAL_ENV.login.sessionSecret]: secrets.sessionSecret,
  };
  for (const [env, value] of Object.entries(credentials.management)) {
    if (!value) continue;
    const names = PORTAL_ENV.management[env as "production" | "sandbox"];
    environment[names.domain] = plain(value, "domain");
    environment[names.clientId] = plain(value, "clientId");
    secretValues[names.clientSecret] = secret(value);
  }

  const portalSecrets = new PortalSecrets("portal", {
    values: secretValues,
    namePrefix: `astral/${ctx.stack}`,
    retain,
    tags,
  });
  return new PortalService("portal", {
    network,
    frontDoor,
    image,
    environment,
    secretArns: portalSecrets.arns,
    secretValueFroms: portalSecrets.valueFroms,
    cpu: config.cpu,
    memory: config.memory,
    minTasks: config.minTasks,
    maxTasks: config.maxTasks,
    logRetentionDays: config.logRetentionDays,
    region: ctx.region,
    retain,
    family: `${ctx.project}-${ctx.stack}-portal`,
    tags,
  });
}

/** A network of the stack's own: sandbox and production. */
function ownNetwork(config: StackConfig, ctx: StackContext, natGateway: boolean): Network {
  return new Network("portal", {
    availabilityZones: twoAvailabilityZones(ctx.region),
    natGateway,
    tags: tagsOf(config, ctx),
  });
}

function edge(config: StackConfig, ctx: StackContext, network: PortalNetwork) {
  const tags = tagsOf(config, ctx);
  const domain =
    config.domainName && config.hostedZoneId
      ? { domainName: config.domainName, hostedZoneId: config.hostedZoneId }
      : undefined;
  // Production's ALB cannot be deleted by accident (a destroy, a replacement).
  const deletionProtection = config.role === "production";
  const frontDoor = new FrontDoor("portal", { network, domain, tags, deletionProtection });
  return { network, frontDoor };
}

function sandboxStack(
  config: SandboxConfig,
  secrets: StackSecrets,
  ctx: StackContext,
): StackOutputs {
  const network = ownNetwork(config, ctx, false);
  const { frontDoor } = edge(config, ctx, network);
  const previewBases = config.previewDomain ? [`https://*.${config.previewDomain}`] : [];
  const tenant = tenantResources("sandbox", config, secrets, ctx, frontDoor.url, previewBases);
  const repository = new ImageRepository("portal", {
    retain: true,
    tags: tagsOf(config, ctx),
    keepTags: keptImageTags(config.imageTag, ctx.repoRoot),
  });
  const image = new PortalImage("portal", {
    repositoryUrl: repository.repositoryUrl,
    tag: config.imageTag,
    contextDir: ctx.repoRoot,
    // Production pins this image's digest: never delete it with this resource.
    retain: true,
    buildId: contextHash(ctx.repoRoot),
    cache: { repositoryUrl: repository.cacheRepositoryUrl, write: true },
  });
  const sandboxBackend = tenant.backend.credentialsOutput();
  const sandboxLogin = loginCredentials(tenant.login);
  portalOnAws(config, secrets, ctx, frontDoor, network, image.imageRef, {
    management: { sandbox: sandboxBackend },
    login: sandboxLogin,
  });
  return {
    portalUrl: frontDoor.url,
    imageDigest: image.digest,
    imageRepository: repository.repositoryUrl,
    imageTag: config.imageTag,
    imageCacheRepository: repository.cacheRepositoryUrl,
    tenantDomains: { sandbox: config.auth0Domain },
    backendClientIds: { sandbox: tenant.backend.clientId },
    sandboxBackend,
    sandboxLogin,
    network: network.shared(),
    adminUserId: tenant.admin.userId,
    apiIdentifier: tenant.api?.identifier,
    [SANDBOX_RATE_OUTPUTS.plan]: config.auth0Plan,
    [SANDBOX_RATE_OUTPUTS.maxTasks]: config.maxTasks,
  };
}

function productionStack(
  config: ProductionConfig,
  secrets: StackSecrets,
  ctx: StackContext,
): StackOutputs {
  const sandbox = new pulumi.StackReference(config.sandboxStack);
  // requireOutput keeps the secretness the sandbox stack gave the output.
  const sandboxBackend = sandbox.requireOutput(
    "sandboxBackend",
  ) as pulumi.Output<BackendCredentials>;
  // Pinned in production's own config by the promotion, not read from sandbox's outputs.
  const imageRepository = config.imageRepository;
  const network = ownNetwork(config, ctx, true);
  const { frontDoor } = edge(config, ctx, network);
  const tenant = tenantResources("production", config, secrets, ctx, frontDoor.url, []);
  // Promotion: the exact image sandbox ran, by digest. Nothing is built here.
  const image = pulumi.interpolate`${imageRepository}@${config.imageDigest}`;
  portalOnAws(config, secrets, ctx, frontDoor, network, image, {
    management: { production: tenant.backend.credentialsOutput(), sandbox: sandboxBackend },
    login: loginCredentials(tenant.login),
    sandboxPortal: sandboxPortalShare(sandbox),
  });
  return {
    portalUrl: frontDoor.url,
    imageDigest: config.imageDigest,
    imageRepository,
    tenantDomains: {
      production: config.auth0Domain,
      sandbox: pulumi.unsecret(sandboxBackend.apply((b) => b.domain)),
    },
    backendClientIds: {
      production: tenant.backend.clientId,
      sandbox: pulumi.unsecret(sandboxBackend.apply((b) => b.clientId)),
    },
    adminUserId: tenant.admin.userId,
    apiIdentifier: tenant.api?.identifier,
  };
}

function previewStack(
  config: PreviewConfig,
  secrets: StackSecrets,
  ctx: StackContext,
): StackOutputs {
  const sandbox = new pulumi.StackReference(config.sandboxStack);
  const sandboxBackend = sandbox.requireOutput(
    "sandboxBackend",
  ) as pulumi.Output<BackendCredentials>;
  const sandboxLogin = sandbox.requireOutput("sandboxLogin") as pulumi.Output<BackendCredentials>;
  const imageRepository = sandbox.requireOutput("imageRepository") as pulumi.Output<string>;
  // Sandbox's VPC and subnets: a VPC per preview would hit the quota of five per region.
  const network = sharedNetwork(
    sandbox.requireOutput("network") as pulumi.Output<SharedNetworkOutput>,
  );
  const { frontDoor } = edge(config, ctx, network);
  const image = new PortalImage("portal", {
    repositoryUrl: imageRepository,
    tag: previewImageTag(config),
    contextDir: ctx.repoRoot,
    retain: false,
    buildId: contextHash(ctx.repoRoot),
    // PR code reads sandbox's cache but never writes it: it must not poison sandbox's builds.
    cache: {
      repositoryUrl: sandbox.requireOutput("imageCacheRepository") as pulumi.Output<string>,
      write: false,
    },
  });
  portalOnAws(config, secrets, ctx, frontDoor, network, image.imageRef, {
    management: { sandbox: sandboxBackend },
    login: sandboxLogin,
    sandboxPortal: sandboxPortalShare(sandbox),
  });
  return {
    portalUrl: frontDoor.url,
    imageDigest: image.digest,
    imageRepository,
    tenantDomains: { sandbox: pulumi.unsecret(sandboxBackend.apply((b) => b.domain)) },
    backendClientIds: { sandbox: pulumi.unsecret(sandboxBackend.apply((b) => b.clientId)) },
    sessionSecret: pulumi.secret(secrets.sessionSecret),
  };
}

/** Preview images are tagged `pr-<n>-<tag>` so the ECR lifecycle can expire them. */
export function previewImageTag(config: PreviewConfig): string {
  const prefix = `${PREVIEW_TAG_PREFIX}${config.prNumber}-`;
  return config.imageTag.startsWith(prefix) ? config.imageTag : `${prefix}${config.imageTag}`;
}
