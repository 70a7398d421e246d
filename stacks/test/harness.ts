/**
 * Pulumi mocks for the program's unit tests: every registered resource is recorded with its
 * inputs (secret wrappers intact) and provider; provider-computed outputs are made up here, the
 * provider-secret ones wrapped as secrets (mocks ignore `additionalSecretOutputs`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackOutputs } from "../roles";
import { recordRegistrations } from "./register-log";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  id: string;
}

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
/** Values the mocks hand out as secrets; the leak scan looks for them everywhere. */
export const MOCK_SECRETS = {
  ecrPassword: "mock-ecr-password-0f9c",
  sandboxRefSecret: "mock-sandbox-ref-backend-secret-77a1",
  sandboxRefLoginSecret: "mock-sandbox-ref-login-secret-77a2",
  clientSecret: (name: string) => `mock-client-secret-of-${name}`,
};
export const SANDBOX_REF = {
  imageRepository: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/portal-repo-1a2b3c`,
  imageCacheRepository: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/portal-cache-9f8e7d`,
  sandboxBackend: {
    domain: "fixture-sandbox.eu.auth0.com",
    clientId: "sandboxRefClientId",
    clientSecret: MOCK_SECRETS.sandboxRefSecret,
  },
  sandboxLogin: {
    domain: "fixture-sandbox.eu.auth0.com",
    clientId: "sandboxRefLoginClientId",
    clientSecret: MOCK_SECRETS.sandboxRefLoginSecret,
  },
  network: {
    vpcId: "vpc-sandbox0123",
    vpcCidrBlock: "10.40.0.0/16",
    publicSubnetIds: ["subnet-sandboxpub0", "subnet-sandboxpub1"],
    taskSubnetIds: ["subnet-sandboxpub0", "subnet-sandboxpub1"],
    assignPublicIp: true,
  },
  /** The sandbox tenant's plan and the sandbox portal's most tasks (stacks/portal-rate.ts). */
  auth0Plan: "essentials",
  portalMaxTasks: 3,
};
/** What the mocked region reports as available zones (deliberately without `a`). */
export const AVAILABILITY_ZONES = [`${REGION}c`, `${REGION}b`, `${REGION}d`];
/**
 * Zones an account that opted in also sees: a Local Zone and a Wavelength Zone (names sort before
 * the region's own zones, so a program that does not filter them out picks them).
 */
export const OPTED_IN_ZONES = [`${REGION}-lcl-1a`, `${REGION}-wl1-dub-wlz-1`];
/** Route 53 zones by id, as GetHostedZone names them. */
export const HOSTED_ZONES: Record<string, string> = { Z0123456789ABC: "fixture.test" };
export const BUILT_DIGEST = `sha256:${"b".repeat(64)}`;

const secret = (value: unknown) => ({
  [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
  value,
});

export const records: Recorded[] = [];
export const stackRefs: string[] = [];
/** Every invoke (data source call) the program made: token, inputs and provider. */
export const invokes: Array<{ token: string; inputs: Record<string, unknown>; provider?: string }> =
  [];
export const CONNECTION_ID = "con_mockUsernamePassword01";

function stateFor(type: string, name: string, inputs: Record<string, unknown>) {
  const arn = (service: string, kind: string) =>
    `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind}/${name}`;
  switch (type) {
    case "auth0:index/client:Client":
      return { clientId: `${name}-client-id` };
    case "auth0:index/clientCredentials:ClientCredentials":
      return { clientSecret: secret(MOCK_SECRETS.clientSecret(name)) };
    case "pulumi:pulumi:StackReference":
      stackRefs.push(String(inputs.name));
      return {
        name: inputs.name,
        outputs: SANDBOX_REF,
        secretOutputNames: ["sandboxBackend", "sandboxLogin"],
      };
    case "aws:ecr/repository:Repository":
      return {
        name,
        registryId: ACCOUNT,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
        arn: arn("ecr", "repository"),
      };
    case "docker-build:index:Image":
      return { digest: BUILT_DIGEST };
    case "aws:secretsmanager/secret:Secret":
      return { arn: secretArnOf(name) };
    case "aws:secretsmanager/secretVersion:SecretVersion":
      // secretId is the secret's id, `<secret name>-id` under these mocks.
      return {
        secretArn: secretArnOf(String(inputs.secretId).replace(/-id$/, "")),
        versionId: versionIdOf(name),
      };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        arn: arn("elasticloadbalancing", "loadbalancer/app"),
        dnsName: `${name}-123.${REGION}.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
      };
    case "aws:acm/certificate:Certificate":
      return {
        arn: arn("acm", "certificate"),
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_x1.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_x2.acm-validations.aws.",
          },
        ],
      };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "aws:ec2/vpc:Vpc":
      return { arn: arn("ec2", "vpc") };
    case "pulumi-nodejs:dynamic/astral:PortalAdmin":
      return { userId: "auth0|admin-1", createdUser: false };
    default:
      return { arn: arn("mock", type.replace(/[:/]/g, "-")), name };
  }
}

const secretArnOf = (secretName: string) =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretName}-AbCdEf`;
const versionIdOf = (versionName: string) => `${versionName}-v1`;

let mocksSet = false;
export async function setupMocks(stack: string, config: Record<string, string>): Promise<void> {
  if (mocksSet) throw new Error("setupMocks: once per test file (one program per process)");
  mocksSet = true;
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `astral:${k}`, v]),
    ),
    ["astral:sessionSecret", "astral:auth0ClientSecret"],
  );
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        records.push({
          type: args.type,
          name: args.name,
          inputs,
          provider: args.provider,
          id: `${args.name}-id`,
        });
        return {
          id: `${args.name}-id`,
          state: { ...inputs, ...stateFor(args.type, args.name, inputs) },
        };
      },
      call(args) {
        invokes.push({
          token: args.token,
          inputs: args.inputs as Record<string, unknown>,
          provider: args.provider,
        });
        if (args.token === "auth0:index/getConnection:getConnection") {
          return { id: CONNECTION_ID, name: args.inputs.name, strategy: "auth0" };
        }
        if (args.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken") {
          return {
            userName: "AWS",
            password: MOCK_SECRETS.ecrPassword,
            authorizationToken: "bW9jaw==",
            proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
          };
        }
        if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
          // No "a": zone letters differ per region and account, the program must ask. Like EC2
          // DescribeAvailabilityZones, the opt-in-status filter is what leaves out Local Zones.
          const zones = [
            ...AVAILABILITY_ZONES.map((name) => ({ name, optIn: "opt-in-not-required" })),
            ...OPTED_IN_ZONES.map((name) => ({ name, optIn: "opted-in" })),
          ];
          const filters = (args.inputs.filters ?? []) as Array<{ name: string; values: string[] }>;
          const names = zones
            .filter((z) =>
              filters.every((f) => f.name !== "opt-in-status" || f.values.includes(z.optIn)),
            )
            .map((z) => z.name);
          return { names, state: args.inputs.state };
        }
        if (args.token === "aws:route53/getZone:getZone") {
          const name = HOSTED_ZONES[String(args.inputs.zoneId)];
          if (!name) throw new Error(`no hosted zone ${args.inputs.zoneId}`);
          return { zoneId: args.inputs.zoneId, name, id: args.inputs.zoneId };
        }
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "astral",
    stack,
    false,
    "fixture-org",
  );
  recordRegistrations();
}

export {
  createTimeoutOf,
  dependenciesOf,
  type GraphNode,
  graphNodes,
  isProtected,
  urnKey,
  urnOf,
} from "./register-log";

/** Resolves an Output's value and whether it is secret. */
export async function resolve<T>(
  output: pulumi.Input<T> | undefined,
): Promise<{ value: T; secret: boolean }> {
  const o = pulumi.output(output) as pulumi.Output<T>;
  // biome-ignore lint/suspicious/noExplicitAny: reading the Output's internals is the point here.
  const internal = o as any;
  const [value, secret] = await Promise.all([internal.promise(), internal.isSecret]);
  return { value: value as T, secret: Boolean(secret) };
}

/** Waits until no more resources are being registered. */
/**
 * Sets the mocks, loads the program through its real entry point (config included) and waits
 * until every resource is registered: what each role's test file does first.
 */
export async function loadStack(
  stack: string,
  config: Record<string, string>,
): Promise<StackOutputs> {
  await setupMocks(stack, config);
  const program = await import("../index.js");
  const outputs = (program as unknown as { default: StackOutputs }).default;
  await resolve(outputs.portalUrl);
  await settle();
  return outputs;
}

export async function settle(): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 3) {
    await new Promise((r) => setTimeout(r, 15));
    if (records.length === last) stable++;
    else {
      stable = 0;
      last = records.length;
    }
  }
}

export function isSecretWrapper(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] ===
      pulumi.runtime.specialSecretSig
  );
}

/** Strips secret wrappers (to read values in assertions). */
export function unwrap(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

/** Every place a known secret appears outside a secret wrapper: `type name path`. */
export function findLeaks(secrets: string[]): string[] {
  const leaks: string[] = [];
  const walk = (value: unknown, where: string) => {
    if (isSecretWrapper(value)) return;
    if (typeof value === "string") {
      for (const s of secrets) if (value.includes(s)) leaks.push(where);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${where}[${i}]`);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`);
    }
  };
  for (const r of records) walk(r.inputs, `${r.type} ${r.name} inputs`);
  return leaks;
}

export const byType = (type: string) => records.filter((r) => r.type === type);
export const one = (type: string, name?: string) => {
  const found = records.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` ${name}` : ""}, found ${found.length}`);
  }
  return found[0] as Recorded;
};

/**
 * The task definition's secrets: exactly `names`, each only as `valueFrom` = a Secrets Manager
 * secret declared in this stack pinned to its declared version (`<arn>:::<version-id>`, so a new
 * value redeploys the tasks); no secret name in `environment`; the execution role may read
 * exactly those secrets' ARNs. Returns the container definition for further checks.
 */
/** The portal container of the task definition, as ECS receives it. */
export interface TaskContainer {
  image: string;
  secrets: Array<{ name: string; valueFrom: string }>;
  environment: Array<{ name: string; value: string }>;
}

/** The container's plain environment variables, by name. */
export const taskEnv = (container: TaskContainer): Record<string, string> =>
  Object.fromEntries(container.environment.map((e) => [e.name, e.value]));

export function checkTaskSecrets(names: string[]): TaskContainer {
  const taskDef = one("aws:ecs/taskDefinition:TaskDefinition");
  if (typeof taskDef.inputs.containerDefinitions !== "string") {
    throw new Error("containerDefinitions is secret or unknown: something secret flowed into it");
  }
  const [container] = JSON.parse(taskDef.inputs.containerDefinitions) as TaskContainer[];
  if (!container) throw new Error("no container");
  const secretNames = container.secrets.map((s) => s.name).sort();
  if (JSON.stringify(secretNames) !== JSON.stringify([...names].sort())) {
    throw new Error(
      `secrets are ${secretNames.join(",")}, expected ${[...names].sort().join(",")}`,
    );
  }
  const inEnvironment = container.environment.filter((e) => names.includes(e.name));
  if (inEnvironment.length > 0) throw new Error(`secret in environment: ${inEnvironment[0]?.name}`);
  const declaredArns = byType("aws:secretsmanager/secret:Secret")
    .map((s) => secretArnOf(s.name))
    .sort();
  const pinned = byType("aws:secretsmanager/secretVersion:SecretVersion")
    .map(
      (v) =>
        `${secretArnOf(String(v.inputs.secretId).replace(/-id$/, ""))}:::${versionIdOf(v.name)}`,
    )
    .sort();
  const valueFroms = container.secrets.map((s) => s.valueFrom).sort();
  if (JSON.stringify(valueFroms) !== JSON.stringify(pinned)) {
    throw new Error(
      `valueFrom ${valueFroms.join(",")} are not exactly the declared secrets at their versions`,
    );
  }
  const policy = JSON.parse(String(one("aws:iam/rolePolicy:RolePolicy").inputs.policy));
  const statements = policy.Statement as Array<{
    Action: string[];
    Resource: string[];
    Effect: string;
  }>;
  if (
    statements.length !== 1 ||
    JSON.stringify(statements[0]?.Action) !== JSON.stringify(["secretsmanager:GetSecretValue"]) ||
    JSON.stringify(statements[0]?.Resource) !== JSON.stringify(declaredArns)
  ) {
    throw new Error(
      `execution role policy is not exactly GetSecretValue on ${declaredArns.join(",")}`,
    );
  }
  return container;
}

export { policyViolations } from "./policy-check";

/** Stack outputs that are not secret yet contain a known secret value (a leak into plain state). */
export async function outputLeaks(outputs: object, secrets: string[]): Promise<string[]> {
  const leaks: string[] = [];
  for (const [name, output] of Object.entries(outputs)) {
    if (output === undefined) continue;
    const { value, secret } = await resolve(output as pulumi.Input<unknown>);
    const text = JSON.stringify(value) ?? "";
    if (!secret && secrets.some((s) => text.includes(s))) leaks.push(name);
  }
  return leaks;
}

/** How many resources of each type the program registered (components included). */
export function inventory(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}
