/**
 * The real `StackBackend`: the Pulumi Automation API (`@pulumi/pulumi/automation`) over the
 * project in `workDir` (the repository root, where `Pulumi.yaml` is). It needs the Pulumi CLI on
 * PATH and a logged-in backend (`PULUMI_ACCESS_TOKEN` in CI), which this workplace does not have:
 * here it is type-checked against the package, and its logic-free mapping is all it holds.
 */
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import type {
  ConfigMap,
  OperationOptions,
  OutputMap,
  StackBackend,
  StackSummary,
  UpdateRecord,
} from "./stack-backend";

export class AutomationStackBackend implements StackBackend {
  private workspace?: Promise<LocalWorkspace>;

  constructor(private readonly workDir: string) {}

  private ws(): Promise<LocalWorkspace> {
    this.workspace ??= LocalWorkspace.create({ workDir: this.workDir }).catch(explainMissingCli);
    return this.workspace;
  }

  private select(name: string): Promise<Stack> {
    return LocalWorkspace.selectStack({ stackName: name, workDir: this.workDir }).catch(
      explainMissingCli,
    );
  }

  async listStacks(): Promise<StackSummary[]> {
    const stacks = await (await this.ws()).listStacks();
    return stacks.map((s) => ({ name: s.name, lastUpdate: s.lastUpdate }));
  }

  async createStack(name: string): Promise<void> {
    await LocalWorkspace.createStack({ stackName: name, workDir: this.workDir }).catch(
      explainMissingCli,
    );
  }

  async getConfig(name: string): Promise<ConfigMap> {
    return (await this.select(name)).getAllConfig();
  }

  async setConfig(name: string, config: ConfigMap): Promise<void> {
    await (await this.select(name)).setAllConfig(config);
  }

  async getTags(name: string): Promise<Record<string, string>> {
    return (await this.select(name)).listTags();
  }

  async setTags(name: string, tags: Record<string, string>): Promise<void> {
    const stack = await this.select(name);
    for (const [key, value] of Object.entries(tags)) await stack.setTag(key, value);
  }

  async up(name: string, options: OperationOptions): Promise<OutputMap> {
    const result = await (await this.select(name)).up({
      message: options.message,
      onOutput: options.onOutput,
    });
    return toOutputMap(result.outputs);
  }

  async destroy(name: string, options: OperationOptions): Promise<void> {
    await (await this.select(name)).destroy({
      message: options.message,
      onOutput: options.onOutput,
    });
  }

  async removeStack(name: string): Promise<void> {
    await (await this.ws()).removeStack(name);
  }

  async outputs(name: string): Promise<OutputMap> {
    return toOutputMap(await (await this.select(name)).outputs());
  }

  async lastUpdate(name: string): Promise<UpdateRecord | undefined> {
    const info = await (await this.select(name)).info();
    if (!info) return undefined;
    return {
      kind: info.kind,
      result: info.result,
      version: info.version,
      message: info.message,
      startTime: new Date(info.startTime).toISOString(),
    };
  }
}

function toOutputMap(outputs: Record<string, { value: unknown; secret: boolean }>): OutputMap {
  const map: OutputMap = {};
  for (const [key, output] of Object.entries(outputs)) {
    map[key] = { value: output.value, secret: output.secret };
  }
  return map;
}

/** The Automation API runs the `pulumi` CLI; without it, say so instead of "spawn ENOENT". */
function explainMissingCli(error: unknown): never {
  if (String((error as Error)?.message ?? error).includes("ENOENT: pulumi")) {
    throw new Error(
      "the Pulumi CLI is not on PATH: the Automation API needs it (in CI, pulumi/actions installs it; locally see https://www.pulumi.com/docs/install/)",
    );
  }
  throw error;
}
