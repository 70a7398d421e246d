import { afterEach, describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { AutomationStackBackend } from "./pulumi-automation";

describe("AutomationStackBackend without the Pulumi CLI", () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it("says the CLI is missing instead of 'spawn ENOENT'", async () => {
    // An empty PATH: no `pulumi`, wherever this runs.
    process.env.PATH = testTempDir("astral-no-pulumi-");
    const backend = new AutomationStackBackend(testTempDir("astral-project-"));
    await expect(backend.listStacks()).rejects.toThrow(/the Pulumi CLI is not on PATH/);
    await expect(backend.outputs("sandbox")).rejects.toThrow(/the Pulumi CLI is not on PATH/);
  });
});
