/**
 * An in-memory `StackBackend` for unit tests: stacks with config, tags, outputs and a history,
 * and a log of every call so tests can assert what was (and was not) done to which stack.
 */
import type {
  ConfigMap,
  OperationOptions,
  OutputMap,
  StackBackend,
  StackSummary,
  UpdateRecord,
} from "./stack-backend";

export interface FakeStack {
  config: ConfigMap;
  tags: Record<string, string>;
  outputs: OutputMap;
  history: UpdateRecord[];
  lastUpdate?: string;
}

export type FakeCall = { op: keyof StackBackend; stack?: string; message?: string };

export class FakeStackBackend implements StackBackend {
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: FakeCall[] = [];

  /** `program` computes a stack's outputs from its config on `up`. */
  constructor(
    private readonly program: (stack: string, config: ConfigMap) => OutputMap = () => ({}),
  ) {}

  addStack(name: string, stack: Partial<FakeStack> = {}): this {
    this.stacks.set(name, { config: {}, tags: {}, outputs: {}, history: [], ...stack });
    return this;
  }

  callsTo(op: keyof StackBackend): FakeCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  private get(name: string): FakeStack {
    const stack = this.stacks.get(name);
    if (!stack) throw new Error(`no stack named "${name}"`);
    return stack;
  }

  private record(stack: FakeStack, kind: UpdateRecord["kind"], message: string): void {
    stack.history.unshift({
      kind,
      result: "succeeded",
      version: stack.history.length + 1,
      message,
      startTime: new Date(0).toISOString(),
    });
  }

  async listStacks(): Promise<StackSummary[]> {
    this.calls.push({ op: "listStacks" });
    return [...this.stacks].map(([name, s]) => ({ name, lastUpdate: s.lastUpdate }));
  }
  async createStack(name: string): Promise<void> {
    this.calls.push({ op: "createStack", stack: name });
    if (this.stacks.has(name)) throw new Error(`stack "${name}" already exists`);
    this.addStack(name);
  }
  async getConfig(name: string): Promise<ConfigMap> {
    this.calls.push({ op: "getConfig", stack: name });
    return structuredClone(this.get(name).config);
  }
  async setConfig(name: string, config: ConfigMap): Promise<void> {
    this.calls.push({ op: "setConfig", stack: name });
    Object.assign(this.get(name).config, structuredClone(config));
  }
  async getTags(name: string): Promise<Record<string, string>> {
    this.calls.push({ op: "getTags", stack: name });
    return { ...this.get(name).tags };
  }
  async setTags(name: string, tags: Record<string, string>): Promise<void> {
    this.calls.push({ op: "setTags", stack: name });
    Object.assign(this.get(name).tags, tags);
  }
  async up(name: string, options: OperationOptions): Promise<OutputMap> {
    this.calls.push({ op: "up", stack: name, message: options.message });
    const stack = this.get(name);
    stack.outputs = this.program(name, stack.config);
    this.record(stack, "update", options.message);
    return structuredClone(stack.outputs);
  }
  async destroy(name: string, options: OperationOptions): Promise<void> {
    this.calls.push({ op: "destroy", stack: name, message: options.message });
    const stack = this.get(name);
    stack.outputs = {};
    this.record(stack, "destroy", options.message);
  }
  async removeStack(name: string): Promise<void> {
    this.calls.push({ op: "removeStack", stack: name });
    this.get(name);
    this.stacks.delete(name);
  }
  async outputs(name: string): Promise<OutputMap> {
    this.calls.push({ op: "outputs", stack: name });
    return structuredClone(this.get(name).outputs);
  }
  async lastUpdate(name: string): Promise<UpdateRecord | undefined> {
    this.calls.push({ op: "lastUpdate", stack: name });
    return this.get(name).history[0];
  }
}
