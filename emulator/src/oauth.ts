/**
 * The tenant's OAuth 2.0 / OpenID Connect endpoints: discovery, JWKS and the token endpoint.
 * Errors here use OAuth's shape (`{ error, error_description }`), as Auth0's do.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Doc } from "./collection";
import { OAuthError, sendJson } from "./errors";
import { readBody } from "./http";
import { findGrant } from "./management/client-grants";
import type { Tenant } from "./tenant";

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

export class OAuthEndpoints {
  constructor(private readonly tenant: Tenant) {}

  /** Forgets in-memory flow state (pending authorization codes, sessions). */
  reset(): void {}

  /** Handles the request if it is an OAuth/OIDC route; false otherwise. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    _secure: boolean,
  ): Promise<boolean> {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /.well-known/openid-configuration":
        sendJson(res, 200, this.discovery());
        return true;
      case "GET /.well-known/jwks.json":
        sendJson(res, 200, { keys: [this.tenant.keys().publicJwk] });
        return true;
      case "POST /oauth/token":
        sendJson(res, 200, await this.token(req));
        return true;
      default:
        return false;
    }
  }

  discovery(): Doc {
    const { issuer, baseUrl } = this.tenant;
    return {
      issuer,
      authorization_endpoint: `${baseUrl}/authorize`,
      token_endpoint: `${baseUrl}/oauth/token`,
      userinfo_endpoint: `${baseUrl}/userinfo`,
      jwks_uri: `${baseUrl}/.well-known/jwks.json`,
      end_session_endpoint: `${baseUrl}/oidc/logout`,
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      response_types_supported: ["code"],
      response_modes_supported: ["query", "form_post"],
      grant_types_supported: ["authorization_code", "client_credentials", "refresh_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      code_challenge_methods_supported: ["S256"],
      claims_supported: [
        "aud",
        "email",
        "email_verified",
        "exp",
        "iat",
        "iss",
        "name",
        "nickname",
        "picture",
        "sub",
        "updated_at",
      ],
    };
  }

  private async token(req: IncomingMessage): Promise<TokenResponse> {
    const params = await readTokenParams(req);
    const client = this.authenticateClient(req, params);
    const grantType = params.grant_type ?? "";
    switch (grantType) {
      case "client_credentials":
        this.checkGrantType(client, grantType);
        return this.clientCredentials(client, params);
      default:
        throw new OAuthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    }
  }

  /** client_secret_basic or client_secret_post; Auth0 answers 401 access_denied to bad secrets. */
  private authenticateClient(req: IncomingMessage, params: Record<string, string>): Doc {
    let clientId = params.client_id;
    let secret = params.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new OAuthError(401, "invalid_client", "Malformed Basic credentials");
      try {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      } catch {
        throw new OAuthError(401, "invalid_client", "Malformed Basic credentials");
      }
    }
    if (!clientId) throw new OAuthError(401, "access_denied", "Unauthorized");
    const client = this.tenant.store.clients.get(clientId);
    if (!client || !secret || client.client_secret !== secret) {
      throw new OAuthError(401, "access_denied", "Unauthorized");
    }
    return client;
  }

  private checkGrantType(client: Doc, grantType: string): void {
    const allowed = client.grant_types as string[] | undefined;
    if (!allowed?.includes(grantType)) {
      throw new OAuthError(
        403,
        "unauthorized_client",
        `Grant type '${grantType}' not allowed for the client.`,
      );
    }
  }

  private async clientCredentials(
    client: Doc,
    params: Record<string, string>,
  ): Promise<TokenResponse> {
    const tenant = this.tenant;
    const audience = params.audience || (tenant.settings().default_audience as string) || "";
    if (!audience) {
      throw new OAuthError(
        403,
        "access_denied",
        "No audience parameter was provided, and no default audience has been configured",
      );
    }
    const api = tenant.resourceServerByIdentifier(audience);
    if (!api)
      throw new OAuthError(403, "access_denied", `Service not enabled within domain: ${audience}`);
    const clientId = client.client_id as string;
    const grant = findGrant(tenant.store, clientId, audience);
    if (!grant) {
      throw new OAuthError(
        403,
        "access_denied",
        `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
      );
    }
    let scopes = (grant.scope as string[] | undefined) ?? [];
    if (params.scope) {
      const requested = new Set(params.scope.split(" ").filter(Boolean));
      scopes = scopes.filter((s) => requested.has(s));
    }
    const lifetime = (api.token_lifetime as number | undefined) ?? 86400;
    const access_token = await tenant.keys().sign(
      {
        iss: tenant.issuer,
        sub: `${clientId}@clients`,
        aud: audience,
        scope: scopes.join(" "),
        gty: "client-credentials",
        azp: clientId,
      },
      lifetime,
    );
    return { access_token, scope: scopes.join(" "), expires_in: lifetime, token_type: "Bearer" };
  }
}

/** Token requests come as a form (OAuth) or JSON (Auth0 accepts both). */
async function readTokenParams(req: IncomingMessage): Promise<Record<string, string>> {
  const raw = (await readBody(req, 64 * 1024)).toString("utf8");
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  let parsed: Record<string, unknown>;
  if (type.startsWith("application/json")) {
    try {
      const value = JSON.parse(raw || "{}");
      if (!value || typeof value !== "object" || Array.isArray(value))
        throw new Error("not an object");
      parsed = value as Record<string, unknown>;
    } catch {
      throw new OAuthError(400, "invalid_request", "Invalid JSON body");
    }
  } else {
    parsed = Object.fromEntries(new URLSearchParams(raw));
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === "string") out[k] = v;
    else if (v !== undefined && v !== null) {
      throw new OAuthError(400, "invalid_request", `Parameter ${k} must be a string`);
    }
  }
  return out;
}
