/**
 * Optional: the customer's API, the audience that credentials issued by the portal are granted
 * to. Declared only when the stack config names one (`astral:apiIdentifier`).
 */
import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";

export interface ApiResourceServerArgs {
  /** The API identifier (audience), e.g. https://api.acme.example/. */
  readonly identifier: pulumi.Input<string>;
  /** Display name in the Auth0 dashboard. */
  readonly displayName: pulumi.Input<string>;
  readonly provider: auth0.Provider;
}

export class ApiResourceServer extends pulumi.ComponentResource {
  readonly resourceServer: auth0.ResourceServer;
  readonly identifier: pulumi.Output<string>;

  constructor(name: string, args: ApiResourceServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:auth0:ApiResourceServer", name, {}, opts);
    this.resourceServer = new auth0.ResourceServer(
      `${name}-api`,
      {
        identifier: args.identifier,
        name: args.displayName,
        signingAlg: "RS256",
        tokenLifetime: 86_400,
        // Machine-to-machine credentials only: no refresh tokens, no user consent screens.
        allowOfflineAccess: false,
        skipConsentForVerifiableFirstPartyClients: true,
      },
      { parent: this, provider: args.provider },
    );
    this.identifier = this.resourceServer.identifier;
    this.registerOutputs({ identifier: this.identifier });
  }
}
