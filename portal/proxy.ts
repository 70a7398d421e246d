// Next.js 16 proxy (formerly middleware): the nextjs-auth0 v4 SDK mounts /auth/login,
// /auth/callback, /auth/logout and rolls the session cookie here. Authorisation happens in the
// guard (lib/guard.ts), at the data layer, not here. The proxy also sets each response's
// Content-Security-Policy with a fresh nonce (lib/security-headers.ts).
// A mutation (any method but GET/HEAD/OPTIONS: server actions are POSTs) from another origin is
// refused here with 403 and an audit line, before Next's own server-action check, which refuses
// it too but only with a console error. /auth/* is left to the SDK (its back-channel logout is a
// POST from Auth0's servers).
// Logout also ends the user's sessions on the server (lib/domain/sessions.ts: every session of
// theirs begun before it, on every device), and of the SDK's routes only those the portal uses
// are mounted: /auth/profile, /auth/access-token and the rest answer 404 (nothing in the portal
// calls them, and they answer from the cookie alone, even for a blocked user). A mutation's body
// over 1 MB or nested deeper than 32 is refused (413/400) before Next parses it.
import { PORTAL_ENV } from "@astral/contract";
import { type NextRequest, NextResponse } from "next/server";
import { auth0 } from "./lib/auth0";
import { type AuditSink, createAuditSink } from "./lib/domain/audit";
import { endSessions } from "./lib/domain/sessions";
import { refuseCrossOriginMutation } from "./lib/origin";
import { portal } from "./lib/portal";
import { bodyProblem } from "./lib/request-limits";
import { contentSecurityPolicy, newNonce } from "./lib/security-headers";

/** The SDK routes the portal uses; any other path under /auth/ is not served. */
const AUTH_ROUTES = new Set([
  "/auth/login",
  "/auth/logout",
  "/auth/callback",
  "/auth/backchannel-logout",
]);

/** Ends the signed-in user's sessions on the server before the SDK clears the cookie. */
async function endServerSessions(request: NextRequest): Promise<void> {
  const session = await auth0().getSession(request);
  if (!session) return;
  const requestId = crypto.randomUUID();
  try {
    await endSessions(portal(), session.user.sub, requestId);
  } catch (error) {
    // The cookie is still cleared; a saved copy then lasts until its own expiry (ADR 0700).
    console.error(
      JSON.stringify({
        type: "error",
        requestId,
        action: "logout",
        message: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}

let audit: AuditSink | undefined;

export async function proxy(request: NextRequest) {
  const csp = contentSecurityPolicy(process.env.NODE_ENV === "production", newNonce());
  audit ??= createAuditSink(process.env.AUDIT_LOG_FILE);
  const refused = refuseCrossOriginMutation(request, process.env[PORTAL_ENV.login.baseUrl], audit);
  if (refused) {
    refused.headers.set("Content-Security-Policy", csp);
    return refused;
  }
  const { pathname } = new URL(request.url);
  // Oversized or deeply nested bodies: 413/400 before Next parses them (lib/request-limits.ts).
  if (!["GET", "HEAD", "OPTIONS"].includes(request.method) && !pathname.startsWith("/auth/")) {
    const problem = await bodyProblem(request);
    if (problem) {
      const refusal = NextResponse.json(
        { code: problem.code, message: problem.message },
        { status: problem.status },
      );
      refusal.headers.set("Content-Security-Policy", csp);
      return refusal;
    }
  }
  if (pathname.startsWith("/auth/") && !AUTH_ROUTES.has(pathname.replace(/\/+$/, ""))) {
    const notFound = NextResponse.json({ code: "not_found" }, { status: 404 });
    notFound.headers.set("Content-Security-Policy", csp);
    return notFound;
  }
  if (request.method === "GET" && pathname.replace(/\/+$/, "") === "/auth/logout")
    await endServerSessions(request);
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
  matcher: [
    "/((?!_next/static|_next/image|favicon.svg|logo.svg|robots.txt|api/health|api/ready).*)",
  ],
};
