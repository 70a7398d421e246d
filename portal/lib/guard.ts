/**
 * The one guard. Every server action and every data read of a page is an `Action` defined here
 * and invoked through `invoke`, which: requires a signed-in actor, authorises at the data layer
 * (`team`: member of the input's team or portal admin; `admin`: portal admin; `user`: anyone
 * signed in), validates the input with zod, parses the output with zod (so nothing extra, such
 * as a secret, leaks by accident), writes the audit line and maps errors to one shape.
 * The registry lets the authorisation-matrix test enumerate every action.
 */
import type { z } from "zod";
import { type Actor, type Ctx, isAdmin, type Portal } from "./domain/context";
import { type ErrorCode, PortalError, toPortalError } from "./errors";

export type Access = "user" | "team" | "admin";

export interface ActionDefinition<I extends z.ZodType, O extends z.ZodType> {
  name: string;
  access: Access;
  input: I;
  output: O;
  /** Mutations and admin actions are audited; `target` names what was acted on (no secrets). */
  audit?: {
    target: (input: z.output<I>, result?: z.output<O>) => Record<string, string | undefined>;
    environment?: (input: z.output<I>) => string | undefined;
  };
  run: (ctx: Ctx, input: z.output<I>) => Promise<z.input<O>>;
}

export type ActionResult<T> =
  | { ok: true; data: T; requestId: string }
  | { ok: false; error: { code: ErrorCode; message: string; requestId: string } };

export interface Action<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType>
  extends ActionDefinition<I, O> {
  invoke: (
    portal: Portal,
    actor: Actor | null,
    input: unknown,
    requestId?: string,
  ) => Promise<ActionResult<z.output<O>>>;
}

export const registry = new Map<string, Action>();

export function defineAction<I extends z.ZodType, O extends z.ZodType>(
  definition: ActionDefinition<I, O>,
): Action<I, O> {
  if (registry.has(definition.name)) throw new Error(`Action ${definition.name} defined twice`);
  const action: Action<I, O> = {
    ...definition,
    invoke: (portal, actor, input, requestId = crypto.randomUUID()) =>
      invoke(definition, portal, actor, input, requestId),
  };
  registry.set(definition.name, action as unknown as Action);
  return action;
}

function authorise(access: Access, actor: Actor | null, input: unknown): Actor {
  if (!actor) throw new PortalError("unauthenticated", "Sign in first.");
  if (access === "user") return actor;
  if (isAdmin(actor)) return actor;
  if (access === "admin") throw new PortalError("forbidden", "This needs portal admin rights.");
  const teamId = (input as { teamId?: unknown } | null)?.teamId;
  if (typeof teamId !== "string" || teamId !== actor.teamId)
    throw new PortalError("forbidden", "You are not a member of this team.");
  return actor;
}

async function invoke<I extends z.ZodType, O extends z.ZodType>(
  definition: ActionDefinition<I, O>,
  portal: Portal,
  actor: Actor | null,
  rawInput: unknown,
  requestId: string,
): Promise<ActionResult<z.output<O>>> {
  let input: z.output<I> | undefined;
  try {
    const parsed = definition.input.safeParse(rawInput);
    if (!parsed.success) {
      // Authorise before revealing anything about the input's shape.
      authorise(definition.access, actor, rawInput);
      throw new PortalError(
        "invalid_input",
        parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "),
      );
    }
    input = parsed.data;
    const ctx: Ctx = { portal, actor: authorise(definition.access, actor, input), requestId };
    const result = definition.output.parse(await definition.run(ctx, input));
    audit(definition, portal, actor, input, requestId, "success", undefined, result);
    return { ok: true, data: result, requestId };
  } catch (thrown) {
    const error = toPortalError(thrown, requestId);
    if (error.code === "internal" || error.code === "upstream_error")
      console.error(
        JSON.stringify({
          type: "error",
          requestId,
          action: definition.name,
          code: error.code,
          upstreamStatus: error.upstreamStatus,
          message: thrown instanceof Error ? thrown.message : String(thrown),
        }),
      );
    const outcome =
      error.code === "unauthenticated" || error.code === "forbidden" ? "denied" : "error";
    audit(definition, portal, actor, input ?? rawInput, requestId, outcome, error.code);
    return { ok: false, error: { code: error.code, message: error.message, requestId } };
  }
}

function audit<I extends z.ZodType, O extends z.ZodType>(
  definition: ActionDefinition<I, O>,
  portal: Portal,
  actor: Actor | null,
  input: unknown,
  requestId: string,
  outcome: "success" | "denied" | "error",
  errorCode?: string,
  result?: z.output<O>,
) {
  if (!definition.audit) return;
  let target: Record<string, string | undefined> = {};
  let environment: string | undefined;
  try {
    target = definition.audit.target(input as z.output<I>, result);
    environment = definition.audit.environment?.(input as z.output<I>);
  } catch {
    // Unparseable input: the target stays empty, the line is still written.
  }
  portal.audit({
    time: portal.now().toISOString(),
    requestId,
    actor: actor ? { userId: actor.userId, email: actor.email } : null,
    action: definition.name,
    target,
    environment,
    outcome,
    errorCode,
  });
}
