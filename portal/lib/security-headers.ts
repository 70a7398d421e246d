/**
 * Security headers. The Content-Security-Policy of pages is set per request by proxy.ts with a
 * fresh nonce: Next reads the nonce from the request's CSP header and puts it on its own inline
 * and bootstrap scripts, so no inline script runs without it (every page is rendered per request
 * anyway: the root layout is force-dynamic). Responses the proxy does not see (static assets,
 * /api/health, /api/ready, public files) get the fixed headers from next.config.ts.
 */
export function contentSecurityPolicy(production: boolean, nonce: string): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts that a nonce'd script loads (Next's chunks) are trusted too.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    // Style attributes (branding colours) cannot carry a nonce.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** For what the proxy does not handle: nothing there needs to run a script or be framed. */
export const STATIC_CSP =
  "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** A fresh nonce (128 random bits, base64) for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export function securityHeaders(production: boolean): { key: string; value: string }[] {
  const headers = [
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ];
  if (production)
    headers.push({
      key: "Strict-Transport-Security",
      value: "max-age=63072000; includeSubDomains",
    });
  return headers;
}
