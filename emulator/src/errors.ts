/**
 * Every Management API error goes through here and leaves as Auth0's shape:
 * `{ statusCode, error, message, errorCode }`. OAuth endpoints use the OAuth shape
 * (`{ error, error_description }`), as Auth0's do.
 */
import type { ServerResponse } from "node:http";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error";
}

/** A Management API error with Auth0's status, message and stable `errorCode`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errorCode: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toJSON() {
    return {
      statusCode: this.statusCode,
      error: reasonPhrase(this.statusCode),
      message: this.message,
      errorCode: this.errorCode,
    };
  }
}

export const badRequest = (message: string, errorCode = "invalid_body") =>
  new ApiError(400, message, errorCode);
export const notFound = (message: string, errorCode: string) =>
  new ApiError(404, message, errorCode);
export const conflict = (message: string, errorCode: string) =>
  new ApiError(409, message, errorCode);

/** An OAuth endpoint error (`/oauth/token`, `/userinfo`): `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** Writes any thrown value; unknown errors become a generic 500 without internals. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof OAuthError) {
    sendJson(res, err.statusCode, { error: err.error, error_description: err.message });
    return;
  }
  const api =
    err instanceof ApiError ? err : new ApiError(500, "Internal Server Error", "internal_error");
  if (!(err instanceof ApiError)) {
    console.error("emulator: unexpected error:", err instanceof Error ? err.message : err);
  }
  for (const [k, v] of Object.entries(api.headers)) res.setHeader(k, v);
  sendJson(res, api.statusCode, api.toJSON());
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
