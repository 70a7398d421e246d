/**
 * The sandbox stack under Pulumi mocks, loaded through the real entry point (config included):
 * which resources, under which provider, with which inputs, and every credential secret.
 */
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  MANAGEMENT_API_SCOPES,
  PORTAL_ENV,
  PORTAL_LOGIN_CLIENT_NAME,
  PORTAL_SECRET_ENV,
} from "@astral/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_CALLS } from "../../infra/auth0/bootstrap";
import { AVAILABILITY_ZONE_FILTER } from "../../infra/aws/network";
import type { StackOutputs } from "../roles";
import { SANDBOX_BOOTSTRAP_SECRET, SANDBOX_CONFIG, SANDBOX_SESSION_SECRET } from "./fixtures";
import {
  AVAILABILITY_ZONES,
  BUILT_DIGEST,
  byType,
  CONNECTION_ID,
  checkTaskSecrets,
  dependenciesOf,
  findLeaks,
  inventory,
  invokes,
  isSecretWrapper,
  loadStack,
  MOCK_SECRETS,
  one,
  outputLeaks,
  policyViolations,
  records,
  resolve,
  stackRefs,
  taskEnv,
  unwrap,
  urnOf,
} from "./harness";

const SESSION_SECRET = SANDBOX_SESSION_SECRET;
const BOOTSTRAP_SECRET = SANDBOX_BOOTSTRAP_SECRET;
let outputs: StackOutputs;

beforeAll(async () => {
  // At most 3 tasks (not the default 4): the task's SANDBOX_PORTAL_TASKS follows the config.
  outputs = await loadStack("sandbox", { ...SANDBOX_CONFIG, maxTasks: "3" });
});

describe("sandbox stack", () => {
  it("declares exactly this graph: its tenant's Auth0 set, the image build, the portal on AWS (no NAT, no StackReference)", () => {
    expect(inventory()).toEqual({
      "astral:auth0:ApiResourceServer": 1,
      "astral:auth0:AstralBackend": 1,
      "astral:auth0:PortalLogin": 1,
      "astral:aws:FrontDoor": 1,
      "astral:aws:ImageRepository": 1,
      "astral:aws:Network": 1,
      "astral:aws:PortalImage": 1,
      "astral:aws:PortalSecrets": 1,
      "astral:aws:PortalService": 1,
      "auth0:index/client:Client": 2,
      "auth0:index/clientCredentials:ClientCredentials": 2,
      "auth0:index/clientGrant:ClientGrant": 1,
      "auth0:index/connectionClient:ConnectionClient": 2,
      "auth0:index/resourceServer:ResourceServer": 1,
      "aws:acm/certificate:Certificate": 1,
      "aws:acm/certificateValidation:CertificateValidation": 1,
      "aws:appautoscaling/policy:Policy": 1,
      "aws:appautoscaling/target:Target": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ec2/subnet:Subnet": 2,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
      "aws:ecr/repository:Repository": 2,
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
      "aws:secretsmanager/secret:Secret": 3,
      "aws:secretsmanager/secretVersion:SecretVersion": 3,
      "docker-build:index:Image": 1,
      "pulumi-nodejs:dynamic/astral:PortalAdmin": 1,
      "pulumi:providers:auth0": 1,
    });
  });

  it("declares exactly one auth0 provider, for the sandbox tenant, with a secret client secret", () => {
    const provider = one("pulumi:providers:auth0");
    expect(unwrap(provider.inputs.domain)).toBe("fixture-sandbox.eu.auth0.com");
    expect(unwrap(provider.inputs.clientSecret)).toBe(BOOTSTRAP_SECRET);
    expect(provider.inputs.clientSecret).toMatchObject({ value: BOOTSTRAP_SECRET });
  });

  it("puts every auth0 resource under that explicit provider", () => {
    const provider = one("pulumi:providers:auth0");
    const auth0Resources = records.filter((r) => r.type.startsWith("auth0:"));
    expect(auth0Resources.map((r) => r.type).sort()).toEqual([
      "auth0:index/client:Client",
      "auth0:index/client:Client",
      "auth0:index/clientCredentials:ClientCredentials",
      "auth0:index/clientCredentials:ClientCredentials",
      "auth0:index/clientGrant:ClientGrant",
      "auth0:index/connectionClient:ConnectionClient",
      "auth0:index/connectionClient:ConnectionClient",
      "auth0:index/resourceServer:ResourceServer",
    ]);
    for (const r of auth0Resources) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(
        new RegExp(`::pulumi:providers:auth0::${provider.name}::`),
      );
    }
  });

  it("declares the Astral Backend: non_interactive, client_credentials only, exactly the contract's scopes", () => {
    const client = one("auth0:index/client:Client", "sandbox-backend-client");
    expect(client.inputs).toMatchObject({
      name: ASTRAL_BACKEND_CLIENT_NAME,
      appType: "non_interactive",
      grantTypes: ["client_credentials"],
    });
    const grant = one("auth0:index/clientGrant:ClientGrant");
    expect(grant.inputs.audience).toBe("https://fixture-sandbox.eu.auth0.com/api/v2/");
    expect(grant.inputs.clientId).toBe("sandbox-backend-client-client-id");
    expect(grant.inputs.scopes).toEqual([...MANAGEMENT_API_SCOPES]);
    expect(grant.inputs.scopes).toHaveLength(20);
    const credentials = one(
      "auth0:index/clientCredentials:ClientCredentials",
      "sandbox-backend-credentials",
    );
    expect(credentials.inputs).toMatchObject({
      clientId: "sandbox-backend-client-client-id",
      authenticationMethod: "client_secret_post",
    });
  });

  it("declares the login app with callbacks from the portal URL and the preview wildcard", () => {
    const login = one("auth0:index/client:Client", "sandbox-login-client");
    expect(login.inputs).toMatchObject({
      name: PORTAL_LOGIN_CLIENT_NAME,
      appType: "regular_web",
      oidcConformant: true,
      grantTypes: ["authorization_code", "refresh_token"],
      callbacks: [
        "https://portal.sandbox.fixture.test/auth/callback",
        "https://*.previews.fixture.test/auth/callback",
      ],
      allowedLogoutUrls: ["https://portal.sandbox.fixture.test", "https://*.previews.fixture.test"],
      refreshToken: { rotationType: "rotating", expirationType: "expiring" },
    });
  });

  it("enables the login app and the Astral Backend on the database connection, looked up by name and never owned", () => {
    const provider = one("pulumi:providers:auth0");
    for (const [link, client] of [
      ["sandbox-login-connection", "sandbox-login-client-client-id"],
      ["sandbox-backend-connection", "sandbox-backend-client-client-id"],
    ] as const) {
      const linked = one("auth0:index/connectionClient:ConnectionClient", link);
      expect(linked.inputs).toEqual({ connectionId: CONNECTION_ID, clientId: client });
      expect(linked.provider).toMatch(new RegExp(`::${provider.name}::`));
    }
    const lookups = invokes.filter((i) => i.token === "auth0:index/getConnection:getConnection");
    expect(lookups).toHaveLength(2);
    for (const lookup of lookups) {
      expect(lookup.inputs).toMatchObject({
        name: "Username-Password-Authentication",
        skipEnabledClients: true,
      });
      expect(lookup.provider).toMatch(new RegExp(`::${provider.name}::`));
    }
    expect(byType("auth0:index/connection:Connection")).toEqual([]);
  });

  it("makes the first admin only after the backend has its grant and its database connection", () => {
    // Auth0 creates a user through the Management API only for a client the connection is
    // enabled for (rule users.create.connection-enabled), and tenants/tenant.yaml gives a new
    // client no connection.
    const admin = one("pulumi-nodejs:dynamic/astral:PortalAdmin");
    const deps = dependenciesOf(admin);
    for (const [type, name] of [
      ["auth0:index/clientGrant:ClientGrant", "sandbox-backend-grant"],
      ["auth0:index/connectionClient:ConnectionClient", "sandbox-backend-connection"],
    ] as const)
      expect(deps.some((urn) => urnOf(urn, one(type, name)))).toBe(true);
  });

  it("uses only auth0 resources and data sources whose Management API calls the bootstrap scopes cover", () => {
    const used = [
      ...records.filter((r) => r.type.startsWith("auth0:")).map((r) => r.type),
      ...invokes.filter((i) => i.token.startsWith("auth0:")).map((i) => i.token),
    ];
    for (const type of new Set(used)) expect(Object.keys(PROVIDER_CALLS), type).toContain(type);
  });

  it("creates the execution role's policies before the service (first tasks pull and read secrets)", () => {
    const service = one("aws:ecs/service:Service");
    const needed = [
      one("aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
      one("aws:iam/rolePolicy:RolePolicy"),
    ];
    for (const policy of needed) {
      expect(
        dependenciesOf(service).some((urn) => urnOf(urn, policy)),
        `${policy.type} ${policy.name}`,
      ).toBe(true);
    }
  });

  it("exports its VPC and subnets for previews to run in", async () => {
    const { value, secret } = await resolve(outputs.network);
    expect(secret).toBe(false);
    expect(value).toEqual({
      vpcId: "portal-vpc-id",
      vpcCidrBlock: "10.40.0.0/16",
      publicSubnetIds: ["portal-public-0-id", "portal-public-1-id"],
      taskSubnetIds: ["portal-public-0-id", "portal-public-1-id"],
      assignPublicIp: true,
    });
  });

  it("declares the first admin with the backend's credentials as a secret input", () => {
    const admin = one("pulumi-nodejs:dynamic/astral:PortalAdmin");
    expect(admin.inputs.email).toBe("admin@fixture.test");
    expect(admin.inputs.permission).toBe("portal-admin");
    expect(admin.inputs.backend).toMatchObject({
      value: {
        domain: "fixture-sandbox.eu.auth0.com",
        clientId: "sandbox-backend-client-client-id",
        clientSecret: MOCK_SECRETS.clientSecret("sandbox-backend-credentials"),
      },
    });
    expect(isSecretWrapper(admin.inputs.backend)).toBe(true);
  });

  it("builds the image from portal/Dockerfile with the repo root as context and pushes it to its ECR repository", () => {
    const image = one("docker-build:index:Image");
    const repo = one("aws:ecr/repository:Repository", "portal-repo");
    expect(unwrap(image.inputs)).toMatchObject({
      push: true,
      platforms: ["linux/amd64"],
      tags: [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${repo.name}:0123456789ab-4711-1`],
    });
    // Relative to the project root (where Pulumi runs): the same string on every machine.
    expect((image.inputs.context as { location: string }).location).toBe(".");
    expect((image.inputs.dockerfile as { location: string }).location).toBe("portal/Dockerfile");
    // The registry credentials reach the provider inside a secret wrapper.
    expect(isSecretWrapper(image.inputs.registries)).toBe(true);
    expect(unwrap(image.inputs.registries)).toEqual([
      expect.objectContaining({ username: "AWS", password: MOCK_SECRETS.ecrPassword }),
    ]);
    expect(repo.inputs).toMatchObject({
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
    });
    expect(stackRefs).toEqual([]);
  });

  it("keeps the image it runs from the ECR lifecycle's age rule (a promotion may pin it)", () => {
    const policies = byType("aws:ecr/lifecyclePolicy:LifecyclePolicy").map(
      (p) => JSON.parse(String(p.inputs.policy)) as { rules: Array<{ selection: object }> },
    );
    const images = policies.find((p) => p.rules.some((r) => "tagPrefixList" in r.selection));
    expect(images?.rules.map((r) => r.selection)).toContainEqual(
      expect.objectContaining({ tagPrefixList: [SANDBOX_CONFIG.imageTag] }),
    );
    expect(images?.rules.at(-1)?.selection).toMatchObject({ tagStatus: "any" });
  });

  it("stores each secret in Secrets Manager, as secret versions", () => {
    const secrets = byType("aws:secretsmanager/secret:Secret");
    const names = secrets.map((s) => String(s.inputs.namePrefix)).sort();
    expect(names).toEqual(
      [
        PORTAL_ENV.login.sessionSecret,
        PORTAL_ENV.login.clientSecret,
        PORTAL_ENV.management.sandbox.clientSecret,
      ]
        .map((n) => `astral/sandbox/${n}-`)
        .sort(),
    );
    const versions = byType("aws:secretsmanager/secretVersion:SecretVersion");
    expect(versions).toHaveLength(3);
    const values = versions.map((v) => v.inputs.secretString);
    for (const v of values) expect(v).toMatchObject({ value: expect.any(String) });
    expect(values.map(unwrap)).toContain(SESSION_SECRET);
  });

  it("exports the shared outputs, with every credential secret", async () => {
    expect((await resolve(outputs.portalUrl)).value).toBe("https://portal.sandbox.fixture.test");
    expect((await resolve(outputs.imageDigest)).value).toBe(BUILT_DIGEST);
    // Promotion records the exact tag the digest was pushed as.
    expect((await resolve(outputs.imageTag)).value).toBe("0123456789ab-4711-1");
    expect((await resolve(outputs.imageRepository)).value).toMatch(
      /\.dkr\.ecr\.eu-west-1\.amazonaws\.com\//,
    );
    expect((await resolve(outputs.tenantDomains)).value).toEqual({
      sandbox: "fixture-sandbox.eu.auth0.com",
    });
    const clientIds = await resolve(outputs.backendClientIds);
    expect(clientIds).toEqual({
      value: { sandbox: "sandbox-backend-client-client-id" },
      secret: false,
    });
    const backend = await resolve(outputs.sandboxBackend);
    expect(backend.secret).toBe(true);
    expect(backend.value).toEqual({
      domain: "fixture-sandbox.eu.auth0.com",
      clientId: "sandbox-backend-client-client-id",
      clientSecret: MOCK_SECRETS.clientSecret("sandbox-backend-credentials"),
    });
    const login = await resolve(outputs.sandboxLogin);
    expect(login.secret).toBe(true);
    expect(login.value.clientId).toBe("sandbox-login-client-client-id");
    // Production and previews count these when they share the sandbox tenant's limit.
    expect(outputs.auth0Plan).toBe("free");
    expect(outputs.portalMaxTasks).toBe(3);
  });

  it("lets no known secret appear in any resource input outside a secret wrapper", () => {
    const known = [
      SESSION_SECRET,
      BOOTSTRAP_SECRET,
      MOCK_SECRETS.ecrPassword,
      MOCK_SECRETS.clientSecret("sandbox-backend-credentials"),
      MOCK_SECRETS.clientSecret("sandbox-login-credentials"),
    ];
    expect(findLeaks(known)).toEqual([]);
    // The scan can fail: the secret versions do hold them, inside wrappers.
    expect(JSON.stringify(records.map((r) => r.inputs))).toContain(SESSION_SECRET);
  });

  it("gives the task only secret ARNs for the secret variables, readable by the execution role alone", () => {
    const secretNames = [...PORTAL_SECRET_ENV].filter((n) => !n.startsWith("PRODUCTION_"));
    const container = checkTaskSecrets(secretNames);
    expect(container.image).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${one("aws:ecr/repository:Repository", "portal-repo").name}@${BUILT_DIGEST}`,
    );
    const env = taskEnv(container);
    expect(env).toMatchObject({
      [PORTAL_ENV.management.sandbox.domain]: "fixture-sandbox.eu.auth0.com",
      [PORTAL_ENV.management.sandbox.clientId]: "sandbox-backend-client-client-id",
      [PORTAL_ENV.login.domain]: "fixture-sandbox.eu.auth0.com",
      [PORTAL_ENV.login.clientId]: "sandbox-login-client-client-id",
      [PORTAL_ENV.login.baseUrl]: "https://portal.sandbox.fixture.test",
    });
    expect(env).not.toHaveProperty(PORTAL_ENV.management.production.domain);
    // Its tenant's plan; only its own tasks share it as far as this stack can see.
    expect(env[PORTAL_ENV.rate.sandbox.plan]).toBe("free");
    expect(env[PORTAL_ENV.rate.sandbox.tasks]).toBe("3");
    expect(env).not.toHaveProperty(PORTAL_ENV.rate.production.plan);
    // The portal's http allowance is a preview's without a domain, never a tenant stack's.
    expect(env).not.toHaveProperty(PORTAL_ENV.login.plainHttpPreview);
  });

  it("places the subnets in two zones the region reports, not guessed letters", () => {
    const zones = byType("aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone);
    expect(zones).toEqual([...AVAILABILITY_ZONES].sort().slice(0, 2));
  });

  it("asks only for the region's own Availability Zones (no Local or Wavelength Zone)", () => {
    const asked = invokes.filter(
      (i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones",
    );
    expect(asked.map((i) => i.inputs)).toEqual([AVAILABILITY_ZONE_FILTER]);
    expect(AVAILABILITY_ZONE_FILTER).toEqual({
      state: "available",
      filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
  });

  it("passes every CrossGuard policy", () => {
    expect(policyViolations()).toEqual([]);
  });

  it("exports no known secret in a plain (non-secret) output", async () => {
    expect(
      await outputLeaks(outputs, [
        SESSION_SECRET,
        BOOTSTRAP_SECRET,
        MOCK_SECRETS.clientSecret("sandbox-backend-credentials"),
        MOCK_SECRETS.clientSecret("sandbox-login-credentials"),
      ]),
    ).toEqual([]);
  });
});
