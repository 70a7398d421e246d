// Next.js 16 proxy (formerly middleware): the nextjs-auth0 v4 SDK mounts /auth/login,
// /auth/callback, /auth/logout and rolls the session cookie here. Authorisation happens in the
// guard (lib/guard.ts), at the data layer, not here.
import { auth0 } from "./lib/auth0";

export async function proxy(request: Request) {
  return await auth0().middleware(request);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.svg|logo.svg|robots.txt|api/health).*)"],
};
