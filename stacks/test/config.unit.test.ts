import { readFileSync } from "node:fs";
import path from "node:path";
import type { CredentialKind } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { offeredKindsOf } from "../../portal/lib/config/offer";
import { CONFIG_KEYS, isPlaceholder, parseStackConfig, StackConfigError } from "../config";
import { exampleValueProblem } from "../examples";
import { operatorValue } from "./operator-values";

const sessionSecret = "s".repeat(64);
const sandbox = {
  role: "sandbox",
  auth0Domain: "fixture-sandbox.eu.auth0.com",
  auth0Plan: "free",
  auth0ClientId: "bootstrapClientId",
  auth0ClientSecret: "bootstrap-secret",
  adminEmail: "admin@fixture.test",
  imageTag: "0123456789ab-4711-1",
  domainName: "portal.sandbox.fixture.test",
  hostedZoneId: "Z0123456789ABC",
  sessionSecret,
};
const production = {
  role: "production",
  auth0Domain: "fixture.eu.auth0.com",
  auth0Plan: "free",
  auth0ClientId: "bootstrapClientId",
  auth0ClientSecret: "bootstrap-secret",
  adminEmail: "admin@fixture.test",
  imageDigest: `sha256:${"a".repeat(64)}`,
  imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
  sandboxStack: "fixture-org/astral/sandbox",
  domainName: "portal.fixture.test",
  hostedZoneId: "Z0123456789ABC",
  sessionSecret,
};
const preview = {
  role: "preview",
  imageTag: "pr-12-0123456789ab-20261130T204405Z",
  sandboxStack: "fixture-org/astral/sandbox",
  prNumber: "12",
  sessionSecret,
};

function problemsOf(raw: Record<string, string | undefined>): string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(StackConfigError);
    return (error as StackConfigError).problems;
  }
  throw new Error("the config was accepted");
}

describe("parseStackConfig", () => {
  it("accepts a complete config of each role and applies defaults", () => {
    const s = parseStackConfig(sandbox);
    expect(s).toMatchObject({ role: "sandbox", cpu: "512", memory: "1024", minTasks: 1 });
    expect(parseStackConfig(production).role).toBe("production");
    const p = parseStackConfig(preview);
    expect(p.role === "preview" && p.prNumber).toBe(12);
  });

  // Each row: a config, and the one problem it must be rejected with (naming the key).
  const badConfigs: Array<[string, Record<string, string | undefined>, string]> = [
    ["no role", { ...sandbox, role: undefined }, "astral:role is missing"],
    [
      "unknown role",
      { ...sandbox, role: "staging" },
      "astral:role must be one of sandbox, production, preview",
    ],
    [
      "domain with protocol",
      { ...sandbox, auth0Domain: "https://acme.auth0.com" },
      "astral:auth0Domain must be a host name only",
    ],
    [
      "missing client secret",
      { ...sandbox, auth0ClientSecret: undefined },
      "astral:auth0ClientSecret is missing: pulumi config set --secret astral:auth0ClientSecret",
    ],
    [
      "missing session secret",
      { ...preview, sessionSecret: undefined },
      "astral:sessionSecret is missing: openssl rand -hex 32 | pulumi config set --secret astral:sessionSecret",
    ],
    [
      "short session secret",
      { ...sandbox, sessionSecret: "short" },
      "astral:sessionSecret must be at least 32 characters",
    ],
    [
      "bad admin email",
      { ...sandbox, adminEmail: "admin" },
      "astral:adminEmail must be an email address",
    ],
    [
      "production without digest",
      { ...production, imageDigest: undefined },
      "astral:imageDigest is missing: pulumi config set astral:imageDigest <value>",
    ],
    [
      "production with a tag, not a digest",
      { ...production, imageDigest: "latest" },
      "astral:imageDigest must be sha256:<64 hex digits>",
    ],
    [
      "digest too short",
      { ...production, imageDigest: "sha256:abc" },
      "astral:imageDigest must be sha256:<64 hex digits>",
    ],
    [
      "bare stack name",
      { ...production, sandboxStack: "sandbox" },
      "astral:sandboxStack must be <org>/<project>/<stack>",
    ],
    [
      "preview without PR number",
      { ...preview, prNumber: undefined },
      "astral:prNumber is missing",
    ],
    [
      "preview with a bad PR number",
      { ...preview, prNumber: "0" },
      "astral:prNumber must be the pull request number",
    ],
    [
      "sandbox without image tag",
      { ...sandbox, imageTag: undefined },
      "astral:imageTag is missing",
    ],
    [
      "image tag with a slash",
      { ...sandbox, imageTag: "feature/x" },
      "astral:imageTag must be a tag no build used before: <git commit>-<build id>",
    ],
    [
      // ECR tags are immutable: a second run of the same commit would push the same tag again.
      "image tag that is only the commit",
      { ...sandbox, imageTag: "0123456789ab" },
      "astral:imageTag must be a tag no build used before: <git commit>-<build id>",
    ],
    [
      "preview domain without zone",
      { ...preview, domainName: "pr-12.previews.fixture.test" },
      "astral:hostedZoneId is required when astral:domainName is set",
    ],
    [
      "production without a domain (HTTPS is required)",
      { ...production, domainName: undefined },
      "astral:domainName is missing",
    ],
    [
      "bad zone id",
      { ...sandbox, domainName: "portal.fixture.test", hostedZoneId: "abc" },
      "astral:hostedZoneId must be a Route 53 hosted zone id",
    ],
    [
      "PR number that is not a number",
      { ...preview, prNumber: "abc" },
      "astral:prNumber must be the pull request number",
    ],
    [
      "task count that is not a number",
      { ...sandbox, maxTasks: "many" },
      "astral:maxTasks must be a whole number from 1 to 50",
    ],
    [
      "fractional task count",
      { ...sandbox, minTasks: "1.5" },
      "astral:minTasks must be a whole number from 1 to 20",
    ],
    [
      "min above max",
      { ...sandbox, minTasks: "5", maxTasks: "2" },
      "astral:maxTasks must be at least astral:minTasks (5)",
    ],
    [
      "retention CloudWatch rejects",
      { ...sandbox, logRetentionDays: "10" },
      "astral:logRetentionDays must be one of the values CloudWatch accepts",
    ],
    ["cpu Fargate does not offer", { ...sandbox, cpu: "300" }, "astral:cpu"],
    [
      "api identifier not a URL",
      { ...sandbox, apiIdentifier: "my api" },
      "astral:apiIdentifier must be a URL",
    ],
    // The docs' and stack files' examples, refused by key (stacks/examples.ts).
    [
      "the docs' example domain",
      { ...sandbox, domainName: "portal.sandbox.acme.example" },
      'astral:domainName is the docs\' example "portal.sandbox.acme.example" (acme.example is reserved',
    ],
    [
      "an example.com admin",
      { ...sandbox, adminEmail: "admin@Example.com" },
      "astral:adminEmail is the docs' example",
    ],
    [
      "the docs' example API",
      { ...sandbox, apiIdentifier: "https://api.acme.example/" },
      "astral:apiIdentifier is the docs' example",
    ],
    [
      "the docs' preview domain",
      { ...sandbox, previewDomain: "previews.acme.example" },
      "astral:previewDomain is the docs' example",
    ],
    [
      "the stack file's example tenant",
      { ...sandbox, auth0Domain: "acme-sandbox.eu.auth0.com" },
      'astral:auth0Domain is the stack file\'s example tenant "acme-sandbox.eu.auth0.com"',
    ],
    [
      "the example production tenant in another region",
      { ...production, auth0Domain: "acme.us.auth0.com" },
      "astral:auth0Domain is the stack file's example tenant",
    ],
    [
      "the docs' example organization",
      { ...production, sandboxStack: "acme/astral/sandbox" },
      'astral:sandboxStack is in the docs\' example organization "acme"',
    ],
  ];

  it("keeps real names that merely contain the example words", () => {
    const real = {
      ...sandbox,
      auth0Domain: "acme-corp.eu.auth0.com",
      domainName: "portal.example-bank.com",
      adminEmail: "ops@acme.io",
    };
    expect(parseStackConfig(real).role).toBe("sandbox");
    expect(parseStackConfig({ ...production, sandboxStack: "acme-corp/astral/sandbox" }).role).toBe(
      "production",
    );
  });

  it.each(badConfigs)("rejects %s", (_name, raw, expected) => {
    const problems = problemsOf(raw);
    expect(
      problems.some((p) => p.startsWith(expected)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("lists every problem at once, one line per key", () => {
    const problems = problemsOf({
      ...sandbox,
      auth0Domain: undefined,
      adminEmail: "x",
      sessionSecret: undefined,
    });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toContain("astral:auth0Domain is missing");
    expect(problems.join("\n")).toContain("astral:adminEmail must be an email address");
    expect(problems.join("\n")).toContain("astral:sessionSecret is missing");
  });

  it("never echoes a secret value in its message", () => {
    const error = (() => {
      try {
        parseStackConfig({ ...sandbox, sessionSecret: "too-short-secret-value" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain("astral:sessionSecret");
    expect(error?.message).not.toContain("too-short-secret-value");
  });

  it("knows every key the shared names require", () => {
    for (const key of ["role", "imageDigest", "sandboxStack", "prNumber"]) {
      expect(CONFIG_KEYS).toContain(key);
    }
  });
});

describe("the tenant's Auth0 plan against portal.config.js's offer", () => {
  const offer = (production: CredentialKind[], sandbox: CredentialKind[]) => ({
    production,
    sandbox,
  });
  const problemsWith = (raw: Record<string, string>, kinds: ReturnType<typeof offer>) => {
    try {
      parseStackConfig(raw, [], kinds);
    } catch (error) {
      return (error as StackConfigError).problems;
    }
    return [];
  };

  it("is required of a stack that owns a tenant, and must be a plan", () => {
    expect(problemsOf({ ...sandbox, auth0Plan: undefined })).toEqual([
      "astral:auth0Plan is missing: pulumi config set astral:auth0Plan <value>",
    ]);
    expect(problemsOf({ ...production, auth0Plan: "pro" })).toEqual([
      "astral:auth0Plan must be the tenant's Auth0 plan: one of free, essentials, professional, enterprise",
    ]);
  });

  it("refuses key pairs on a plan without Private Key JWT, naming both settings and the fix", () => {
    expect(problemsWith(production, offer(["key_pair"], ["client_secret"]))).toEqual([
      'astral:auth0Plan is "free", and Auth0 refuses key_pair credentials on that plan (Private Key JWT needs enterprise), but portal.config.js offers them in production (environments[id=production].credentialKinds = ["key_pair"]). Set astral:auth0Plan to enterprise if the tenant is on Enterprise, or set that credentialKinds to ["client_secret"].',
    ]);
    for (const plan of ["essentials", "professional"])
      expect(
        problemsWith({ ...sandbox, auth0Plan: plan }, offer([], ["client_secret", "key_pair"])),
        plan,
      ).toEqual([expect.stringContaining(`astral:auth0Plan is "${plan}"`)]);
  });

  it("accepts key pairs on Enterprise, client secrets on every plan, and checks only the stack's own environment", () => {
    const both = offer(["key_pair"], ["client_secret", "key_pair"]);
    expect(problemsWith({ ...production, auth0Plan: "enterprise" }, both)).toEqual([]);
    expect(problemsWith({ ...sandbox, auth0Plan: "enterprise" }, both)).toEqual([]);
    for (const plan of ["free", "essentials", "professional", "enterprise"])
      expect(
        problemsWith({ ...sandbox, auth0Plan: plan }, offer(["key_pair"], ["client_secret"])),
      ).toEqual([]);
    // A preview owns no tenant: the sandbox stack's check covers the tenant it borrows.
    expect(problemsWith(preview, offer(["key_pair"], ["key_pair"]))).toEqual([]);
  });
});

describe("the committed stack files", () => {
  const root = path.resolve(__dirname, "../..");
  const read = (stack: string) => {
    const doc = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
      config: Record<string, string>;
    };
    return Object.fromEntries(
      Object.entries(doc.config)
        .filter(([key]) => key.startsWith("astral:"))
        .map(([key, value]) => [key.slice("astral:".length), String(value)]),
    );
  };

  it.each(["sandbox", "production"])(
    "Pulumi.%s.yaml: valid once the secrets are set, except its placeholders, which are named",
    (stack) => {
      // The secrets, and (sandbox) the per-deploy image tag, are set by command, not in the file.
      const raw: Record<string, string> = {
        ...read(stack),
        auth0ClientSecret: "x",
        sessionSecret: "s".repeat(64),
        ...(stack === "sandbox" ? { imageTag: "0123456789ab-4711-1" } : {}),
      };
      const placeholderKeys = Object.keys(raw).filter((k) => isPlaceholder(String(raw[k])));
      expect(placeholderKeys.length).toBeGreaterThan(0);
      // The docs' examples (acme.example, the acme tenants and organization) are refused too.
      const exampleKeys = Object.keys(raw).filter((k) => exampleValueProblem(k, String(raw[k])));
      expect(exampleKeys).toEqual(expect.arrayContaining(["auth0Domain", "domainName"]));
      expect(problemsOf(raw)).toEqual([
        ...placeholderKeys.map((k) =>
          expect.stringMatching(
            new RegExp(`^astral:${k} still holds the stack file's placeholder`),
          ),
        ),
        ...exampleKeys.map((k) => expect.stringMatching(new RegExp(`^astral:${k} is (the|in)`))),
      ]);
      // With the operator's values in their place (and a promotion's pin), the file parses.
      const filled = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, PINNED[k] ?? operatorValue(stack, k, v)]),
      );
      expect(parseStackConfig(filled).role).toBe(stack);
      // The shipped plan serves what the shipped portal.config.js offers (the preview's check).
      expect(parseStackConfig(filled, [], offeredKindsOf()).role).toBe(stack);
    },
  );

  it("never hold a secret key", () => {
    for (const stack of ["sandbox", "production"]) {
      expect(Object.keys(read(stack))).not.toEqual(expect.arrayContaining(["auth0ClientSecret"]));
      expect(Object.keys(read(stack))).not.toContain("sessionSecret");
    }
  });
});

/** What `npm run promote -- prepare` pins in Pulumi.production.yaml. */
const PINNED: Record<string, string> = {
  imageDigest: `sha256:${"d".repeat(64)}`,
  imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
};
