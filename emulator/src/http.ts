/** Small HTTP helpers: bounded body reading and parsing, with Auth0-shaped failures. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors";

/** Larger bodies are refused with 413 before they are buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    `Payload content length greater than maximum allowed: ${limit}`,
    "payload_too_large",
  );
}

/** A JSON or form body as an object; `undefined` when empty. */
export async function readPayload(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  const type = String(req.headers["content-type"] ?? "application/json").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "Invalid request payload JSON format", "invalid_json");
  }
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
    "x-frame-options": "deny",
    // form-action also governs the redirect after the login form's POST (Chromium enforces it),
    // which goes back to the app's callback on another localhost port.
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://localhost:* https://localhost:*",
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store", "content-length": 0 });
  res.end();
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}
