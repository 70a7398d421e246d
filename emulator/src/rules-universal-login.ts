/**
 * The rules table's rows on connections and applications (spread into RULES in
 * emulator/src/rules.ts): which applications get a connection, which ones Universal Login serves,
 * sign-up, and who may create a database user. Each row has a check in
 * emulator/test/rules.integration.test.ts (from emulator/test/universal-login-checks.ts).
 */
import type { Rule } from "./rules";

const TYPES_D_TS = "auth0 SDK `dist/cjs/management/api/types/types.d.ts`";
const BROWSER_TS = "emulator/src/oauth/browser.ts";
const CONNECTIONS_TS = "emulator/src/management/tenant-config.ts";

export const UNIVERSAL_LOGIN_RULES = [
  {
    id: "clients.create.enable-client-connections",
    rule: "A new application gets every current connection unless the tenant's `flags.enable_client_connections` is false (Auth0's default is true); a deleted one leaves every connection.",
    source: `https://auth0.com/docs/api/management/v2/tenants/patch-settings (\`flags.enable_client_connections\`); ${TYPES_D_TS} \`TenantSettingsFlags.enable_client_connections\` ("Whether all current connections should be enabled when a new client (application) is created (true, default) or not (false)")`,
    enforcedIn: [CONNECTIONS_TS, "emulator/src/management/clients.ts"],
  },
  {
    id: "login.no-connection",
    rule: "`/authorize` for an application with no connection enabled sends the browser back with `error=invalid_request` and `no connections enabled for the client`.",
    source:
      "https://auth0.com/docs/get-started/applications/set-up-database-connections (a connection logs users in to the applications it is enabled for); the error text as Auth0 returns it, quoted in https://github.com/auth0-samples/auth0-vue-samples/issues/185",
    enforcedIn: [BROWSER_TS],
  },
  {
    id: "signup.disable-signup",
    rule: "Sign-up is offered, and accepted at `/u/signup`, only through a database connection enabled for the application whose `options.disable_signup` is not true.",
    source: `https://auth0.com/docs/best-practices/connection-settings ("Disable user signup if it's not appropriate"); ${TYPES_D_TS} \`ConnectionOptionsAuth0.disable_signup\``,
    enforcedIn: [BROWSER_TS],
  },
  {
    id: "signup.screen-hint",
    rule: "`screen_hint=signup` on `/authorize` opens the sign-up prompt instead of the login prompt.",
    source:
      "https://auth0.com/docs/customize/login-pages/advanced-customizations/screens/signup-id (`authorization_params.screen_hint`)",
    enforcedIn: [BROWSER_TS],
  },
  {
    id: "signup.same-checks-as-create",
    rule: "Sign-up applies the connection's password policy and one user per email, as `POST /users` does; the new user's `email_verified` is false and they are logged in.",
    source:
      "https://auth0.com/docs/authenticate/database-connections/password-strength (the policy applies to sign-up); https://auth0.com/docs/manage-users/user-accounts/verify-emails",
    enforcedIn: [BROWSER_TS, "emulator/src/management/users.ts"],
  },
  {
    id: "users.create.connection-enabled",
    rule: "`POST /users` creates a database user only when the connection is enabled for the calling application (the token's `azp`); otherwise a 400 naming the client and connection.",
    source:
      'https://auth0.com/docs/manage-users/user-accounts/create-users ("The connection you use must be associated with an application"); the 400 body quoted in https://community.auth0.com/t/138912',
    enforcedIn: ["emulator/src/management/users.ts"],
  },
] as const satisfies readonly Rule[];
