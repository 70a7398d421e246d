/**
 * The portal's login application: a regular web application in the tenant users log into, with
 * callback and logout URLs derived from the portal URL (as `@auth0/nextjs-auth0` v4 uses them),
 * enabled on the database connection users sign in with.
 */
import { PORTAL_LOGIN_CLIENT_NAME } from "@astral/contract";
import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import { enableOnDatabaseConnection } from "./databaseConnection";

/** nextjs-auth0 v4 mounts its routes under /auth. */
export const CALLBACK_PATH = "/auth/callback";

export interface PortalLoginArgs {
  /** The tenant's domain (exported with the client id for the portal's AUTH0_DOMAIN). */
  readonly domain: pulumi.Input<string>;
  /** The portal's base URL, e.g. https://portal.acme.example (no trailing slash). */
  readonly portalUrl: pulumi.Input<string>;
  /** More base URLs allowed to log in, e.g. `https://*.previews.acme.example` for PR portals. */
  readonly extraBaseUrls?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The database connection users sign in with, by name. It is owned by `tenants/`
   * (auth0-deploy-cli), so it is looked up, never declared here.
   */
  readonly connectionName?: string;
  readonly provider: auth0.Provider;
}

/** The URLs Auth0 must allow for a set of portal base URLs. */
export function loginUrls(baseUrls: string[]) {
  const bases = baseUrls.map((url) => url.replace(/\/+$/, ""));
  return {
    callbacks: bases.map((base) => `${base}${CALLBACK_PATH}`),
    allowedLogoutUrls: bases,
    webOrigins: bases.filter((base) => !base.includes("*")),
  };
}

export class PortalLogin extends pulumi.ComponentResource {
  readonly client: auth0.Client;
  readonly credentials: auth0.ClientCredentials;
  readonly connection: auth0.ConnectionClient;
  readonly domain: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  readonly clientSecret: pulumi.Output<string>;

  constructor(name: string, args: PortalLoginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:auth0:PortalLogin", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const urls = pulumi
      .all([args.portalUrl, args.extraBaseUrls ?? []])
      .apply(([portalUrl, extra]) => loginUrls([portalUrl, ...extra]));

    this.client = new auth0.Client(
      `${name}-client`,
      {
        name: PORTAL_LOGIN_CLIENT_NAME,
        description: "Login for the Astral developer portal. Managed by Pulumi.",
        appType: "regular_web",
        oidcConformant: true,
        isFirstParty: true,
        grantTypes: ["authorization_code", "refresh_token"],
        callbacks: urls.callbacks,
        allowedLogoutUrls: urls.allowedLogoutUrls,
        webOrigins: urls.webOrigins,
        jwtConfiguration: { alg: "RS256" },
        refreshToken: {
          rotationType: "rotating",
          expirationType: "expiring",
          leeway: 0,
          tokenLifetime: 2_592_000, // 30 days absolute
          idleTokenLifetime: 1_296_000, // 15 days idle
          infiniteTokenLifetime: false,
          infiniteIdleTokenLifetime: false,
        },
      },
      childOpts,
    );
    // nextjs-auth0 v4 authenticates at /oauth/token with client_secret_post.
    this.credentials = new auth0.ClientCredentials(
      `${name}-credentials`,
      { clientId: this.client.clientId, authenticationMethod: "client_secret_post" },
      childOpts,
    );
    this.connection = enableOnDatabaseConnection(
      `${name}-connection`,
      this.client.clientId,
      childOpts,
      args.connectionName,
    );
    this.domain = pulumi.output(args.domain);
    this.clientId = this.client.clientId;
    this.clientSecret = pulumi.secret(this.credentials.clientSecret);
    this.registerOutputs({ domain: this.domain, clientId: this.clientId });
  }
}
