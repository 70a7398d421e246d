/**
 * One error class for everything the portal reports to a user. `code` is stable (tests and the
 * UI key on it), `status` is the HTTP status it maps to, `requestId` ties the message the user
 * sees to the audit line and the server log. Unknown errors become `internal` with a generic
 * message: no stack trace or upstream body ever reaches the browser.
 */
export const ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  invite_invalid: 400,
  rate_limited: 429,
  /** Auth0 has not caught up yet (search index, secret rotation): the same request works soon. */
  retry_later: 503,
  upstream_error: 502,
  upstream_forbidden: 502,
  not_configured: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The mark every PortalError carries, the same in every copy of this module (Symbol.for). */
const PORTAL_ERROR = Symbol.for("astral.PortalError");

export class PortalError extends Error {
  /**
   * `instanceof PortalError` asks for the mark, not the class: Next's production build holds
   * this module several times (the pages' and actions' chunk, the route handlers', the proxy's),
   * and the process-wide Portal (portal.ts, on globalThis) throws the errors of whichever copy
   * created it. By class, a rate-limit refusal from another copy read as an unknown error: the
   * page said "Session lookup failed" (ADR 0600, run 14's cache-off phase).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && PORTAL_ERROR in value;
  }
  readonly [PORTAL_ERROR] = true;
  readonly code: ErrorCode;
  readonly status: number;
  requestId: string | undefined;
  /** For upstream failures: the Management API status, kept for logs and tests. */
  readonly upstreamStatus: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { requestId?: string; upstreamStatus?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PortalError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.requestId = options.requestId;
    this.upstreamStatus = options.upstreamStatus;
  }

  /** What the browser may see: code, message, request id. */
  toJSON(): { code: ErrorCode; message: string; requestId: string | undefined } {
    return { code: this.code, message: this.message, requestId: this.requestId };
  }
}

/** Turns anything thrown into a PortalError, keeping PortalErrors as they are. */
export function toPortalError(error: unknown, requestId: string): PortalError {
  if (error instanceof PortalError) {
    error.requestId ??= requestId;
    return error;
  }
  return new PortalError("internal", `Something went wrong. Quote request id ${requestId}.`, {
    requestId,
    cause: error,
  });
}
