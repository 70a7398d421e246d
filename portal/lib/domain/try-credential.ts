/**
 * "Try this credential" (Sandbox only): exchanges a credential's id and secret for a token at the
 * sandbox tenant, exactly as the printed curl does, and returns the decoded claims. The secret
 * comes from the browser that was just shown it; it is used for this one request and dropped.
 *
 * A rotated secret may take up to 30 s to work (Auth0: "New secrets may be delayed up to thirty
 * seconds while rotating", https://auth0.com/docs/get-started/applications/rotate-client-secret).
 * While the reveal's `activeFrom` has not passed, a refusal is not the credential's fault: the
 * exchange is retried until then (bounded by the portal's rotation delay), and if it is still
 * refused the user is told to try again rather than that the credential is wrong.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { PortalError } from "../errors";
import { type Ctx, offeredEnvironment } from "./context";
import { getTeamCredential } from "./credential-changes";

export async function tryCredential(
  ctx: Ctx,
  input: {
    teamId: string;
    clientId: string;
    clientSecret: string;
    audience: string;
    activeFrom?: string | undefined;
  },
) {
  const { tenant, config } = offeredEnvironment(ctx.portal, "sandbox");
  if (!config.apis.some((a) => a.audience === input.audience))
    throw new PortalError("invalid_input", "That audience is not one this portal grants.");
  await getTeamCredential(ctx, input.teamId, "sandbox", input.clientId);
  const now = ctx.portal.now().getTime();
  // The browser's word for when the secret works, capped by what Auth0 documents.
  const activeFrom = Math.min(
    Date.parse(input.activeFrom ?? "") || now,
    now + ctx.portal.rotationDelayMs,
  );
  const every = Math.min(2000, Math.max(100, ctx.portal.rotationDelayMs / 10));
  const request = {
    grant_type: "client_credentials",
    client_id: input.clientId,
    client_secret: input.clientSecret,
    audience: input.audience,
  };
  let response = await exchange(tenant.domain, request);
  while (response.status === 401 && ctx.portal.now().getTime() < activeFrom + every) {
    await new Promise((resolve) => setTimeout(resolve, every));
    response = await exchange(tenant.domain, request);
  }
  return readToken(response);
}

/** The token answer, decoded for display; a refusal or an outage as a clear PortalError. */
export async function readToken(response: Response) {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 429 || response.status >= 500)
    throw new PortalError(
      response.status === 429 ? "rate_limited" : "upstream_error",
      `The sandbox tenant could not issue a token (HTTP ${response.status}); try again in a moment.`,
      { upstreamStatus: response.status },
    );
  if (!response.ok || typeof body.access_token !== "string") {
    const reason =
      typeof body.error_description === "string"
        ? body.error_description
        : `HTTP ${response.status}`;
    throw new PortalError("invalid_input", `The sandbox tenant refused the credential: ${reason}`);
  }
  return {
    accessToken: body.access_token,
    expiresIn: typeof body.expires_in === "number" ? body.expires_in : undefined,
    header: decodeProtectedHeader(body.access_token),
    claims: decodeJwt(body.access_token),
  };
}

/** One token request to the sandbox tenant (whatever the client authentication). */
export async function exchange(domain: string, body: Record<string, string>): Promise<Response> {
  try {
    return await fetch(`https://${domain}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    // Unreachable or too slow: the tenant's fault, not the credential's (and no error detail,
    // which could carry the request, is passed on).
    throw new PortalError(
      "upstream_error",
      "The sandbox tenant could not be reached to issue a token; try again in a moment.",
    );
  }
}
