/**
 * The token endpoint (client_credentials, authorization_code with PKCE, refresh_token with
 * rotation), revocation and /userinfo: everything a server calls, over HTTPS.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Doc } from "../collection";
import { OAuthError } from "../errors";
import { readBody } from "../http";
import { findGrant } from "../management/client-grants";
import type { RefreshTokenRecord } from "../store";
import type { Tenant } from "../tenant";
import { authenticateByAssertion, hasClientAssertion } from "./client-assertion";
import { authenticateBySecret, isPublicClient } from "./client-secret";
import {
  type CodeRecord,
  type FlowState,
  OIDC_SCOPES,
  profileClaims,
  randomToken,
  sameText,
  type TokenResponse,
  USER_TOKEN_LIFETIME,
} from "./shared";

export class TokenEndpoint {
  constructor(
    private readonly tenant: Tenant,
    private readonly flows: FlowState,
  ) {}

  async token(req: IncomingMessage): Promise<TokenResponse> {
    const params = await readTokenParams(req);
    const client = await this.clientOf(req, params);
    const grantType = params.grant_type ?? "";
    switch (grantType) {
      case "client_credentials":
        // Rule `token.auth-method.public-no-client-credentials`: "Public clients cannot utilize
        // the client_credentials grant type", whatever their grant_types say.
        if (isPublicClient(client)) throw grantNotAllowed(grantType);
        this.checkGrantType(client, grantType);
        return this.clientCredentials(client, params);
      case "authorization_code":
        this.checkGrantType(client, grantType);
        return this.authorizationCode(client, params);
      case "refresh_token":
        this.checkGrantType(client, grantType);
        return this.refreshToken(client, params);
      default:
        throw new OAuthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    }
  }

  /** Revokes a refresh token of the calling client (and its rotation family), as Auth0 does. */
  async revoke(req: IncomingMessage): Promise<void> {
    const params = await readTokenParams(req);
    const client = await this.clientOf(req, params);
    const { store } = this.tenant;
    const record = store.refreshTokens.get(params.token ?? "");
    if (!record || record.client_id !== client.client_id) return;
    for (const [t, r] of store.refreshTokens)
      if (r.family === record.family) store.refreshTokens.delete(t);
    store.changed();
  }

  /** A client assertion (Private Key JWT, client-assertion.ts) or a client secret. */
  private async clientOf(req: IncomingMessage, params: Record<string, string>): Promise<Doc> {
    if (!hasClientAssertion(params)) return this.authenticateClient(req, params);
    const basic = /^Basic\s/i.test(req.headers.authorization ?? "");
    return authenticateByAssertion(this.tenant, params, basic);
  }

  /** client_secret_basic, client_secret_post or none, as the client is registered (client-secret.ts). */
  private authenticateClient(req: IncomingMessage, params: Record<string, string>): Doc {
    return authenticateBySecret(this.tenant, req, params, (client) => this.currentSecret(client));
  }

  /**
   * Rule `clients.rotate.delay`: right after a rotation no secret works until the rotation takes
   * effect: the previous one is refused at once, the new one only after the delay ("New secrets
   * may be delayed up to thirty seconds"). Undefined: none works now.
   */
  private currentSecret(client: Doc): string | undefined {
    const rotations = this.tenant.store.secretRotations;
    const rotation = rotations.get(client.client_id as string);
    if (rotation && Date.now() < rotation.effectiveAt) return undefined;
    if (rotation) rotations.delete(client.client_id as string);
    return String(client.client_secret);
  }

  private checkGrantType(client: Doc, grantType: string): void {
    const allowed = client.grant_types as string[] | undefined;
    if (!allowed?.includes(grantType)) throw grantNotAllowed(grantType);
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
  private async authorizationCode(
    client: Doc,
    params: Record<string, string>,
  ): Promise<TokenResponse> {
    const record = this.flows.codes.get(params.code ?? "");
    this.flows.codes.delete(params.code ?? "");
    if (!record || record.expires_at < Date.now() || record.client_id !== client.client_id) {
      throw new OAuthError(403, "invalid_grant", "Invalid authorization code");
    }
    if (params.redirect_uri !== record.redirect_uri) {
      throw new OAuthError(403, "invalid_grant", "Redirect URI mismatch");
    }
    // Rule `token.auth-method.none`: a public client proves the code with PKCE, having no secret.
    if (!record.code_challenge && isPublicClient(client))
      throw new OAuthError(403, "invalid_grant", "Failed to verify code verifier");
    if (record.code_challenge) {
      const verifier = params.code_verifier ?? "";
      const computed = createHash("sha256").update(verifier).digest("base64url");
      if (!verifier || !sameText(computed, record.code_challenge)) {
        throw new OAuthError(403, "invalid_grant", "Failed to verify code verifier");
      }
    }
    return this.userTokens(client, record, true);
  }

  private async refreshToken(client: Doc, params: Record<string, string>): Promise<TokenResponse> {
    const { store } = this.tenant;
    const token = params.refresh_token ?? "";
    const record = store.refreshTokens.get(token);
    if (!record || record.client_id !== client.client_id || record.expires_at < Date.now()) {
      throw new OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.");
    }
    if (record.rotated) {
      // Reuse of a rotated token: Auth0 revokes the whole family.
      for (const [t, r] of store.refreshTokens)
        if (r.family === record.family) store.refreshTokens.delete(t);
      store.changed();
      throw new OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.");
    }
    if (!store.users.get(record.user_id)) {
      throw new OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.");
    }
    const rotating = (client.refresh_token as Doc | undefined)?.rotation_type === "rotating";
    const response = await this.userTokens(
      client,
      {
        user_id: record.user_id,
        scope: record.scope,
        audience: record.audience,
        client_id: record.client_id,
        auth_time: 0,
        session_id: "",
      },
      rotating,
      record.family,
    );
    if (rotating) {
      store.refreshTokens.set(token, { ...record, rotated: true });
      store.changed();
    } else {
      delete response.refresh_token;
    }
    return response;
  }

  /** Access token (+ ID token with `openid`, + refresh token with `offline_access`). */
  private async userTokens(
    client: Doc,
    grant: Pick<
      CodeRecord,
      "user_id" | "scope" | "audience" | "client_id" | "auth_time" | "session_id"
    > & { nonce?: string },
    issueRefresh: boolean,
    family?: string,
  ): Promise<TokenResponse> {
    const { tenant } = this;
    const user = tenant.store.users.get(grant.user_id);
    if (!user) throw new OAuthError(403, "invalid_grant", "The user no longer exists");
    const clientId = client.client_id as string;
    const requested = grant.scope.split(" ").filter(Boolean);
    const api = grant.audience ? tenant.resourceServerByIdentifier(grant.audience) : undefined;
    const apiScopes = new Set(
      ((api?.scopes as Doc[] | undefined) ?? []).map((s) => s.value as string),
    );
    const scope = requested.filter((s) => OIDC_SCOPES.has(s) || apiScopes.has(s)).join(" ");
    const userinfoAudience = `${tenant.issuer}userinfo`;
    const aud = grant.audience
      ? requested.includes("openid")
        ? [grant.audience, userinfoAudience]
        : grant.audience
      : userinfoAudience;
    const lifetime = (api?.token_lifetime as number | undefined) ?? USER_TOKEN_LIFETIME;
    const response: TokenResponse = {
      access_token: await tenant
        .keys()
        .sign({ iss: tenant.issuer, sub: grant.user_id, aud, azp: clientId, scope }, lifetime),
      expires_in: lifetime,
      token_type: "Bearer",
      scope,
    };
    if (requested.includes("openid")) {
      const idLifetime =
        ((client.jwt_configuration as Doc | undefined)?.lifetime_in_seconds as
          | number
          | undefined) ?? 36000;
      response.id_token = await tenant.keys().sign(
        {
          ...profileClaims(user, requested),
          iss: tenant.issuer,
          sub: grant.user_id,
          aud: clientId,
          ...(grant.auth_time ? { auth_time: grant.auth_time } : {}),
          ...(grant.session_id ? { sid: grant.session_id } : {}),
          ...(grant.nonce ? { nonce: grant.nonce } : {}),
        },
        idLifetime,
      );
    }
    const allowsRefresh = ((client.grant_types as string[] | undefined) ?? []).includes(
      "refresh_token",
    );
    if (issueRefresh && allowsRefresh && requested.includes("offline_access")) {
      const token = randomToken(48);
      const lifetimeSeconds = Number(
        (client.refresh_token as Doc | undefined)?.token_lifetime ?? 2592000,
      );
      const record: RefreshTokenRecord = {
        client_id: clientId,
        user_id: grant.user_id,
        scope: grant.scope,
        audience: grant.audience,
        expires_at: Date.now() + lifetimeSeconds * 1000,
        family: family ?? randomToken(12),
      };
      tenant.store.refreshTokens.set(token, record);
      tenant.store.changed();
      response.refresh_token = token;
    }
    return response;
  }

  async userinfo(req: IncomingMessage): Promise<Doc> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match?.[1]) throw new OAuthError(401, "invalid_token", "Missing access token");
    let payload: Record<string, unknown>;
    try {
      payload = await this.tenant
        .keys()
        .verify(match[1], this.tenant.issuer, `${this.tenant.issuer}userinfo`);
    } catch {
      throw new OAuthError(401, "invalid_token", "Invalid or expired access token");
    }
    const user = this.tenant.store.users.get(String(payload.sub));
    if (!user) throw new OAuthError(401, "invalid_token", "The user no longer exists");
    return {
      sub: user.user_id as string,
      ...profileClaims(user, String(payload.scope ?? "").split(" ")),
    };
  }
}

/** Auth0's answer to a grant type the client may not use. */
function grantNotAllowed(grantType: string): OAuthError {
  return new OAuthError(
    403,
    "unauthorized_client",
    `Grant type '${grantType}' not allowed for the client.`,
  );
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
