/**
 * The program as Pulumi's nodejs runtime loads it: TypeScript compiled by the runtime's ts-node
 * (the vendored 7.0.1 unless the project installs one) with the repository's tsconfig.json
 * (module nodenext in a CommonJS package), type checking on, `main: stacks/` a directory.
 * Also proves the PortalAdmin dynamic provider survives serialization: the text Pulumi stores
 * loads with the same `require-from-string` the dynamic provider host uses.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "./runtime/secrets";

const root = path.resolve(__dirname, "../..");
let result: { outputs: string[]; types: string[]; providerText: string };

beforeAll(() => {
  const stdout = execFileSync(
    process.execPath,
    ["stacks/test/runtime/pulumi-ts.cjs", "stacks/test/runtime/loadProgram.ts"],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 110_000 },
  );
  result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}, 120_000);

describe("Pulumi's TypeScript runtime path", () => {
  it("loads stacks/ with the vendored ts-node and declares the sandbox graph", () => {
    expect(result.outputs).toEqual(
      expect.arrayContaining([
        "portalUrl",
        "imageDigest",
        "imageRepository",
        "tenantDomains",
        "backendClientIds",
        "sandboxBackend",
      ]),
    );
    expect(result.types).toEqual(
      expect.arrayContaining([
        "pulumi:providers:auth0",
        "auth0:index/clientGrant:ClientGrant",
        "pulumi-nodejs:dynamic/astral:PortalAdmin",
        "docker-build:index:Image",
        "aws:ecs/service:Service",
      ]),
    );
  });

  it("serializes the PortalAdmin provider self-contained: the SDK required by name, no contract source, no secret", () => {
    const text = result.providerText;
    expect(text).toContain('require("auth0")');
    expect(text).not.toContain("@astral/contract");
    expect(text).not.toContain("infra/contract");
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it("loads back as the dynamic provider host loads it, with every CRUD function", () => {
    const requireFromString = require(
      // The copy @pulumi/pulumi's dynamic provider host loads providers with.
      require.resolve("require-from-string", {
        paths: [path.dirname(require.resolve("@pulumi/pulumi"))],
      }),
    ) as (code: string) => {
      handler: () => Record<string, unknown>;
    };
    const provider = requireFromString(result.providerText).handler();
    for (const fn of ["diff", "create", "read", "update", "delete"]) {
      expect(typeof provider[fn], fn).toBe("function");
    }
  });
});
