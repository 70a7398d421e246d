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
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Doc } from "../collection";
import { sendJson } from "../errors";
import type { Tenant } from "../tenant";
import { BrowserFlow } from "./browser";
import { FlowState } from "./shared";
import { TokenEndpoint } from "./token-endpoint";

export type { TokenResponse } from "./shared";

export class OAuthEndpoints {
  private readonly flows = new FlowState();
  private readonly tokens: TokenEndpoint;
  private readonly browser: BrowserFlow;

  constructor(private readonly tenant: Tenant) {
    this.tokens = new TokenEndpoint(tenant, this.flows);
    this.browser = new BrowserFlow(tenant, this.flows);
  }

  /** Forgets in-memory flow state (logins in progress, codes, browser sessions). */
  reset(): void {
    this.flows.clear();
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
        sendJson(res, 200, await this.tokens.token(req));
        return true;
      case "POST /oauth/revoke":
        await this.tokens.revoke(req);
        res.writeHead(200, { "content-length": 0 });
        res.end();
        return true;
      case "GET /authorize":
        this.browser.authorize(req, res, url);
        return true;
      case "POST /u/login":
        await this.browser.login(req, res);
        return true;
      case "GET /u/login":
        this.browser.showPrompt(res, "login", url);
        return true;
      case "GET /u/signup":
        this.browser.showPrompt(res, "signup", url);
        return true;
      case "POST /u/signup":
        await this.browser.signup(req, res);
        return true;
      case "GET /userinfo":
      case "POST /userinfo":
        sendJson(res, 200, await this.tokens.userinfo(req));
        return true;
      case "GET /v2/logout":
        this.browser.logout(
          req,
          res,
          url.searchParams.get("client_id"),
          url.searchParams.get("returnTo"),
        );
        return true;
      case "GET /oidc/logout":
        await this.browser.oidcLogout(req, res, url);
        return true;
      default:
        return false;
    }
  }

  discovery(): Doc {
    const { issuer, baseUrl, browserUrl } = this.tenant;
    // Browser-facing endpoints over plain HTTP (no certificate warning), the rest over HTTPS.
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
      token_endpoint_auth_methods_supported: [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
      ],
      token_endpoint_auth_signing_alg_values_supported: ["RS256", "RS384", "PS256"],
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
}
