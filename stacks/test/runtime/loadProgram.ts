/**
 * Run by pulumi-ts.cjs (Pulumi's own TypeScript loading): loads the program entry (`main:
 * stacks/`, a directory) under mocks as the sandbox stack, and prints as JSON the resource types
 * it declared, its output names, and the PortalAdmin's serialized dynamic provider (`__provider`,
 * the text Pulumi stores in the state and later runs in its dynamic provider host).
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SECRETS } from "./secrets";

const types: string[] = [];
let providerText = "";

pulumi.runtime.setAllConfig(
  {
    "aws:region": "eu-west-1",
    "astral:role": "sandbox",
    "astral:auth0Domain": "fixture-sandbox.eu.auth0.com",
    "astral:auth0Plan": "free",
    "astral:auth0ClientId": "bootstrapClientId",
    "astral:auth0ClientSecret": SECRETS.bootstrap,
    "astral:adminEmail": "admin@fixture.test",
    "astral:imageTag": "abc1234-4711-1",
    "astral:domainName": "portal.sandbox.fixture.test",
    "astral:hostedZoneId": "Z0123456789ABC",
    "astral:sessionSecret": SECRETS.session,
  },
  ["astral:sessionSecret", "astral:auth0ClientSecret"],
);
pulumi.runtime
  .setMocks(
    {
      newResource: (args) => {
        types.push(args.type);
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "pulumi-nodejs:dynamic/astral:PortalAdmin") {
          providerText = String(args.inputs.__provider);
        }
        if (args.type === "auth0:index/client:Client") state.clientId = `${args.name}-id`;
        if (args.type === "auth0:index/clientCredentials:ClientCredentials") {
          state.clientSecret = {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
            value: SECRETS.backend,
          };
        }
        if (args.type === "aws:ecr/repository:Repository") {
          state.repositoryUrl = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal";
        }
        if (args.type === "aws:acm/certificate:Certificate") {
          state.domainValidationOptions = [
            {
              resourceRecordName: "_a.x.",
              resourceRecordType: "CNAME",
              resourceRecordValue: "_b.",
            },
          ];
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args: { token: string }) =>
        args.token === "aws:index/getAvailabilityZones:getAvailabilityZones"
          ? { names: ["eu-west-1a", "eu-west-1b"] }
          : args.token === "aws:route53/getZone:getZone"
            ? { name: "fixture.test" }
            : { userName: "AWS", password: "ecr-password" },
    },
    "astral",
    "sandbox",
  )
  .then(() => {
    // Like the runtime: require the `main` directory; Node finds stacks/index.ts through ts-node.
    const program = require(path.resolve("stacks"));
    setTimeout(() => {
      console.log(
        JSON.stringify({
          outputs: Object.keys(program).sort(),
          types: [...new Set(types)].sort(),
          providerText,
        }),
      );
    }, 1500);
  });
