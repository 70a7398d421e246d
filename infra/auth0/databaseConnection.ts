/**
 * One client enabled on the tenant's database connection, without owning the connection or its
 * other clients (`auth0.ConnectionClients` would own the whole list). tenants/tenant.yaml sets
 * `enable_client_connections: false`, so a client Pulumi creates is enabled on no connection:
 * - the login app needs it, or nobody can sign in (Auth0: "no connections enabled for the
 *   client");
 * - the Astral Backend needs it, or Auth0 refuses PortalAdmin's `POST /users` for the first admin
 *   ("Connection must be enabled for this client to perform single user creation and signup
 *   operations"; rule `users.create.connection-enabled` in emulator/src/rules-universal-login.ts).
 */
import * as auth0 from "@pulumi/auth0";
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CONNECTION } from "./portalAdmin";

/** `PATCH /connections/{id}/clients` with one entry: `clientId` on the named connection. */
export function enableOnDatabaseConnection(
  name: string,
  clientId: pulumi.Input<string>,
  opts: { parent: pulumi.Resource; provider: auth0.Provider },
  connectionName: string = DEFAULT_CONNECTION,
): auth0.ConnectionClient {
  const connection = auth0.getConnectionOutput(
    { name: connectionName, skipEnabledClients: true },
    { parent: opts.parent, provider: opts.provider },
  );
  return new auth0.ConnectionClient(name, { connectionId: connection.id, clientId }, opts);
}
