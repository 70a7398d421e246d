/**
 * What the operational scripts (`preview`, `promote`) need from Pulumi, as a small interface.
 *
 * The real implementation (`pulumi-automation.ts`) drives the Pulumi CLI through the Automation
 * API; tests use an in-memory fake. Keeping the interface this small is what lets the scripts'
 * logic (naming, config derivation, TTL, the destroy guard, promotion checks) be tested without
 * the CLI.
 */

/** A config value as Pulumi stores it: always a string; secrets flagged. */
export interface ConfigValue {
  value: string;
  secret?: boolean;
}
export type ConfigMap = Record<string, ConfigValue>;

/** A stack output; `secret` outputs are never printed. */
export interface OutputValue {
  value: unknown;
  secret: boolean;
}
export type OutputMap = Record<string, OutputValue>;

/** A stack as listed by the backend. `name` may be fully qualified (`org/project/stack`). */
export interface StackSummary {
  name: string;
  /** ISO time of the last update, when the backend knows it. */
  lastUpdate?: string;
}

/** The last operation on a stack, as recorded in its history. */
export interface UpdateRecord {
  kind: "update" | "preview" | "refresh" | "rename" | "destroy" | "import";
  result: "not-started" | "in-progress" | "succeeded" | "failed";
  version: number;
  message: string;
  startTime: string;
}

export interface OperationOptions {
  /** The update message recorded in the stack's history (`pulumi up -m`). */
  message: string;
  /** Streamed engine output. */
  onOutput?: (line: string) => void;
}

export interface StackBackend {
  listStacks(): Promise<StackSummary[]>;
  /** Creates the stack; fails when it exists. */
  createStack(name: string): Promise<void>;
  getConfig(name: string): Promise<ConfigMap>;
  /** Sets these keys (other keys are left as they are). */
  setConfig(name: string, config: ConfigMap): Promise<void>;
  getTags(name: string): Promise<Record<string, string>>;
  /** Sets these tags (other tags are left as they are). */
  setTags(name: string, tags: Record<string, string>): Promise<void>;
  up(name: string, options: OperationOptions): Promise<OutputMap>;
  destroy(name: string, options: OperationOptions): Promise<void>;
  /** Removes the stack and its history (after a destroy). */
  removeStack(name: string): Promise<void>;
  outputs(name: string): Promise<OutputMap>;
  /** The most recent operation, or undefined for a stack that never ran one. */
  lastUpdate(name: string): Promise<UpdateRecord | undefined>;
}

/** The short stack name: `acme/astral/pr-12` → `pr-12`. */
export function shortStackName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}
