/**
 * The Next.js side of the guard: turns the nextjs-auth0 session into an Actor (reading the
 * user's current team and permissions from the home tenant, one call per request), checks the
 * Origin of mutations, and invokes actions. Server actions and pages call only `run`/`read`.
 */
import { PORTAL_ENV } from "@astral/contract";
import { headers } from "next/headers";
import { cache } from "react";
import { auth0 } from "./auth0";
import { actorFor } from "./domain/actor";
import type { Actor, Portal } from "./domain/context";
import { PortalError } from "./errors";
import type { ActionResult } from "./guard";
import { withConsistentRecordReads } from "./management/read-cache";
import { withRequestStart } from "./management/read-markers";
import { auditCrossOriginRefusal, CROSS_ORIGIN_MESSAGE, isSameOrigin } from "./origin";
import { portal } from "./portal";

/**
 * The signed-in actor, or null. Cached for the duration of one request. Refuses (forbidden) a
 * user who is blocked (lib/domain/actor.ts).
 */
export const currentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth0().getSession();
  if (!session) return null;
  return actorFor(
    portal(),
    session.user.sub,
    session.user.email as string | undefined,
    crypto.randomUUID(),
    // A session begun before the user's last logout is refused (lib/domain/sessions.ts).
    session.internal.createdAt,
  );
});

export type Invocable<O> = {
  name: string;
  invoke: (p: Portal, a: Actor | null, i: unknown, r?: string) => Promise<ActionResult<O>>;
};

/**
 * For server actions: origin check, actor, guard. Never throws; returns an ActionResult.
 * The origin check repeats the proxy's (proxy.ts) and Next's own, and audits a refusal too.
 */
export async function run<O>(action: Invocable<O>, input: unknown): Promise<ActionResult<O>> {
  const requestId = crypto.randomUUID();
  const origin = (await headers()).get("origin");
  if (!isSameOrigin(origin, process.env[PORTAL_ENV.login.baseUrl])) {
    auditCrossOriginRefusal(portal().audit, { requestId, origin, action: action.name });
    return { ok: false, error: { code: "forbidden", message: CROSS_ORIGIN_MESSAGE, requestId } };
  }
  // A change is decided on records as the tenants have them now, the actor's own included
  // (lib/management/read-cache.ts): access taken back through another task ends here at once.
  return withRequestStart(Date.now(), () =>
    withConsistentRecordReads(() => invokeAsCurrentActor(action, input, requestId)),
  );
}

/** When the page render began: one time for every `load` of one request (React's cache). */
const renderStartedAt = cache(() => Date.now());

/** For server components: the guarded result, rendered by the page (data or error panel). */
export async function load<O>(action: Invocable<O>, input: unknown): Promise<ActionResult<O>> {
  return withRequestStart(renderStartedAt(), () =>
    invokeAsCurrentActor(action, input, crypto.randomUUID()),
  );
}

async function invokeAsCurrentActor<O>(
  action: Invocable<O>,
  input: unknown,
  requestId: string,
): Promise<ActionResult<O>> {
  let actor: Actor | null;
  try {
    actor = await currentActor();
  } catch (error) {
    if (error instanceof PortalError)
      return { ok: false, error: { code: error.code, message: error.message, requestId } };
    // Not one of the portal's own refusals: the user sees the request id, the log says what.
    console.error(
      JSON.stringify({
        type: "error",
        requestId,
        action: action.name,
        code: "internal",
        message: `session lookup: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      }),
    );
    const message = `Session lookup failed. Quote request id ${requestId}.`;
    return { ok: false, error: { code: "internal", message, requestId } };
  }
  return action.invoke(portal(), actor, input, requestId);
}
