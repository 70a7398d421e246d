/**
 * The tenant's OAuth 2.0 / OpenID Connect endpoints: discovery, JWKS, the token endpoint
 * (client_credentials, authorization_code with PKCE, refresh_token with rotation), /authorize and
 * the login page, /userinfo, and logout (/v2/logout and OIDC /oidc/logout).
 *
 * The browser-facing endpoints (/authorize, the login page, logout) are advertised over plain
 * HTTP, so that a newcomer's browser never meets the local CA; everything a server calls (token,
 * userinfo, JWKS) stays HTTPS, which the SDKs require. Errors use OAuth's shape
 * (`{ error, error_description }`), as Auth0's do.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Doc } from "./collection";
import { OAuthError, sendJson } from "./errors";
import { readBody, redirect, sendHtml } from "./http";
import { loginPage, messagePage } from "./login-page";
import { findGrant } from "./management/client-grants";
import { verifyPassword } from "./passwords";
import type { RefreshTokenRecord } from "./store";
import type { Tenant } from "./tenant";

/** A login in progress: the /authorize request, waiting for the user's credentials. */
interface Transaction {
  client_id: string;
  redirect_uri: string;
  scope: string;
  audience?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  response_mode: string;
  expires_at: number;
}

/** An issued authorization code (single use, short-lived). */
interface CodeRecord extends Omit<Transaction, "state" | "response_mode"> {
  user_id: string;
  session_id: string;
  auth_time: number;
}

interface Session {
  user_id: string;
  auth_time: number;
}

const TRANSACTION_TTL_MS = 15 * 60 * 1000;
const CODE_TTL_MS = 5 * 60 * 1000;
const USER_TOKEN_LIFETIME = 86400;
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

export class OAuthEndpoints {
  private transactions = new Map<string, Transaction>();
  private codes = new Map<string, CodeRecord>();
  private sessions = new Map<string, Session>();

  constructor(private readonly tenant: Tenant) {}

  /** Forgets in-memory flow state (logins in progress, codes, browser sessions). */
  reset(): void {
    this.transactions.clear();
    this.codes.clear();
    this.sessions.clear();
  }

  /** Handles the request if it is an OAuth/OIDC route; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
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
      case "POST /oauth/revoke":
        await this.revoke(req);
        res.writeHead(200, { "content-length": 0 });
        res.end();
        return true;
      case "GET /authorize":
        this.authorize(req, res, url);
        return true;
      case "POST /u/login":
        await this.login(req, res);
        return true;
      case "GET /userinfo":
      case "POST /userinfo":
        sendJson(res, 200, await this.userinfo(req));
        return true;
      case "GET /v2/logout":
        this.logout(req, res, url.searchParams.get("client_id"), url.searchParams.get("returnTo"));
        return true;
      case "GET /oidc/logout":
        await this.oidcLogout(req, res, url);
        return true;
      default:
        return false;
    }
  }

  discovery(): Doc {
    const { issuer, baseUrl, domain } = this.tenant;
    // Browser-facing endpoints over plain HTTP (no certificate warning), the rest over HTTPS.
    const browserUrl = `http://${domain}`;
    return {
      issuer,
      authorization_endpoint: `${browserUrl}/authorize`,
      token_endpoint: `${baseUrl}/oauth/token`,
      userinfo_endpoint: `${baseUrl}/userinfo`,
      jwks_uri: `${baseUrl}/.well-known/jwks.json`,
      revocation_endpoint: `${baseUrl}/oauth/revoke`,
      end_session_endpoint: `${browserUrl}/oidc/logout`,
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
  private async revoke(req: IncomingMessage): Promise<void> {
    const params = await readTokenParams(req);
    const client = this.authenticateClient(req, params);
    const { store } = this.tenant;
    const record = store.refreshTokens.get(params.token ?? "");
    if (!record || record.client_id !== client.client_id) return;
    for (const [t, r] of store.refreshTokens)
      if (r.family === record.family) store.refreshTokens.delete(t);
    store.changed();
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
    if (!client || !secret || !sameText(String(client.client_secret), secret)) {
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
  // ---- Browser flow: /authorize, the login page, codes ----------------------------------------

  private authorize(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const client = this.tenant.store.clients.get(q.get("client_id") ?? "");
    if (!client) {
      sendHtml(
        res,
        400,
        messagePage(
          "Unknown client",
          "The client_id of this request is not an application of this tenant.",
        ),
      );
      return;
    }
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!((client.callbacks as string[] | undefined) ?? []).includes(redirectUri)) {
      sendHtml(
        res,
        400,
        messagePage(
          "Callback URL mismatch",
          `The provided redirect_uri is not in the list of allowed callback URLs: ${redirectUri}`,
        ),
      );
      return;
    }
    const responseMode = q.get("response_mode") ?? "query";
    const fail = (error: string, description: string): void =>
      redirect(
        res,
        withParams(redirectUri, { error, error_description: description, state: q.get("state") }),
      );
    const problem = this.authorizeProblem(client, q, responseMode);
    if (problem) {
      fail(...problem);
      return;
    }
    const challenge = q.get("code_challenge") ?? undefined;
    const audience = q.get("audience") || undefined;
    const tx: Transaction = {
      client_id: client.client_id as string,
      redirect_uri: redirectUri,
      scope: q.get("scope") ?? "openid",
      audience,
      state: q.get("state") ?? undefined,
      nonce: q.get("nonce") ?? undefined,
      code_challenge: challenge,
      response_mode: responseMode,
      expires_at: Date.now() + TRANSACTION_TTL_MS,
    };
    const prompt = q.get("prompt");
    const session = this.currentSession(req);
    if (session && prompt !== "login") {
      this.finishLogin(res, tx, session.id, session.session);
      return;
    }
    if (prompt === "none") {
      fail("login_required", "Login required");
      return;
    }
    const txId = randomToken();
    this.prune();
    this.transactions.set(txId, tx);
    sendHtml(
      res,
      200,
      loginPage({
        tenant: this.tenant.name,
        appName: String(client.name),
        transaction: txId,
        email: q.get("login_hint") ?? undefined,
      }),
    );
  }

  /** Why an /authorize request with a valid client and redirect_uri must fail, if it must. */
  private authorizeProblem(
    client: Doc,
    q: URLSearchParams,
    responseMode: string,
  ): [string, string] | undefined {
    if (q.get("response_type") !== "code") {
      return [
        "unsupported_response_type",
        `Unsupported response type: ${q.get("response_type") ?? ""}`,
      ];
    }
    if (responseMode !== "query") {
      return ["invalid_request", `Unsupported response_mode: ${responseMode}`];
    }
    if (!((client.grant_types as string[] | undefined) ?? []).includes("authorization_code")) {
      return ["unauthorized_client", "Grant type 'authorization_code' not allowed for the client."];
    }
    if (q.get("code_challenge") && (q.get("code_challenge_method") ?? "plain") !== "S256") {
      return ["invalid_request", "code_challenge_method must be S256"];
    }
    const audience = q.get("audience");
    if (audience && !this.tenant.resourceServerByIdentifier(audience)) {
      return ["access_denied", `Service not found: ${audience}`];
    }
    return undefined;
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req, 16 * 1024)).toString("utf8"));
    const txId = form.get("state") ?? "";
    const tx = this.transactions.get(txId);
    if (!tx || tx.expires_at < Date.now()) {
      sendHtml(
        res,
        400,
        messagePage(
          "Login expired",
          "This login has expired. Go back to the application and try again.",
        ),
      );
      return;
    }
    const client = this.tenant.store.clients.get(tx.client_id);
    const email = (form.get("username") ?? "").trim();
    const { store } = this.tenant;
    const user = store.users.pick(store.users.lookup("email", email) ?? new Set())[0];
    const ok =
      user &&
      (await verifyPassword(
        form.get("password") ?? "",
        store.passwords.get(user.user_id as string),
      ));
    if (!client || !user || !ok || user.blocked === true) {
      const error =
        user?.blocked === true && ok ? "Your account has been blocked." : "Wrong email or password";
      sendHtml(
        res,
        401,
        loginPage({
          tenant: this.tenant.name,
          appName: String(client?.name ?? ""),
          transaction: txId,
          email,
          error,
        }),
      );
      return;
    }
    this.transactions.delete(txId);
    const now = new Date().toISOString();
    store.users.put({ ...user, last_login: now, logins_count: Number(user.logins_count ?? 0) + 1 });
    store.changed();
    const sessionId = randomToken();
    const session = { user_id: user.user_id as string, auth_time: Math.floor(Date.now() / 1000) };
    this.sessions.set(sessionId, session);
    res.setHeader("set-cookie", `${this.cookieName}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
    this.finishLogin(res, tx, sessionId, session);
  }

  private finishLogin(
    res: ServerResponse,
    tx: Transaction,
    sessionId: string,
    session: Session,
  ): void {
    const code = randomToken();
    const { state, response_mode, ...rest } = tx;
    this.codes.set(code, {
      ...rest,
      expires_at: Date.now() + CODE_TTL_MS,
      user_id: session.user_id,
      session_id: sessionId,
      auth_time: session.auth_time,
    });
    redirect(res, withParams(tx.redirect_uri, { code, state }));
  }

  private get cookieName(): string {
    // Cookies are per host, not per port: each tenant needs its own name on "localhost".
    return `auth0_${this.tenant.name}`;
  }

  private currentSession(req: IncomingMessage): { id: string; session: Session } | undefined {
    const cookie = req.headers.cookie ?? "";
    for (const part of cookie.split(";")) {
      const [name, value] = part.trim().split("=");
      if (name !== this.cookieName || !value) continue;
      const session = this.sessions.get(value);
      if (session && this.tenant.store.users.get(session.user_id)) return { id: value, session };
    }
    return undefined;
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, t] of this.transactions) if (t.expires_at < now) this.transactions.delete(k);
    for (const [k, c] of this.codes) if (c.expires_at < now) this.codes.delete(k);
  }

  // ---- Token endpoint: user grants ------------------------------------------------------------

  private async authorizationCode(
    client: Doc,
    params: Record<string, string>,
  ): Promise<TokenResponse> {
    const record = this.codes.get(params.code ?? "");
    this.codes.delete(params.code ?? "");
    if (!record || record.expires_at < Date.now() || record.client_id !== client.client_id) {
      throw new OAuthError(403, "invalid_grant", "Invalid authorization code");
    }
    if (params.redirect_uri !== record.redirect_uri) {
      throw new OAuthError(403, "invalid_grant", "Redirect URI mismatch");
    }
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

  // ---- /userinfo and logout -------------------------------------------------------------------

  private async userinfo(req: IncomingMessage): Promise<Doc> {
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

  /** Ends the browser session; `returnTo` must be an allowed logout URL (client's or tenant's). */
  private logout(
    req: IncomingMessage,
    res: ServerResponse,
    clientId: string | null,
    returnTo: string | null,
    state?: string | null,
  ): void {
    const session = this.currentSession(req);
    if (session) this.sessions.delete(session.id);
    res.setHeader("set-cookie", `${this.cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    if (!returnTo) {
      sendHtml(
        res,
        200,
        messagePage("Logged out", "You have been logged out of the local tenant."),
      );
      return;
    }
    const client = clientId ? this.tenant.store.clients.get(clientId) : undefined;
    if (clientId && !client) {
      sendHtml(
        res,
        400,
        messagePage(
          "Unknown client",
          "The client_id of this logout request is not an application of this tenant.",
        ),
      );
      return;
    }
    const allowed =
      ((client ? client.allowed_logout_urls : this.tenant.settings().allowed_logout_urls) as
        | string[]
        | undefined) ?? [];
    if (!allowed.some((u) => sameUrl(u, returnTo))) {
      sendHtml(
        res,
        400,
        messagePage(
          "Logout URL not allowed",
          `The "returnTo" URL is not in the allowed logout URLs: ${returnTo}`,
        ),
      );
      return;
    }
    redirect(res, state ? withParams(returnTo, { state }) : returnTo);
  }

  private async oidcLogout(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const q = url.searchParams;
    let clientId = q.get("client_id");
    const hint = q.get("id_token_hint");
    if (hint && !clientId) {
      try {
        const { decodeJwt } = await import("jose");
        const aud = decodeJwt(hint).aud;
        clientId = Array.isArray(aud) ? (aud[0] ?? null) : (aud ?? null);
      } catch {
        sendHtml(
          res,
          400,
          messagePage("Invalid logout request", "id_token_hint is not a valid ID token."),
        );
        return;
      }
    }
    this.logout(req, res, clientId, q.get("post_logout_redirect_uri"), q.get("state"));
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

/** Standard claims of a user for the granted OIDC scopes. */
function profileClaims(user: Doc, scopes: string[]): Doc {
  const out: Doc = {};
  if (scopes.includes("profile")) {
    for (const k of ["name", "nickname", "picture", "given_name", "family_name", "updated_at"]) {
      const value = user[k];
      if (value !== undefined) out[k] = value;
    }
  }
  if (scopes.includes("email")) {
    out.email = user.email as string;
    out.email_verified = user.email_verified === true;
  }
  return out;
}

function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Equal URLs, ignoring a trailing slash on the path (Auth0 is lenient there too). */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

function withParams(base: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  return url.toString();
}
