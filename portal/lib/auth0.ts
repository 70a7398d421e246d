/**
 * The login client (`@auth0/nextjs-auth0` v4). Settings come from the env names in the contract
 * (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_SECRET, APP_BASE_URL), which the SDK
 * reads itself. Cookies are Secure whenever the portal is served over https.
 */
import { PORTAL_ENV } from "@astral/contract";
import { Auth0Client } from "@auth0/nextjs-auth0/server";

/**
 * The local tenants listen on localhost with a port. The SDK rejects ports and localhost in a
 * domain unless `allowInsecureRequests` is set (refused when NODE_ENV=production), and takes the
 * port from a URL-form domain. Real Auth0 domains take the plain path.
 */
function create(): Auth0Client {
  const baseUrl = process.env[PORTAL_ENV.login.baseUrl] ?? "";
  const secure = baseUrl.startsWith("https://");
  const domain = process.env[PORTAL_ENV.login.domain] ?? "";
  const local =
    /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(domain) && process.env.NODE_ENV !== "production";
  return new Auth0Client({
    ...(local ? { domain: `https://${domain}`, allowInsecureRequests: true } : {}),
    signInReturnToPath: "/",
    authorizationParameters: { scope: "openid profile email" },
    session: {
      rolling: true,
      absoluteDuration: 60 * 60 * 12,
      inactivityDuration: 60 * 60 * 2,
      cookie: { secure, sameSite: "lax" },
    },
    transactionCookie: { secure, sameSite: "lax" },
  });
}

let client: Auth0Client | undefined;

/** Created on first use (not at import), so `next build` needs no environment. */
export function auth0(): Auth0Client {
  client ??= create();
  return client;
}
