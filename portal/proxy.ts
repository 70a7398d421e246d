// Next.js 16 proxy (formerly middleware): the nextjs-auth0 v4 SDK mounts /auth/login,
// /auth/callback, /auth/logout and rolls the session cookie here. Authorisation happens in the
// guard (lib/guard.ts), at the data layer, not here. The proxy also sets each response's
// Content-Security-Policy with a fresh nonce (lib/security-headers.ts).
import { NextResponse } from "next/server";
import { auth0 } from "./lib/auth0";
import { contentSecurityPolicy, newNonce } from "./lib/security-headers";

export async function proxy(request: Request) {
  const csp = contentSecurityPolicy(process.env.NODE_ENV === "production", newNonce());
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
