/**
 * The Astral Backend: the machine-to-machine client the portal uses to call a tenant's
 * Management API, its credentials and its grant with exactly the contract's scopes for the
 * credential kinds the tenant's environment offers (`backendScopes`).
 */
import {
  ASTRAL_BACKEND_CLIENT_NAME,
  type Auth0Plan,
  BACKEND_METADATA,
  backendScopes,
  type CredentialKind,
  managementApiAudience,
} from "@astral/contract";
import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import { enableOnDatabaseConnection } from "./databaseConnection";

export interface AstralBackendArgs {
  /** The tenant's domain; the grant's audience is its Management API. */
  readonly domain: pulumi.Input<string>;
  /** The tenant's explicit provider. */
  readonly provider: auth0.Provider;
  /**
   * The credential kinds portal.config.js offers in this tenant's environment: the grant is
   * `backendScopes(credentialKinds)` (`create:client_credentials` only with key pairs).
   */
  readonly credentialKinds: readonly CredentialKind[];
  /** The tenant's Auth0 plan as the stack config states it (`astral:auth0Plan`). */
  readonly plan: Auth0Plan;
}

/** The credentials a portal needs to call one tenant's Management API. */
export interface BackendCredentials {
  domain: string;
  clientId: string;
  clientSecret: string;
}

export class AstralBackend extends pulumi.ComponentResource {
  readonly client: auth0.Client;
  readonly credentials: auth0.ClientCredentials;
  readonly grant: auth0.ClientGrant;
  /** Enabled on the database connection, so it can create the first admin (PortalAdmin). */
  readonly connection: auth0.ConnectionClient;
  readonly domain: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  /** Secret: the provider marks `clientSecret` as a secret output. */
  readonly clientSecret: pulumi.Output<string>;

  constructor(name: string, args: AstralBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:auth0:AstralBackend", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };

    this.client = new auth0.Client(
      `${name}-client`,
      {
        name: ASTRAL_BACKEND_CLIENT_NAME,
        description: "Used by the Astral portal to call the Management API. Managed by Pulumi.",
        appType: "non_interactive",
        grantTypes: ["client_credentials"],
        oidcConformant: true,
        jwtConfiguration: { alg: "RS256" },
        // What the stack assumed of the tenant, for policy `astral-backend-plan-serves-kinds`.
        clientMetadata: {
          [BACKEND_METADATA.plan]: args.plan,
          [BACKEND_METADATA.credentialKinds]: args.credentialKinds.join(" "),
        },
      },
      childOpts,
    );
    // Since provider v1, the secret and the authentication method live here, not on the client.
    this.credentials = new auth0.ClientCredentials(
      `${name}-credentials`,
      { clientId: this.client.clientId, authenticationMethod: "client_secret_post" },
      childOpts,
    );
    this.grant = new auth0.ClientGrant(
      `${name}-grant`,
      {
        clientId: this.client.clientId,
        audience: pulumi.output(args.domain).apply(managementApiAudience),
        scopes: backendScopes(args.credentialKinds),
      },
      childOpts,
    );
    this.connection = enableOnDatabaseConnection(
      `${name}-connection`,
      this.client.clientId,
      childOpts,
    );

    this.domain = pulumi.output(args.domain);
    this.clientId = this.client.clientId;
    // Wrapped again so the secretness never depends on the provider's schema alone.
    this.clientSecret = pulumi.secret(this.credentials.clientSecret);
    this.registerOutputs({ domain: this.domain, clientId: this.clientId });
  }

  /** The credentials as one secret value (what the sandbox stack exports). */
  credentialsOutput(): pulumi.Output<BackendCredentials> {
    return pulumi.secret(
      pulumi
        .all([this.domain, this.clientId, this.clientSecret])
        .apply(([domain, clientId, clientSecret]) => ({ domain, clientId, clientSecret })),
    );
  }
}
