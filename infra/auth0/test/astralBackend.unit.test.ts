/** The Astral Backend alone, under Pulumi mocks: its grant follows the offered credential kinds. */
import { MANAGEMENT_API_SCOPES } from "@astral/contract";
import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AstralBackend } from "../astralBackend";

const grants: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === "auth0:index/clientGrant:ClientGrant") grants[args.name] = args.inputs;
        return { id: `${args.name}-id`, state: { ...args.inputs, clientId: `${args.name}-cid` } };
      },
      call: () => ({}),
    },
    "astral",
    "unit",
  );
});

const backend = (name: string, credentialKinds: Array<"client_secret" | "key_pair">) =>
  new AstralBackend(name, {
    domain: "fixture.eu.auth0.com",
    provider: new auth0.Provider(`${name}-provider`, { domain: "fixture.eu.auth0.com" }),
    credentialKinds,
    plan: "enterprise",
  });

/** The grant's scopes once the mock has recorded it. */
async function grantScopes(made: AstralBackend, name: string): Promise<unknown> {
  await new Promise<void>((resolve) => made.grant.id.apply(() => resolve()));
  return grants[`${name}-grant`]?.scopes;
}

describe("AstralBackend", () => {
  it("grants the 20 scopes where only client secrets are offered", async () => {
    expect(await grantScopes(backend("secrets", ["client_secret"]), "secrets")).toEqual([
      ...MANAGEMENT_API_SCOPES,
    ]);
  });

  it("adds create:client_credentials, and nothing else, where key pairs are offered", async () => {
    expect(await grantScopes(backend("keys", ["client_secret", "key_pair"]), "keys")).toEqual([
      ...MANAGEMENT_API_SCOPES,
      "create:client_credentials",
    ]);
  });
});
