/**
 * Mutations must come from the portal's own pages: the browser's Origin header must equal the
 * origin of APP_BASE_URL. A missing Origin is refused (every browser sends it on POST).
 * A refusal is not silent: it is written to the audit log (who is unknown, but the request id,
 * the action or path and the claimed origin are there), so that an attempt can be seen.
 */
import type { AuditEntry, AuditSink } from "./domain/audit";

export function isSameOrigin(origin: string | null, baseUrl: string | undefined): boolean {
  if (!baseUrl) return false;
  if (!origin) return false;
  try {
    return new URL(baseUrl).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** Methods that change nothing are not checked (a cross-site GET carries no form of mutation). */
export function isMutation(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

export const CROSS_ORIGIN_MESSAGE = "Cross-origin request refused.";

/**
 * Writes the audit line of a refused cross-origin attempt. `action` is the portal action when
 * known (server actions through lib/session.ts), else `crossOriginRequest` with the method and
 * path (the proxy). The Origin header is the sender's claim, kept short; no cookie or body.
 */
export function auditCrossOriginRefusal(
  audit: AuditSink,
  attempt: {
    requestId: string;
    origin: string | null;
    action?: string;
    method?: string;
    path?: string;
    actor?: AuditEntry["actor"];
    now?: Date;
  },
): void {
  audit({
    time: (attempt.now ?? new Date()).toISOString(),
    requestId: attempt.requestId,
    actor: attempt.actor ?? null,
    action: attempt.action ?? "crossOriginRequest",
    target: {
      origin: attempt.origin === null ? "(none)" : attempt.origin.slice(0, 200),
      method: attempt.method,
      path: attempt.path?.slice(0, 200),
    },
    outcome: "denied",
    errorCode: "forbidden",
  });
}

/**
 * The proxy's check (proxy.ts): a mutation from another origin gets 403 and an audit line. Paths
 * under /auth/ are the login SDK's (its back-channel logout is a POST from Auth0's servers).
 */
export function refuseCrossOriginMutation(
  request: Request,
  baseUrl: string | undefined,
  audit: AuditSink,
): Response | undefined {
  const url = new URL(request.url);
  if (!isMutation(request.method) || url.pathname.startsWith("/auth/")) return undefined;
  const origin = request.headers.get("origin");
  if (isSameOrigin(origin, baseUrl)) return undefined;
  const requestId = crypto.randomUUID();
  auditCrossOriginRefusal(audit, { requestId, origin, method: request.method, path: url.pathname });
  return Response.json(
    { code: "forbidden", message: CROSS_ORIGIN_MESSAGE, requestId },
    { status: 403 },
  );
}
