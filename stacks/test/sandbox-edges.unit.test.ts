/**
 * The sandbox stack's edges under Pulumi mocks: the reproducible image build and its cache, the
 * hosted zone check and ACM's timeout, the order of the ALB after the internet gateway.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { contextHash } from "../../scripts/image/context";
import type { StackOutputs } from "../roles";
import { SANDBOX_CONFIG } from "./fixtures";
import {
  createTimeoutOf,
  dependenciesOf,
  invokes,
  isProtected,
  loadStack,
  one,
  policyViolations,
  records,
  resolve,
  unwrap,
  urnOf,
} from "./harness";

let outputs: StackOutputs;

beforeAll(async () => {
  outputs = await loadStack("sandbox", SANDBOX_CONFIG);
});

describe("sandbox stack edges", () => {
  it("builds reproducibly from a registry cache it alone writes: build id from the context, fixed timestamps", async () => {
    const image = unwrap(one("docker-build:index:Image").inputs) as Record<string, unknown>;
    const cache = one("aws:ecr/repository:Repository", "portal-cache");
    const ref = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${cache.name}:buildcache`;
    // The same sources give the same build id (a docs or config change leaves it: image-context test).
    expect(image.buildArgs).toEqual({ ASTRAL_BUILD_ID: contextHash("."), SOURCE_DATE_EPOCH: "0" });
    expect(image.cacheFrom).toEqual([{ registry: { ref } }]);
    expect(image.cacheTo).toEqual([
      { registry: { ref, imageManifest: true, ociMediaTypes: true, mode: "max" } },
    ]);
    // Not in a preview: docker-build exports the cache even from a preview's build, and a PR's
    // `pulumi preview` of sandbox runs with a role that may only read it.
    expect(image.buildOnPreview).toBe(false);
    // Immutable except the one cache tag; the policies accept exactly that.
    expect(cache.inputs).toMatchObject({
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filter: "buildcache", filterType: "WILDCARD" }],
    });
    expect((await resolve(outputs.imageCacheRepository)).value).toBe(
      ref.replace(/:buildcache$/, ""),
    );
    expect(policyViolations()).toEqual([]);
  });

  it("checks the hosted zone holds the domain before asking ACM, and waits 20 minutes for validation, not 75", () => {
    const lookup = invokes.filter((i) => i.token === "aws:route53/getZone:getZone");
    expect(lookup.map((i) => i.inputs.zoneId)).toEqual(["Z0123456789ABC"]);
    expect(one("aws:acm/certificate:Certificate").inputs.domainName).toBe(
      "portal.sandbox.fixture.test",
    );
    expect(createTimeoutOf(one("aws:acm/certificateValidation:CertificateValidation"))).toBe("20m");
  });

  it("creates the ALB after the internet gateway, and leaves it deletable (not production)", () => {
    const alb = one("aws:lb/loadBalancer:LoadBalancer");
    const igw = one("aws:ec2/internetGateway:InternetGateway");
    expect(dependenciesOf(alb).some((urn) => urnOf(urn, igw))).toBe(true);
    expect(alb.inputs.enableDeletionProtection).toBe(false);
    // Nor are its Auth0 clients protected: sandbox may be torn down and rebuilt.
    expect(records.filter((r) => r.type.startsWith("auth0:") && isProtected(r))).toEqual([]);
  });
});
