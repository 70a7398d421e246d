/** The AWS components alone, under Pulumi mocks, and their pure helpers. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { testTempDir } from "../../../tests/support/temp-dirs";
import { zoneProblem } from "../frontDoor";
import { KEPT_PROMOTIONS, keptImageTags } from "../keptImages";
import { Network, parseSharedNetwork, type SharedNetworkOutput, sharedNetwork } from "../network";
import { containerDefinitions } from "../portalContainer";
import {
  ImageRepository,
  lifecyclePolicy,
  PortalImage,
  PREVIEW_TAG_PREFIX,
  reproducibleBuildArgs,
  SANDBOX_IMAGE_DAYS,
} from "../registry";
import { PortalSecrets } from "../secrets";
import { secretsReadPolicy } from "../service";
import { statefulOptions } from "../stateful";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({
        id: `${args.name}-id`,
        state:
          args.type === "aws:secretsmanager/secretVersion:SecretVersion"
            ? {
                ...args.inputs,
                secretArn: `arn:${String(args.inputs.secretId).replace(/-id$/, "")}`,
                versionId: `${args.name}-version`,
              }
            : { ...args.inputs, arn: `arn:${args.name}` },
      }),
      call: () => ({}),
    },
    "astral",
    "unit",
  );
});

/** Reads Resource's protect flag (the SDK keeps it on the instance; mocks do not report it). */
const isProtected = (resource: pulumi.Resource) =>
  (resource as unknown as { __protect?: boolean }).__protect === true;

describe("stateful resources", () => {
  it("are protected and retained on delete in long-lived stacks, not in previews", () => {
    expect(statefulOptions(true)).toEqual({ protect: true, retainOnDelete: true });
    expect(statefulOptions(false)).toEqual({});
    expect(isProtected(new ImageRepository("kept", { retain: true, tags: {} }).repository)).toBe(
      true,
    );
    expect(
      isProtected(new ImageRepository("throwaway", { retain: false, tags: {} }).repository),
    ).toBe(false);
  });

  it("secrets get a recovery window only where they are retained", async () => {
    const kept = new PortalSecrets("kept", {
      values: { A: pulumi.secret("x") },
      namePrefix: "p",
      retain: true,
      tags: {},
    });
    expect(Object.keys(kept.arns)).toEqual(["A"]);
  });

  it("hands the task each secret pinned to its version, so a new value means a new task definition", async () => {
    const secrets = new PortalSecrets("pinned", {
      values: { AUTH0_SECRET: pulumi.secret("x") },
      namePrefix: "p",
      retain: false,
      tags: {},
    });
    const valueFrom = await new Promise<string>((ok) => {
      secrets.valueFroms.AUTH0_SECRET?.apply(ok);
    });
    const arn = await new Promise<string>((ok) => {
      secrets.arns.AUTH0_SECRET?.apply(ok);
    });
    // ECS: arn:...:secret:<name>:<json-key>:<version-stage>:<version-id>; the mock's version id.
    expect(valueFrom).toBe(`${arn}:::pinned-auth0-secret-version`);
  });
});

describe("PortalImage", () => {
  /** The retainOnDelete option each docker-build Image was given (mocks do not report options). */
  const retainOf = (retain: boolean) => {
    const seen: Array<boolean | undefined> = [];
    new PortalImage(
      `img-${retain}`,
      {
        repositoryUrl: "1.dkr.ecr.eu-west-1.amazonaws.com/r",
        tag: "t",
        contextDir: "/r",
        retain,
        buildId: "0123456789abcdef",
        cache: { repositoryUrl: "1.dkr.ecr.eu-west-1.amazonaws.com/c", write: false },
      },
      {
        transformations: [
          (a) => {
            if (a.type === "docker-build:index:Image") seen.push(a.opts.retainOnDelete);
            return undefined;
          },
        ],
      },
    );
    return seen;
  };

  it("keeps a retained image's pushed manifest when the resource is deleted (production pins it)", () => {
    expect(retainOf(true)).toEqual([true]);
    expect(retainOf(false)).toEqual([false]);
  });
});

describe("the hosted zone and the domain", () => {
  it("accepts the zone's apex and names under it, and names the problem otherwise", () => {
    expect(zoneProblem("portal.fixture.test", "Z1", "fixture.test.")).toBeNull();
    expect(zoneProblem("fixture.test", "Z1", "fixture.test")).toBeNull();
    expect(zoneProblem("pr-4.previews.fixture.test", "Z1", "previews.fixture.test")).toBeNull();
    // A suffix is not a parent zone: notfixture.test is not under fixture.test.
    expect(zoneProblem("portal.notfixture.test", "Z1", "fixture.test")).toBe(
      "astral:domainName portal.notfixture.test is not in hosted zone Z1 (fixture.test): set astral:hostedZoneId to the zone that holds it (previews: sandbox's zone must hold astral:previewDomain)",
    );
  });
});

describe("reproducible image builds", () => {
  it("pass the context-derived build id and a fixed SOURCE_DATE_EPOCH, and refuse anything else as an id", () => {
    expect(reproducibleBuildArgs("0123456789abcdef")).toEqual({
      ASTRAL_BUILD_ID: "0123456789abcdef",
      SOURCE_DATE_EPOCH: "0",
    });
    expect(() => reproducibleBuildArgs("$(date)")).toThrow(
      'image build id must be 16-64 lowercase hex digits, got "$(date)"',
    );
  });
});

describe("ECR lifecycle", () => {
  type Rule = {
    rulePriority: number;
    selection: {
      tagStatus: string;
      tagPrefixList?: string[];
      countType: string;
      countNumber: number;
    };
  };
  const rulesOf = (keep?: string[]) => JSON.parse(lifecyclePolicy(keep)).rules as Rule[];

  it("without a kept tag expires untagged images and old preview images only", () => {
    const rules = rulesOf();
    expect(rules.map((r) => r.selection.tagStatus)).toEqual(["untagged", "tagged"]);
    expect(rules[1]?.selection.tagPrefixList).toEqual([PREVIEW_TAG_PREFIX]);
  });

  it("expires sandbox images after 90 days, except the kept ones, which no later rule can expire", () => {
    const keep = ["0123456789ab-4711-1", "fedcba987654-4700-2"];
    const rules = rulesOf(keep);
    // ECR: a rule can never expire an image a higher-priority rule's tags selected; so each kept
    // tag is claimed, before the age rule, by a rule whose count it never reaches.
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3, 4, 5]);
    expect(rules.slice(1, 3).map((r) => r.selection)).toEqual(
      keep.map((tag) => ({
        tagStatus: "tagged",
        tagPrefixList: [tag],
        countType: "imageCountMoreThan",
        countNumber: 1000,
      })),
    );
    // ECR: a rule with tagStatus "any" must have the highest priority, evaluated last.
    expect(rules.at(-1)?.selection).toEqual({
      tagStatus: "any",
      countType: "sinceImagePushed",
      countUnit: "days",
      countNumber: SANDBOX_IMAGE_DAYS,
    });
    expect(SANDBOX_IMAGE_DAYS).toBeGreaterThanOrEqual(90);
  });

  /**
   * What ECR expires under `rules` (its documented evaluation): rules in priority order; a rule
   * selects the images whose tags meet its tag requirements and that no higher-priority rule
   * selected, and expires those past its count (the newest `countNumber` stay) or age.
   */
  function expiredBy(rules: Rule[], images: Array<{ tags: string[]; daysAgo: number }>) {
    const claimed = new Set<number>();
    const expired = new Set<string>();
    for (const { selection: sel } of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
      const selected = images
        .map((image, i) => ({ ...image, i }))
        .filter(({ tags, i }) => {
          if (claimed.has(i)) return false;
          if (sel.tagStatus === "untagged") return tags.length === 0;
          if (sel.tagStatus === "any") return true;
          return tags.some((t) => sel.tagPrefixList?.some((p) => t.startsWith(p)));
        });
      for (const { i } of selected) claimed.add(i);
      const gone =
        sel.countType === "imageCountMoreThan"
          ? [...selected].sort((a, b) => a.daysAgo - b.daysAgo).slice(sel.countNumber)
          : selected.filter((image) => image.daysAgo > sel.countNumber);
      for (const image of gone) expired.add(image.tags[0] ?? `untagged ${image.i}`);
    }
    return expired;
  }

  it("never expires a kept image a preview also tagged (the same inputs give the same digest)", () => {
    const pinned = "0123456789ab-4711-1";
    const images = [
      // Production pins it; a PR that changed no image input pushed the same digest as pr-1-….
      { tags: [pinned, `${PREVIEW_TAG_PREFIX}1-0123456789ab-5000-1`], daysAgo: 200 },
      ...Array.from({ length: 31 }, (_, n) => ({
        tags: [`${PREVIEW_TAG_PREFIX}${n + 2}-fedcba987654-${6000 + n}-1`],
        daysAgo: n,
      })),
      { tags: ["fedcba987654-4000-1"], daysAgo: 120 }, // a sandbox build nobody keeps
      { tags: [], daysAgo: 20 },
    ];
    const expired = expiredBy(rulesOf([pinned]), images);
    expect(expired.has(pinned)).toBe(false);
    expect([...expired].sort()).toEqual(
      [`${PREVIEW_TAG_PREFIX}32-fedcba987654-6030-1`, "fedcba987654-4000-1", "untagged 33"].sort(),
    );
  });

  it("keeps the tag sandbox runs and the newest promotions' tags, within ECR's policy length", () => {
    const root = testTempDir("astral-kept-");
    mkdirSync(path.join(root, "docs"));
    const record = (n: number) =>
      JSON.stringify({
        from: "sandbox",
        to: "production",
        digest: `sha256:${n.toString(16).padStart(64, "0")}`,
        previousDigest: null,
        gitSha: "0123456789abcdef0123456789abcdef01234567",
        imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
        imageTag: `0123456789ab-${9000 + n}-1`,
        requestedBy: "alice",
        time: "2026-12-03T18:30:00.000Z",
      });
    const lines = Array.from({ length: 45 }, (_, i) => record(i + 1));
    writeFileSync(path.join(root, "docs", "promotions.jsonl"), `${lines.join("\n")}\n`);
    const kept = keptImageTags("0123456789ab-9999-1", root);
    expect(kept).toHaveLength(KEPT_PROMOTIONS + 1);
    expect(kept[0]).toBe("0123456789ab-9999-1");
    expect(kept.at(-1)).toBe("0123456789ab-9045-1"); // the newest record
    expect(kept).not.toContain("0123456789ab-9005-1"); // older than the newest 40
    expect(keptImageTags("t-1", testTempDir("astral-kept-"))).toEqual(["t-1"]); // no record yet
    // 41 tags of ECR's longest (128 characters) still fit the 30,720-character quota.
    const longest = Array.from({ length: KEPT_PROMOTIONS + 1 }, (_, i) => `${i}`.padEnd(128, "x"));
    expect(lifecyclePolicy(longest).length).toBeLessThanOrEqual(30_720);
    expect(() => lifecyclePolicy([...longest, "one-more"])).toThrow(
      "the ECR lifecycle keeps at most 41 tags, got 42",
    );
  });
});

describe("Network", () => {
  it("rejects a single availability zone with a message naming the problem", () => {
    expect(
      () => new Network("n", { availabilityZones: ["eu-west-1a"], natGateway: false, tags: {} }),
    ).toThrow("Network n: an ALB needs two availability zones, got 1");
  });
});

describe("sharedNetwork (a preview in sandbox's network)", () => {
  const promise = <T>(o: pulumi.Input<T>) =>
    (pulumi.output(o) as unknown as { promise(): Promise<T> }).promise();
  const exported: SharedNetworkOutput = {
    vpcId: "vpc-1",
    vpcCidrBlock: "10.40.0.0/16",
    publicSubnetIds: ["subnet-a", "subnet-b"],
    taskSubnetIds: ["subnet-a", "subnet-b"],
    assignPublicIp: true,
  };

  it("takes the VPC, subnets and public-IP choice from the other stack's output", async () => {
    const network = sharedNetwork(pulumi.output(exported));
    expect(await promise(network.vpcId)).toBe("vpc-1");
    expect(await promise(network.publicSubnetIds)).toEqual(["subnet-a", "subnet-b"]);
    expect(await promise(network.taskSubnetIds)).toEqual(["subnet-a", "subnet-b"]);
    expect(await promise(network.assignPublicIp)).toBe(true);
  });

  it("refuses an output without two public subnets, naming what is missing", () => {
    expect(parseSharedNetwork(exported)).toEqual(exported);
    for (const broken of [
      { ...exported, publicSubnetIds: ["subnet-a"] },
      { ...exported, assignPublicIp: "yes" },
      undefined,
    ]) {
      expect(() => parseSharedNetwork(broken)).toThrow(
        /the shared network output must have vpcId, vpcCidrBlock, two publicSubnetIds/,
      );
    }
  });
});

describe("containerDefinitions", () => {
  const base = {
    image: "repo@sha256:abc",
    environment: { APP_BASE_URL: "https://portal" },
    secretValueFroms: { AUTH0_SECRET: "arn:aws:secretsmanager:eu-west-1:1:secret:s-AbCdEf:::v1" },
    logGroup: "lg",
    region: "eu-west-1",
  };

  it("puts secrets only in secrets[].valueFrom", () => {
    const [c] = JSON.parse(containerDefinitions(base));
    expect(c.secrets).toEqual([
      { name: "AUTH0_SECRET", valueFrom: base.secretValueFroms.AUTH0_SECRET },
    ]);
    expect(c.environment).toEqual([{ name: "APP_BASE_URL", value: "https://portal" }]);
    expect(c.logConfiguration.options["awslogs-group"]).toBe("lg");
  });

  it("refuses a variable that is both plain and secret", () => {
    expect(() =>
      containerDefinitions({ ...base, environment: { AUTH0_SECRET: "plain!" } }),
    ).toThrow("Both plain and secret environment variables: AUTH0_SECRET");
  });

  it("execution policy: GetSecretValue on exactly the given ARNs", () => {
    expect(JSON.parse(secretsReadPolicy(["b", "a"])).Statement).toEqual([
      {
        Sid: "ReadPortalSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: ["a", "b"],
      },
    ]);
  });
});
