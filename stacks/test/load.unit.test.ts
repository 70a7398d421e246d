/** Reading the stack config out of Pulumi's config: errors as RunErrors, secrets kept secret. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../load";

const preview = {
  "astral:role": "preview",
  "astral:prNumber": "3",
  "astral:imageTag": "abc1234-4711-1",
  "astral:sandboxStack": "fixture-org/astral/sandbox",
  "astral:sessionSecret": "q".repeat(40),
};

function loadError(config: Record<string, string>, secretKeys: string[]): Error {
  pulumi.runtime.setAllConfig(config, secretKeys);
  try {
    loadStackConfig();
  } catch (error) {
    return error as Error;
  }
  throw new Error("the config was accepted");
}

describe("loadStackConfig", () => {
  it("returns the typed config and the secrets only as secret Outputs", async () => {
    pulumi.runtime.setAllConfig(preview, ["astral:sessionSecret"]);
    const { config, secrets } = loadStackConfig();
    expect(config.role).toBe("preview");
    expect(pulumi.Output.isInstance(secrets.sessionSecret)).toBe(true);
    // biome-ignore lint/suspicious/noExplicitAny: reading the Output's secret flag.
    expect(await (secrets.sessionSecret as any).isSecret).toBe(true);
  });

  it("fails as a RunError (message only, no stack trace) listing the problems by key", () => {
    const error = loadError({ ...preview, "astral:prNumber": "x" }, ["astral:sessionSecret"]);
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect(error.message).toContain("astral:prNumber must be the pull request number");
  });

  it("refuses a secret stored in plain text and names the command that stores it properly", () => {
    // No key is secret and the CLI did not say which are: nothing is claimed...
    pulumi.runtime.setAllConfig(preview, []);
    expect(loadStackConfig().config.role).toBe("preview");
    // ...but once Pulumi reports secret keys, a plain session secret is refused.
    const refused = loadError({ ...preview, "aws:secretKey": "x" }, ["aws:secretKey"]);
    expect(refused.message).toContain(
      "astral:sessionSecret is stored in plain text: remove it from Pulumi.<stack>.yaml, then openssl rand -hex 32 | pulumi config set --secret astral:sessionSecret",
    );
    expect(refused.message).not.toContain("q".repeat(40));
  });
});
