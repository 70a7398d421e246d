/** Each policy called directly with passing and failing inputs. */
import { MANAGEMENT_API_SCOPES } from "@astral/contract";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
} from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  albListenersHttps,
  backendGrantScopes,
  backendPlanServesKinds,
  ecrScanOnPush,
  logRetentionSet,
  noPlaintextSecretInTaskDefinition,
  plainHttpOnlyInPreviews,
  previewOwnsNoTenantResources,
  resourcePolicies,
  stackPolicies,
} from "../policies";

function violations(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
) {
  const found: string[] = [];
  const args = {
    type,
    props,
    urn: `urn:pulumi:s::astral::${type}::r`,
    name: "r",
  } as unknown as ResourceValidationArgs;
  const validate = policy.validateResource;
  for (const v of Array.isArray(validate) ? validate : [validate]) v?.(args, (m) => found.push(m));
  return found;
}

const GRANT = "auth0:index/clientGrant:ClientGrant";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const LISTENER = "aws:lb/listener:Listener";
const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";
const containers = (c: Record<string, unknown>) => JSON.stringify([{ name: "portal", ...c }]);

describe("policies", () => {
  it("all have a name, a description and are mandatory", () => {
    for (const p of [...resourcePolicies, ...stackPolicies]) {
      expect(p.name).toMatch(/^astral-/);
      expect(p.description?.length).toBeGreaterThan(10);
      expect(p.enforcementLevel).toBe("mandatory");
    }
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "the contract's scopes",
      { audience: "https://t.eu.auth0.com/api/v2/", scopes: [...MANAGEMENT_API_SCOPES] },
      [],
    ],
    ["a subset", { audience: "https://t.eu.auth0.com/api/v2/", scopes: ["read:users"] }, []],
    [
      "a customer API grant (not the Management API)",
      { audience: "https://api.acme.example/", scopes: ["read:x"] },
      [],
    ],
    [
      "an extra scope",
      { audience: "https://t.eu.auth0.com/api/v2/", scopes: ["read:users", "delete:tenants"] },
      ["Grant on https://t.eu.auth0.com/api/v2/ has scopes outside the contract: delete:tenants."],
    ],
    [
      "the contract's scopes with key pairs' create:client_credentials",
      {
        audience: "https://t.eu.auth0.com/api/v2/",
        scopes: [...MANAGEMENT_API_SCOPES, "create:client_credentials"],
      },
      [],
    ],
    [
      "a client_credentials scope key pairs do not need",
      {
        audience: "https://t.eu.auth0.com/api/v2/",
        scopes: ["create:client_credentials", "read:client_credentials"],
      },
      [
        "Grant on https://t.eu.auth0.com/api/v2/ has scopes outside the contract: read:client_credentials.",
      ],
    ],
    [
      "allowAllScopes",
      { audience: "https://t.eu.auth0.com/api/v2/", allowAllScopes: true },
      [
        "Grant on https://t.eu.auth0.com/api/v2/ sets allowAllScopes; list the contract's scopes instead.",
      ],
    ],
  ])("backend grant scopes: %s", (_name, props, expected) => {
    expect(violations(backendGrantScopes, GRANT, props)).toEqual(expected);
  });

  const backendClient = (metadata?: Record<string, string>) => ({
    name: "Astral Backend",
    ...(metadata ? { clientMetadata: metadata } : {}),
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "client secrets on Free",
      backendClient({ astralAuth0Plan: "free", astralCredentialKinds: "client_secret" }),
      [],
    ],
    [
      "key pairs on Enterprise",
      backendClient({
        astralAuth0Plan: "enterprise",
        astralCredentialKinds: "client_secret key_pair",
      }),
      [],
    ],
    [
      "key pairs on Professional",
      backendClient({ astralAuth0Plan: "professional", astralCredentialKinds: "key_pair" }),
      [
        'The tenant\'s Auth0 plan "professional" (astral:auth0Plan) refuses key_pair credentials, which portal.config.js offers (credentialKinds); Private Key JWT needs enterprise.',
      ],
    ],
    [
      "no plan stated",
      backendClient(),
      [
        "The Astral Backend does not state its tenant's Auth0 plan (client_metadata.astralAuth0Plan); set astral:auth0Plan.",
      ],
    ],
    [
      "another client (not the Astral Backend)",
      {
        name: "Astral Portal",
        clientMetadata: { astralAuth0Plan: "free", astralCredentialKinds: "key_pair" },
      },
      [],
    ],
  ])("backend plan serves kinds: %s", (_name, props, expected) => {
    expect(violations(backendPlanServesKinds, "auth0:index/client:Client", props)).toEqual(
      expected,
    );
  });

  it.each<[string, string | undefined, number]>([
    [
      "secrets as valueFrom",
      containers({
        environment: [{ name: "APP_BASE_URL", value: "x" }],
        secrets: [{ name: "AUTH0_SECRET", valueFrom: secretArn }],
      }),
      0,
    ],
    ["unknown during preview", undefined, 0],
    [
      "a contract secret in environment",
      containers({ environment: [{ name: "AUTH0_CLIENT_SECRET", value: "s" }] }),
      1,
    ],
    [
      "a secret-looking name in environment",
      containers({ environment: [{ name: "DB_PASSWORD", value: "s" }] }),
      1,
    ],
    [
      "valueFrom that is not an ARN",
      containers({ secrets: [{ name: "AUTH0_SECRET", valueFrom: "plain-value" }] }),
      1,
    ],
    ["not JSON", "{", 1],
  ])("no plaintext secret in a task definition: %s", (_name, raw, count) => {
    expect(
      violations(noPlaintextSecretInTaskDefinition, TASK, { containerDefinitions: raw }),
    ).toHaveLength(count);
  });

  it.each<[string, string, number]>([
    ["a preview", "preview", 0],
    ["production", "production", 1],
    ["sandbox", "sandbox", 1],
  ])("the portal's plain-http allowance only in a preview: %s", (_name, role, count) => {
    const allowance = containers({
      environment: [{ name: "ASTRAL_PLAIN_HTTP_PREVIEW", value: "no-domain" }],
    });
    const props = { containerDefinitions: allowance, tags: { "astral:role": role } };
    expect(violations(plainHttpOnlyInPreviews, TASK, props)).toHaveLength(count);
    expect(
      violations(plainHttpOnlyInPreviews, TASK, { ...props, containerDefinitions: containers({}) }),
    ).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, number]>([
    ["HTTPS", { protocol: "HTTPS", port: 443, certificateArn: "arn:cert" }, 0],
    [
      "HTTP redirecting to HTTPS",
      {
        protocol: "HTTP",
        port: 80,
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443" } }],
      },
      0,
    ],
    [
      "plain HTTP in a preview, tagged",
      {
        protocol: "HTTP",
        port: 80,
        defaultActions: [{ type: "forward" }],
        tags: { "astral:plain-http": "no-domain", "astral:role": "preview" },
      },
      0,
    ],
    [
      "plain HTTP forward",
      { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] },
      1,
    ],
    [
      "plain HTTP tagged, but in production",
      {
        protocol: "HTTP",
        port: 80,
        defaultActions: [{ type: "forward" }],
        tags: { "astral:plain-http": "no-domain", "astral:role": "production" },
      },
      1,
    ],
  ])("ALB listeners: %s", (_name, props, count) => {
    expect(violations(albListenersHttps, LISTENER, props)).toHaveLength(count);
  });

  it("ECR: scan on push and immutable tags", () => {
    const type = "aws:ecr/repository:Repository";
    expect(
      violations(ecrScanOnPush, type, {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
      }),
    ).toEqual([]);
    const mustBeImmutable =
      'ECR repository must set imageTagMutability = "IMMUTABLE" (a build cache repository: immutable except the "buildcache" tag).';
    expect(violations(ecrScanOnPush, type, { imageTagMutability: "MUTABLE" })).toEqual([
      "ECR repository must set imageScanningConfiguration.scanOnPush = true.",
      mustBeImmutable,
    ]);
    // The build cache repository: immutable except exactly its cache tag, nothing wider.
    const cache = (filter: string) => ({
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filter, filterType: "WILDCARD" }],
    });
    expect(violations(ecrScanOnPush, type, cache("buildcache"))).toEqual([]);
    expect(violations(ecrScanOnPush, type, cache("*"))).toEqual([mustBeImmutable]);
  });

  it("log groups set a retention", () => {
    const type = "aws:cloudwatch/logGroup:LogGroup";
    expect(violations(logRetentionSet, type, { retentionInDays: 30 })).toEqual([]);
    expect(violations(logRetentionSet, type, {})).toEqual(["Log group must set retentionInDays."]);
  });

  it("ignores resources of other types", () => {
    for (const p of resourcePolicies)
      expect(violations(p, "aws:s3/bucket:Bucket", { scopes: ["x"] })).toEqual([]);
  });

  describe("a preview declares nothing in a tenant", () => {
    const resource = (type: string, role?: string) =>
      ({
        type,
        name: type,
        urn: `urn:${type}`,
        props: role ? { tags: { "astral:role": role } } : {},
      }) as unknown as PolicyResource;
    const run = (resources: PolicyResource[]) => {
      const found: string[] = [];
      previewOwnsNoTenantResources.validateStack(
        { resources } as unknown as StackValidationArgs,
        (m) => found.push(m),
      );
      return found;
    };

    it("passes a preview with only AWS resources, and a sandbox with Auth0 resources", () => {
      expect(run([resource("aws:ecs/service:Service", "preview")])).toEqual([]);
      expect(
        run([
          resource("aws:ecs/service:Service", "sandbox"),
          resource("auth0:index/client:Client"),
        ]),
      ).toEqual([]);
    });

    it("fails a preview with an auth0 provider, client or PortalAdmin", () => {
      expect(
        run([
          resource("aws:ecs/service:Service", "preview"),
          resource("pulumi:providers:auth0"),
          resource("auth0:index/client:Client"),
          resource("pulumi-nodejs:dynamic/astral:PortalAdmin"),
        ]),
      ).toHaveLength(3);
    });
  });
});
