/**
 * A preview stack (pr-<n>) under Pulumi mocks: no Auth0 resource at all, the sandbox backend and
 * login borrowed by StackReference (secret), an image built and pushed to the sandbox repository
 * with a pr- tag, nothing protected.
 */
import { PORTAL_ENV, PORTAL_SECRET_ENV } from "@astral/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { checkLoginEnv } from "../../portal/lib/config/env";
import type { StackOutputs } from "../roles";
import {
  BUILT_DIGEST,
  byType,
  checkTaskSecrets,
  findLeaks,
  inventory,
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
} from "./harness";

const SESSION_SECRET = "preview-session-secret-0123456789abcdef";
let outputs: StackOutputs;

beforeAll(async () => {
  outputs = await loadStack("pr-42", {
    "aws:region": "eu-west-1",
    role: "preview",
    prNumber: "42",
    imageTag: "0123456789ab-4711-1",
    sandboxStack: "fixture-org/astral/sandbox",
    sessionSecret: SESSION_SECRET,
    maxTasks: "2",
  });
});

describe("preview stack", () => {
  it("declares exactly this graph: no Auth0 resource, a StackReference, an image build, the portal on AWS", () => {
    expect(inventory()).toEqual({
      "astral:aws:FrontDoor": 1,
      "astral:aws:PortalImage": 1,
      "astral:aws:PortalSecrets": 1,
      "astral:aws:PortalService": 1,
      "aws:appautoscaling/policy:Policy": 1,
      "aws:appautoscaling/target:Target": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/service:Service": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      "aws:lb/listener:Listener": 1,
      "aws:lb/loadBalancer:LoadBalancer": 1,
      "aws:lb/targetGroup:TargetGroup": 1,
      "aws:secretsmanager/secret:Secret": 3,
      "aws:secretsmanager/secretVersion:SecretVersion": 3,
      "docker-build:index:Image": 1,
      "pulumi:pulumi:StackReference": 1,
    });
  });

  it("declares no Auth0 resource, provider or admin", () => {
    expect(records.filter((r) => r.type.includes("auth0") || r.type.includes("dynamic"))).toEqual(
      [],
    );
  });

  it("borrows the sandbox backend and login by StackReference, secrets kept secret", () => {
    expect(stackRefs).toEqual(["fixture-org/astral/sandbox"]);
    const names = [...PORTAL_SECRET_ENV].filter((n) => !n.startsWith("PRODUCTION_"));
    const container = checkTaskSecrets(names);
    const env = taskEnv(container);
    expect(env).toMatchObject({
      [PORTAL_ENV.management.sandbox.clientId]: SANDBOX_REF.sandboxBackend.clientId,
      [PORTAL_ENV.login.clientId]: SANDBOX_REF.sandboxLogin.clientId,
    });
    expect(env).not.toHaveProperty(PORTAL_ENV.management.production.clientId);
    // The sandbox tenant's plan, shared by its own 2 tasks and the sandbox portal's 3.
    expect(env[PORTAL_ENV.rate.sandbox.plan]).toBe("essentials");
    expect(env[PORTAL_ENV.rate.sandbox.tasks]).toBe("5");
    expect(env).not.toHaveProperty(PORTAL_ENV.rate.production.plan);
    const versions = byType("aws:secretsmanager/secretVersion:SecretVersion").map(
      (v) => v.inputs.secretString,
    );
    expect(versions.map(unwrap).sort()).toEqual(
      [MOCK_SECRETS.sandboxRefSecret, MOCK_SECRETS.sandboxRefLoginSecret, SESSION_SECRET].sort(),
    );
    expect(
      findLeaks([
        MOCK_SECRETS.sandboxRefSecret,
        MOCK_SECRETS.sandboxRefLoginSecret,
        SESSION_SECRET,
        MOCK_SECRETS.ecrPassword,
      ]),
    ).toEqual([]);
  });

  it("builds its image into the sandbox repository with a pr-<n>- tag", async () => {
    const image = one("docker-build:index:Image");
    expect(unwrap(image.inputs.tags)).toEqual([
      `${SANDBOX_REF.imageRepository}:pr-42-0123456789ab-4711-1`,
    ]);
    expect(byType("aws:ecr/repository:Repository")).toEqual([]);
    expect((await resolve(outputs.imageDigest)).value).toBe(BUILT_DIGEST);
  });

  it("reads sandbox's build cache and never writes it (PR code must not poison sandbox's builds)", () => {
    const image = unwrap(one("docker-build:index:Image").inputs) as Record<string, unknown>;
    expect(image.cacheFrom).toEqual([
      { registry: { ref: `${SANDBOX_REF.imageCacheRepository}:buildcache` } },
    ]);
    expect(image.cacheTo).toEqual([]);
    expect(image.buildArgs).toMatchObject({ SOURCE_DATE_EPOCH: "0" });
  });

  it("without a domain, serves plain HTTP on the ALB name, marked as deliberate", async () => {
    const [listener, ...others] = byType("aws:lb/listener:Listener");
    expect(others).toEqual([]);
    expect(listener?.inputs).toMatchObject({
      protocol: "HTTP",
      tags: { "astral:plain-http": "no-domain" },
    });
    expect((await resolve(outputs.portalUrl)).value).toMatch(/^http:\/\/portal-alb-123\./);
  });

  it("without a domain, gives the task what lets the portal start on that http URL in production", () => {
    const names = [...PORTAL_SECRET_ENV].filter((n) => !n.startsWith("PRODUCTION_"));
    const env = taskEnv(checkTaskSecrets(names));
    expect(env[PORTAL_ENV.login.baseUrl]).toMatch(/^http:\/\//);
    expect(env).toMatchObject({ NODE_ENV: "production", ASTRAL_PLAIN_HTTP_PREVIEW: "no-domain" });
    // The portal's own start-up check, with the secrets ECS would inject from Secrets Manager.
    const secrets = Object.fromEntries(names.map((n) => [n, "s".repeat(40)]));
    expect(() => checkLoginEnv({ ...env, ...secrets })).not.toThrow();
    expect(policyViolations()).toEqual([]);
  });

  it("protects nothing and lets secrets be deleted at once", () => {
    for (const s of byType("aws:secretsmanager/secret:Secret")) {
      expect(s.inputs.recoveryWindowInDays).toBe(0);
    }
  });

  it("runs in sandbox's VPC and subnets: declares no VPC, subnet, gateway or route (VPC quota)", () => {
    const networking = records.filter((r) =>
      /^aws:ec2\/(vpc|subnet|internetGateway|natGateway|eip|routeTable|routeTableAssociation):/.test(
        r.type,
      ),
    );
    expect(networking.map((r) => r.type)).toEqual([]);
    const ref = SANDBOX_REF.network;
    const alb = one("aws:lb/loadBalancer:LoadBalancer");
    expect(alb.inputs.subnets).toEqual(ref.publicSubnetIds);
    expect(one("aws:lb/targetGroup:TargetGroup").inputs.vpcId).toBe(ref.vpcId);
    for (const group of byType("aws:ec2/securityGroup:SecurityGroup")) {
      expect(group.inputs.vpcId, group.name).toBe(ref.vpcId);
    }
    const albGroup = one("aws:ec2/securityGroup:SecurityGroup", "portal-alb");
    expect(albGroup.inputs.egress).toEqual([
      expect.objectContaining({ cidrBlocks: [ref.vpcCidrBlock] }),
    ]);
  });

  it("runs tasks in sandbox's public subnets with a public IP and no NAT gateway (cost)", () => {
    const network = one("aws:ecs/service:Service").inputs.networkConfiguration as Record<
      string,
      unknown
    >;
    expect(network.subnets).toEqual(SANDBOX_REF.network.taskSubnetIds);
    expect(network.assignPublicIp).toBe(true);
  });

  it("keeps its session secret in its state, as a secret output (read back by the next CI run)", async () => {
    expect(await resolve(outputs.sessionSecret)).toEqual({ value: SESSION_SECRET, secret: true });
  });

  it("passes every CrossGuard policy", () => {
    expect(policyViolations()).toEqual([]);
  });

  it("exports no known secret in a plain (non-secret) output", async () => {
    expect(
      await outputLeaks(outputs, [
        SESSION_SECRET,
        MOCK_SECRETS.sandboxRefSecret,
        MOCK_SECRETS.sandboxRefLoginSecret,
      ]),
    ).toEqual([]);
  });
});
