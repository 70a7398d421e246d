/** The CI workflows as the workflow tests read them: parsed, with small accessors. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";

export const root = path.resolve(__dirname, "..", "..");
export const dir = path.join(root, ".github", "workflows");
export const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
export const readme = readFileSync(path.join(root, "README.md"), "utf8");

export interface Step {
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Concurrency {
  group: string;
  "cancel-in-progress"?: boolean;
}
export interface Job {
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: Concurrency;
  env?: Record<string, unknown>;
  steps?: Step[];
}
export interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  concurrency?: Concurrency;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export function load(file: string): { text: string; workflow: Workflow } {
  const text = readFileSync(path.join(dir, file), "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return { text, workflow: doc.toJS() as Workflow };
}

/** A GitHub Actions expression, `${{ <body> }}`, as it appears in workflow text. */
export const expr = (body: string) => `$${"{{"} ${body} }}`;

export const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
export const environment = (j: Job) =>
  typeof j.environment === "object" ? j.environment.name : j.environment;
