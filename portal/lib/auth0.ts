/**
 * The login client (`@auth0/nextjs-auth0` v4). Settings come from the env names in the contract
 * (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_SECRET, APP_BASE_URL), which the SDK
 * reads itself. Cookies are Secure whenever the portal is served over https.
 */
import { PORTAL_ENV } from "@astral/contract";
import { Auth0Client } from "@auth0/nextjs-auth0/server";

const baseUrl = process.env[PORTAL_ENV.login.baseUrl] ?? "";
const secure = baseUrl.startsWith("https://");

export const auth0 = new Auth0Client({
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
