// Next.js 16 proxy (formerly middleware): the nextjs-auth0 v4 SDK mounts /auth/login,
// /auth/callback, /auth/logout and rolls the session cookie here. Authorisation happens in the
// guard (lib/guard.ts), at the data layer, not here. The proxy also sets each response's
// Content-Security-Policy with a fresh nonce (lib/security-headers.ts).
// A mutation (any method but GET/HEAD/OPTIONS: server actions are POSTs) from another origin is
// refused here with 403 and an audit line, before Next's own server-action check, which refuses
// it too but only with a console error. /auth/* is left to the SDK (its back-channel logout is a
// POST from Auth0's servers).
import { PORTAL_ENV } from "@astral/contract";
import { NextResponse } from "next/server";
import { auth0 } from "./lib/auth0";
import { type AuditSink, createAuditSink } from "./lib/domain/audit";
import { refuseCrossOriginMutation } from "./lib/origin";
import { contentSecurityPolicy, newNonce } from "./lib/security-headers";

let audit: AuditSink | undefined;

export async function proxy(request: Request) {
  const csp = contentSecurityPolicy(process.env.NODE_ENV === "production", newNonce());
  audit ??= createAuditSink(process.env.AUDIT_LOG_FILE);
  const refused = refuseCrossOriginMutation(request, process.env[PORTAL_ENV.login.baseUrl], audit);
  if (refused) {
    refused.headers.set("Content-Security-Policy", csp);
    return refused;
  }
  let response = await auth0().middleware(request);
  if (response.headers.get("x-middleware-next") === "1") {
    // A page request: pass the CSP on to Next in the request headers (it takes the nonce for its
    // scripts from there) and keep what the SDK set (a rolled session cookie, cache headers).
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", csp);
    const next = NextResponse.next({ request: { headers } });
    response.headers.forEach((value, key) => {
      if (key !== "x-middleware-next") next.headers.append(key, value);
    });
    response = next;
  }
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.svg|logo.svg|robots.txt|api/health).*)"],
};
