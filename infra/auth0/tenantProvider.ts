/**
 * One explicit `auth0.Provider` per tenant. Nothing in this program uses the default auth0
 * provider, so a resource can never land in a tenant by accident (ambient AUTH0_* variables).
 */
import * as auth0 from "@pulumi/auth0";
import type * as pulumi from "@pulumi/pulumi";

export interface TenantProviderArgs {
  /** The tenant's domain, e.g. acme.eu.auth0.com (no protocol). */
  readonly domain: pulumi.Input<string>;
  /** The bootstrap client the provider authenticates with (see docs/deploy.md). */
  readonly clientId: pulumi.Input<string>;
  /** Its secret: pass a secret Output (config `--secret`). */
  readonly clientSecret: pulumi.Input<string>;
}

export function tenantProvider(
  name: string,
  args: TenantProviderArgs,
  opts?: pulumi.CustomResourceOptions,
): auth0.Provider {
  return new auth0.Provider(
    name,
    { domain: args.domain, clientId: args.clientId, clientSecret: args.clientSecret },
    opts,
  );
}
