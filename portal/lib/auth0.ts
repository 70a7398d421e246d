/**
 * The login client (`@auth0/nextjs-auth0` v4). Settings come from the env names in the contract
 * (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_SECRET, APP_BASE_URL), which the SDK
 * reads itself. Cookies are Secure whenever the portal is served over https.
 */
import { PORTAL_ENV } from "@astral/contract";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { signsInToLocalTenants } from "./config/local-tenants";

/**
 * Session lifetimes, in seconds. Sessions are stateless (an encrypted cookie; see
 * docs/decisions/0700-access-taken-back.md): the cookie's encrypted `exp` is
 * min(last use + inactivity, sign-in + absolute), and the SDK refuses a cookie past it, so a
 * cookie saved before a logout stops working at most INACTIVITY after its last use, and any
 * session ends ABSOLUTE after sign-in however it is used. Access taken back (team removal,
 * admin removal, a blocked user) ends at the next request regardless (lib/domain/actor.ts).
 */
export const SESSION_LIFETIME = {
  /** Rolling: each request moves the expiry to now + inactivity, up to the absolute bound. */
  rolling: true,
  absoluteDuration: 12 * 60 * 60,
  inactivityDuration: 2 * 60 * 60,
} as const;

/**
 * The local tenants listen on localhost with a port. The SDK rejects ports and localhost in a
 * domain unless `allowInsecureRequests` is set, and takes the port from a URL-form domain: under
 * `next dev`, or a production build in local-tenants mode (config/local-tenants.ts). Real Auth0
 * domains take the plain path.
 */
function create(): Auth0Client {
  const baseUrl = process.env[PORTAL_ENV.login.baseUrl] ?? "";
  const secure = baseUrl.startsWith("https://");
  const domain = process.env[PORTAL_ENV.login.domain] ?? "";
  const local = signsInToLocalTenants();
  return new Auth0Client({
    ...(local ? { domain: `https://${domain}`, allowInsecureRequests: true } : {}),
    signInReturnToPath: "/",
    authorizationParameters: { scope: "openid profile email" },
    session: { ...SESSION_LIFETIME, cookie: { secure, sameSite: "lax" } },
    transactionCookie: { secure, sameSite: "lax" },
    // The portal never hands access tokens to the browser (proxy.ts answers 404 there too).
    enableAccessTokenEndpoint: false,
  });
}

let client: Auth0Client | undefined;

/** Created on first use (not at import), so `next build` needs no environment. */
export function auth0(): Auth0Client {
  client ??= create();
  return client;
}
