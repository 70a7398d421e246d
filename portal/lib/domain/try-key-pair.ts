/**
 * "Try this credential" for a key pair (Sandbox only). The browser signs the client assertion
 * with the private key the user picks from disk (RFC 7523: `iss` = `sub` = client id, `aud` = the
 * tenant URL, short `exp`, unique `jti`); the server only passes that one-time assertion to the
 * sandbox tenant's token endpoint and shows what came back. No key reaches the server, and the
 * assertion is used once and never logged (Auth0 refuses a replayed `jti` anyway).
 */
import { CREDENTIAL_KINDS } from "@astral/contract";
import { decodeJwt } from "jose";
import { PortalError } from "../errors";
import { type Ctx, offeredEnvironment } from "./context";
import { getTeamCredential } from "./credential-changes";
import { exchange, readToken } from "./try-credential";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export async function tryKeyPair(
  ctx: Ctx,
  input: { teamId: string; clientId: string; clientAssertion: string; audience: string },
) {
  const { tenant, config } = offeredEnvironment(ctx.portal, "sandbox");
  if (!config.apis.some((a) => a.audience === input.audience))
    throw new PortalError("invalid_input", "That audience is not one this portal grants.");
  const credential = await getTeamCredential(ctx, input.teamId, "sandbox", input.clientId);
  if (credential.kind !== CREDENTIAL_KINDS.keyPair)
    throw new PortalError("invalid_input", "This credential is not a key pair.");
  // Only this credential's assertions are passed on (the tenant checks everything else).
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(input.clientAssertion);
  } catch {
    throw new PortalError("invalid_input", "The client assertion is not a JWT.");
  }
  if (claims.iss !== input.clientId || claims.sub !== input.clientId)
    throw new PortalError("invalid_input", "The assertion's iss and sub must be the client id.");
  const response = await exchange(tenant.domain, {
    grant_type: "client_credentials",
    audience: input.audience,
    client_assertion_type: JWT_BEARER,
    client_assertion: input.clientAssertion,
  });
  return readToken(response);
}
