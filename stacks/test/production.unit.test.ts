/**
 * The production stack under Pulumi mocks: the image pinned by digest (nothing built), the
 * sandbox backend read by StackReference and kept secret, HTTPS, NAT, its own tenant only.
 */
import { MANAGEMENT_API_SCOPES, PORTAL_ENV, PORTAL_SECRET_ENV } from "@astral/contract";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackOutputs } from "../roles";
import {
  byType,
  checkTaskSecrets,
  dependenciesOf,
  findLeaks,
  inventory,
  isProtected,
  loadStack,
  MOCK_SECRETS,
  one,
  outputLeaks,
  policyViolations,
  records,
  resolve,
  SANDBOX_REF,
  stackRefs,
  taskEnv,
  unwrap,
  urnOf,
} from "./harness";

const SESSION_SECRET = "production-session-secret-0123456789abcdef";
const BOOTSTRAP_SECRET = "production-bootstrap-secret";
const DIGEST = `sha256:${"c".repeat(64)}`;
/** Production's own pin: deliberately not sandbox's output, which production must not follow. */
const PINNED_REPOSITORY = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-pinned";
let outputs: StackOutputs;

beforeAll(async () => {
  outputs = await loadStack("production", {
    "aws:region": "eu-west-1",
    role: "production",
    auth0Domain: "fixture.eu.auth0.com",
    // Above the sandbox tenant's plan (essentials, SANDBOX_REF): the portal keeps to the lower.
    auth0Plan: "professional",
    auth0ClientId: "bootstrapClientId",
    auth0ClientSecret: BOOTSTRAP_SECRET,
    adminEmail: "admin@fixture.test",
    imageDigest: DIGEST,
    imageRepository: PINNED_REPOSITORY,
    sandboxStack: "fixture-org/astral/sandbox",
    sessionSecret: SESSION_SECRET,
    domainName: "portal.fixture.test",
    hostedZoneId: "Z0123456789ABC",
  });
});

describe("production stack", () => {
  it("declares exactly this graph: its tenant's Auth0 set, the portal on AWS with a NAT gateway, a StackReference, no build", () => {
    expect(inventory()).toEqual({
      "astral:auth0:AstralBackend": 1,
      "astral:auth0:PortalLogin": 1,
      "astral:aws:FrontDoor": 1,
      "astral:aws:Network": 1,
      "astral:aws:PortalSecrets": 1,
      "astral:aws:PortalService": 1,
      "auth0:index/client:Client": 2,
      "auth0:index/clientCredentials:ClientCredentials": 2,
      "auth0:index/clientGrant:ClientGrant": 1,
      "auth0:index/connectionClient:ConnectionClient": 2,
      "aws:acm/certificate:Certificate": 1,
      "aws:acm/certificateValidation:CertificateValidation": 1,
      "aws:appautoscaling/policy:Policy": 1,
      "aws:appautoscaling/target:Target": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:ec2/eip:Eip": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/natGateway:NatGateway": 1,
      "aws:ec2/routeTable:RouteTable": 2,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ec2/subnet:Subnet": 4,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/service:Service": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      "aws:lb/listener:Listener": 2,
      "aws:lb/loadBalancer:LoadBalancer": 1,
      "aws:lb/targetGroup:TargetGroup": 1,
      "aws:route53/record:Record": 2,
      "aws:secretsmanager/secret:Secret": 4,
      "aws:secretsmanager/secretVersion:SecretVersion": 4,
      "pulumi-nodejs:dynamic/astral:PortalAdmin": 1,
      "pulumi:providers:auth0": 1,
      "pulumi:pulumi:StackReference": 1,
    });
  });

  it("builds nothing and runs the image pinned by its own config (repository and digest), not sandbox's output", () => {
    expect(byType("docker-build:index:Image")).toEqual([]);
    expect(byType("aws:ecr/repository:Repository")).toEqual([]);
    const container = checkTaskSecrets([...PORTAL_SECRET_ENV]);
    expect(container.image).toBe(`${PINNED_REPOSITORY}@${DIGEST}`);
  });

  it("reads the sandbox stack by StackReference, and its credentials stay secret", async () => {
    expect(stackRefs).toEqual(["fixture-org/astral/sandbox"]);
    const sandboxVersion = byType("aws:secretsmanager/secretVersion:SecretVersion").find(
      (v) => unwrap(v.inputs.secretString) === MOCK_SECRETS.sandboxRefSecret,
    );
    expect(sandboxVersion?.inputs.secretString).toMatchObject({
      value: MOCK_SECRETS.sandboxRefSecret,
    });
    expect(findLeaks([MOCK_SECRETS.sandboxRefSecret])).toEqual([]);
    // Domain and client id are not secret: they are plain environment variables.
    const env = taskEnv(checkTaskSecrets([...PORTAL_SECRET_ENV]));
    expect(env).toMatchObject({
      [PORTAL_ENV.management.sandbox.domain]: SANDBOX_REF.sandboxBackend.domain,
      [PORTAL_ENV.management.sandbox.clientId]: SANDBOX_REF.sandboxBackend.clientId,
      [PORTAL_ENV.management.production.domain]: "fixture.eu.auth0.com",
      [PORTAL_ENV.management.production.clientId]: "production-backend-client-client-id",
      [PORTAL_ENV.login.domain]: "fixture.eu.auth0.com",
      [PORTAL_ENV.login.baseUrl]: "https://portal.fixture.test",
    });
  });

  it("keeps the portal to each tenant's plan, shared by the portals that call it", () => {
    const env = taskEnv(checkTaskSecrets([...PORTAL_SECRET_ENV]));
    // Its own tenant is professional, and only its own tasks (at most 4, the default) call it.
    expect(env[PORTAL_ENV.rate.production.plan]).toBe("professional");
    expect(env[PORTAL_ENV.rate.production.tasks]).toBe("4");
    // The sandbox tenant is essentials (sandbox's output); its own 4 and sandbox's 3 call it.
    expect(env[PORTAL_ENV.rate.sandbox.plan]).toBe("essentials");
    expect(env[PORTAL_ENV.rate.sandbox.tasks]).toBe("7");
  });

  it("owns only production tenant resources, under one explicit provider", () => {
    const provider = one("pulumi:providers:auth0");
    expect(unwrap(provider.inputs.domain)).toBe("fixture.eu.auth0.com");
    for (const r of records.filter((r) => r.type.startsWith("auth0:"))) {
      expect(r.provider).toContain(`::pulumi:providers:auth0::${provider.name}::`);
    }
    const grant = one("auth0:index/clientGrant:ClientGrant");
    expect(grant.inputs.audience).toBe("https://fixture.eu.auth0.com/api/v2/");
    expect(grant.inputs.scopes).toEqual([...MANAGEMENT_API_SCOPES]);
    expect(one("pulumi-nodejs:dynamic/astral:PortalAdmin").inputs.backend).toMatchObject({
      value: { domain: "fixture.eu.auth0.com" },
    });
    expect(byType("auth0:index/resourceServer:ResourceServer")).toEqual([]); // no apiIdentifier set
  });

  it("exports the promoted digest and both tenants, credentials nowhere in plain outputs", async () => {
    expect(await resolve(outputs.imageDigest)).toEqual({ value: DIGEST, secret: false });
    expect((await resolve(outputs.imageRepository)).value).toBe(PINNED_REPOSITORY);
    expect((await resolve(outputs.tenantDomains)).value).toEqual({
      production: "fixture.eu.auth0.com",
      sandbox: SANDBOX_REF.sandboxBackend.domain,
    });
    expect((await resolve(outputs.backendClientIds)).value).toEqual({
      production: "production-backend-client-client-id",
      sandbox: SANDBOX_REF.sandboxBackend.clientId,
    });
    expect(outputs.sandboxBackend).toBeUndefined();
    expect(outputs.sandboxLogin).toBeUndefined();
  });

  it("serves HTTPS with an ACM certificate and redirects HTTP", () => {
    const listeners = byType("aws:lb/listener:Listener");
    const https = listeners.find((l) => l.inputs.protocol === "HTTPS");
    const http = listeners.find((l) => l.inputs.protocol === "HTTP");
    expect(https?.inputs).toMatchObject({
      port: 443,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    expect(https?.inputs.certificateArn).toBeTruthy();
    expect(http?.inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } },
    ]);
    expect(one("aws:acm/certificate:Certificate").inputs).toMatchObject({
      domainName: "portal.fixture.test",
      validationMethod: "DNS",
    });
    const alias = byType("aws:route53/record:Record").find((r) => r.inputs.type === "A");
    expect(alias?.inputs).toMatchObject({ name: "portal.fixture.test", zoneId: "Z0123456789ABC" });
  });

  it("runs tasks in private subnets behind a NAT gateway, reachable only from the ALB", () => {
    expect(byType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    const service = one("aws:ecs/service:Service");
    const network = service.inputs.networkConfiguration as Record<string, unknown>;
    expect(network.assignPublicIp).toBe(false);
    const privateSubnets = byType("aws:ec2/subnet:Subnet").filter((s) =>
      s.name.includes("private"),
    );
    expect(network.subnets).toEqual(privateSubnets.map((s) => `${s.name}-id`));
    expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    const taskSg = one("aws:ec2/securityGroup:SecurityGroup", "portal-tasks");
    expect(taskSg.inputs.ingress).toEqual([
      expect.objectContaining({ fromPort: 3000, toPort: 3000, securityGroups: ["portal-alb-id"] }),
    ]);
    expect(JSON.stringify(taskSg.inputs.ingress)).not.toContain("0.0.0.0/0");
  });

  it("names the task family after the stack and checks the portal's readiness route", () => {
    expect(one("aws:ecs/taskDefinition:TaskDefinition").inputs.family).toBe(
      "astral-production-portal",
    );
    expect(one("aws:lb/targetGroup:TargetGroup").inputs).toMatchObject({
      targetType: "ip",
      port: 3000,
      healthCheck: { path: "/api/ready", matcher: "200" },
    });
    // ECS ignores failing checks while a new task warms up (at most 75 s, portal/lib/readiness.ts).
    expect(one("aws:ecs/service:Service").inputs.healthCheckGracePeriodSeconds).toBe(120);
  });

  it("health-checks in a way AWS accepts, quick to let a new task in and slow to pull one out", () => {
    const check = one("aws:lb/targetGroup:TargetGroup").inputs.healthCheck as Record<
      "interval" | "timeout" | "healthyThreshold" | "unhealthyThreshold",
      number
    >;
    // AWS's ranges; an unset timeout is 5 s for ip targets, and it must be under the interval.
    expect(check.interval).toBeGreaterThanOrEqual(5);
    expect(check.timeout ?? 5).toBeGreaterThanOrEqual(2);
    expect(check.timeout ?? 5).toBeLessThan(check.interval);
    for (const n of [check.healthyThreshold, check.unhealthyThreshold]) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(10);
    }
    // A rolling deploy waits for the new task's passing checks: at most 10 s of them.
    expect(check.interval * check.healthyThreshold).toBeLessThanOrEqual(10);
    // A task failing checks for less than 45 s stays in.
    expect(check.interval * check.unhealthyThreshold).toBeGreaterThanOrEqual(45);
  });

  it("scales on CPU between the configured bounds and keeps logs for the configured days", () => {
    expect(one("aws:appautoscaling/target:Target").inputs).toMatchObject({
      minCapacity: 1,
      maxCapacity: 4,
    });
    expect(one("aws:appautoscaling/policy:Policy").inputs).toMatchObject({
      policyType: "TargetTrackingScaling",
    });
    expect(one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(30);
  });

  it("creates the ALB after the internet gateway and its routes, the service after the NAT routes", () => {
    const dependsOnAll = (resource: ReturnType<typeof one>, needed: ReturnType<typeof one>[]) =>
      needed.filter((n) => !dependenciesOf(resource).some((urn) => urnOf(urn, n)));
    const alb = one("aws:lb/loadBalancer:LoadBalancer");
    const publicAssociations = byType("aws:ec2/routeTableAssociation:RouteTableAssociation").filter(
      (a) => a.name.includes("public"),
    );
    expect(publicAssociations).toHaveLength(2);
    expect(
      dependsOnAll(alb, [one("aws:ec2/internetGateway:InternetGateway"), ...publicAssociations]),
    ).toEqual([]);
    const privateAssociations = byType(
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
    ).filter((a) => a.name.includes("private"));
    expect(privateAssociations).toHaveLength(2);
    expect(
      dependsOnAll(one("aws:ecs/service:Service"), [
        one("aws:ec2/natGateway:NatGateway"),
        ...privateAssociations,
      ]),
    ).toEqual([]);
  });

  it("protects its ALB from deletion, and its Auth0 clients, credentials and grant with protect", () => {
    expect(one("aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).toBe(true);
    const auth0 = records.filter((r) =>
      /^auth0:index\/(client|clientCredentials|clientGrant):/.test(r.type),
    );
    expect(auth0.map((r) => r.type).sort()).toEqual([
      "auth0:index/client:Client",
      "auth0:index/client:Client",
      "auth0:index/clientCredentials:ClientCredentials",
      "auth0:index/clientCredentials:ClientCredentials",
      "auth0:index/clientGrant:ClientGrant",
    ]);
    expect(auth0.filter((r) => !isProtected(r)).map((r) => r.name)).toEqual([]);
  });

  it("(how the mocks work) a StackReference output listed in secretOutputNames reads as secret", async () => {
    const ref = new pulumi.StackReference("fixture-org/astral/sandbox");
    expect((await resolve(ref.requireOutput("sandboxBackend"))).secret).toBe(true);
    expect((await resolve(ref.requireOutput("imageRepository"))).secret).toBe(false);
  });

  it("lets no known secret appear in any resource input outside a secret wrapper", () => {
    expect(
      findLeaks([
        SESSION_SECRET,
        BOOTSTRAP_SECRET,
        MOCK_SECRETS.sandboxRefSecret,
        MOCK_SECRETS.clientSecret("production-backend-credentials"),
        MOCK_SECRETS.clientSecret("production-login-credentials"),
      ]),
    ).toEqual([]);
  });

  it("passes every CrossGuard policy", () => {
    expect(policyViolations()).toEqual([]);
  });

  it("exports no known secret in a plain (non-secret) output", async () => {
    expect(
      await outputLeaks(outputs, [
        SESSION_SECRET,
        BOOTSTRAP_SECRET,
        MOCK_SECRETS.sandboxRefSecret,
        MOCK_SECRETS.clientSecret("production-backend-credentials"),
      ]),
    ).toEqual([]);
  });
});
