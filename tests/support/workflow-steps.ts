/**
 * A workflow step's shell as GitHub Actions would run it: its `run:` text and its environment
 * (the job's and the step's `env:`, with each `${{ ... }}` expression looked up in a context
 * the test gives, plus the default variables every job has). An expression the context does not
 * know fails, so a workflow that starts needing a new input fails the rehearsal.
 */
import { type Job, load, type Step } from "./workflows";

export interface WorkflowContext {
  /** Values by expression path: `github.event.pull_request.number`, `vars.PULUMI_ORG`... */
  values: Record<string, string>;
  /** GitHub's default variables (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID...). */
  defaults: Record<string, string>;
}

export interface RunStep {
  job: Job;
  step: Step;
  run: string;
  env: Record<string, string>;
}

/** `${{ a.b }}` replaced by the context's value; an unknown expression throws. */
function evaluate(text: string, context: WorkflowContext): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_all, path: string) => {
    const value = context.values[path];
    if (value === undefined) throw new Error(`the rehearsal has no value for \${{ ${path} }}`);
    return value;
  });
}

/** The one step of `file`'s job `jobName` whose `run:` matches `pattern`. */
export function workflowStep(
  file: string,
  jobName: string,
  pattern: RegExp,
  context: WorkflowContext,
): RunStep {
  const job = load(file).workflow.jobs[jobName];
  if (!job) throw new Error(`${file} has no job ${jobName}`);
  const matching = (job.steps ?? []).filter((s) => s.run && pattern.test(s.run));
  if (matching.length !== 1)
    throw new Error(`${file} job ${jobName}: ${matching.length} steps run ${pattern}`);
  const step = matching[0] as Step;
  const env: Record<string, string> = { ...context.defaults };
  for (const [key, value] of Object.entries({ ...job.env, ...step.env }))
    env[key] = evaluate(String(value), context);
  return { job, step, run: evaluate(step.run as string, context), env };
}
