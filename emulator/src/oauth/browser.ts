/**
 * What the browser sees: /authorize, the login page, the tenant's session cookie, and logout
 * (/v2/logout, /oidc/logout). Advertised over plain HTTP so that a newcomer's browser never
 * meets the local CA.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Doc } from "../collection";
import { ApiError } from "../errors";
import { readBody, redirect, sendHtml } from "../http";
import { loginPage, messagePage, signupPage } from "../login-page";
import { databaseConnectionsFor, databasePasswordPolicy } from "../management/tenant-config";
import { insertDatabaseUser } from "../management/users";
import { verifyPassword } from "../passwords";
import type { Tenant } from "../tenant";
import {
  CODE_TTL_MS,
  type FlowState,
  randomToken,
  type Session,
  sameUrl,
  TRANSACTION_TTL_MS,
  type Transaction,
  withParams,
} from "./shared";

const SIGNUP_DISABLED =
  "Sign ups are disabled for this application's database connection: ask an administrator for an account.";
/** What Universal Login accepts as an email address: something@something, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export class BrowserFlow {
  constructor(
    private readonly tenant: Tenant,
    private readonly flows: FlowState,
  ) {}

  authorize(req: IncomingMessage, res: ServerResponse, url: URL): void {
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
    this.flows.prune();
    this.flows.transactions.set(txId, tx);
    // `screen_hint=signup` opens the sign-up prompt (rule `signup.screen-hint`).
    const screen = q.get("screen_hint") === "signup" && this.signupAllowed(tx) ? "signup" : "login";
    this.prompt(res, 200, screen, txId, tx, { email: q.get("login_hint") ?? undefined });
  }

  /** `GET /u/login` and `GET /u/signup`: a prompt of a login in progress (links between them). */
  showPrompt(res: ServerResponse, screen: "login" | "signup", url: URL): void {
    const txId = url.searchParams.get("state") ?? "";
    const tx = this.liveTransaction(res, txId);
    if (!tx) return;
    if (screen === "signup" && !this.signupAllowed(tx)) {
      sendHtml(res, 403, messagePage("Sign up disabled", SIGNUP_DISABLED));
      return;
    }
    this.prompt(res, 200, screen, txId, tx, {});
  }

  private prompt(
    res: ServerResponse,
    status: number,
    screen: "login" | "signup",
    txId: string,
    tx: Transaction,
    extra: { email?: string | undefined; error?: string },
  ): void {
    const client = this.tenant.store.clients.get(tx.client_id);
    const opts = {
      tenant: this.tenant.name,
      appName: String(client?.name ?? ""),
      transaction: txId,
      ...(extra.email ? { email: extra.email } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    };
    sendHtml(
      res,
      status,
      screen === "signup"
        ? signupPage(opts)
        : loginPage({ ...opts, signUp: this.signupAllowed(tx) }),
    );
  }

  /**
   * Sign-up is offered only through a database connection enabled for the app whose
   * `options.disable_signup` is not true (rule `signup.disable-signup`).
   */
  private signupAllowed(tx: Transaction): boolean {
    return databaseConnectionsFor(this.tenant, tx.client_id).some(
      (c) => (c.options as Doc | undefined)?.disable_signup !== true,
    );
  }

  /** The transaction `txId` if it is still alive; otherwise answers "Login expired". */
  private liveTransaction(res: ServerResponse, txId: string): Transaction | undefined {
    const tx = this.flows.transactions.get(txId);
    if (tx && tx.expires_at >= Date.now()) return tx;
    sendHtml(
      res,
      400,
      messagePage(
        "Login expired",
        "This login has expired. Go back to the application and try again.",
      ),
    );
    return undefined;
  }

  /**
   * `POST /u/signup`: a new user of the app's database connection, with the password policy and
   * one-user-per-email checks of `POST /users`, logged in at once as Universal Login does (rule
   * `signup.same-checks-as-create`).
   */
  async signup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req, 16 * 1024)).toString("utf8"));
    const txId = form.get("state") ?? "";
    const tx = this.liveTransaction(res, txId);
    if (!tx) return;
    if (!this.signupAllowed(tx)) {
      sendHtml(res, 403, messagePage("Sign up disabled", SIGNUP_DISABLED));
      return;
    }
    const email = (form.get("email") ?? "").trim();
    const retry = (error: string) => this.prompt(res, 400, "signup", txId, tx, { email, error });
    if (!EMAIL.test(email)) {
      retry("Email is not valid.");
      return;
    }
    let user: Doc;
    try {
      user = await insertDatabaseUser(
        this.tenant.store,
        { email, password: form.get("password") ?? "" },
        databasePasswordPolicy(this.tenant),
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      retry(error.message.replace(/^PasswordStrengthError: /, ""));
      return;
    }
    this.startSession(res, txId, tx, user);
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
    // Rule `login.no-connection`: an app with no connection enabled cannot log anyone in.
    if (databaseConnectionsFor(this.tenant, client.client_id as string).length === 0) {
      return ["invalid_request", "no connections enabled for the client"];
    }
    const audience = q.get("audience");
    if (audience && !this.tenant.resourceServerByIdentifier(audience)) {
      return ["access_denied", `Service not found: ${audience}`];
    }
    return undefined;
  }

  async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req, 16 * 1024)).toString("utf8"));
    const txId = form.get("state") ?? "";
    const tx = this.liveTransaction(res, txId);
    if (!tx) return;
    const email = (form.get("username") ?? "").trim();
    const { store } = this.tenant;
    const user = store.users.pick(store.users.lookup("email", email) ?? new Set())[0];
    const ok =
      user &&
      (await verifyPassword(
        form.get("password") ?? "",
        store.passwords.get(user.user_id as string),
      ));
    if (!user || !ok || user.blocked === true) {
      const error =
        user?.blocked === true && ok ? "Your account has been blocked." : "Wrong email or password";
      this.prompt(res, 401, "login", txId, tx, { email, error });
      return;
    }
    this.startSession(res, txId, tx, user);
  }

  /** Ends the prompt: the user is logged in (a tenant session) and sent back with a code. */
  private startSession(res: ServerResponse, txId: string, tx: Transaction, user: Doc): void {
    const { store } = this.tenant;
    this.flows.transactions.delete(txId);
    const now = new Date().toISOString();
    store.users.put({ ...user, last_login: now, logins_count: Number(user.logins_count ?? 0) + 1 });
    store.changed();
    const sessionId = randomToken();
    const session = { user_id: user.user_id as string, auth_time: Math.floor(Date.now() / 1000) };
    this.flows.sessions.set(sessionId, session);
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
    this.flows.codes.set(code, {
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
      const session = this.flows.sessions.get(value);
      if (session && this.tenant.store.users.get(session.user_id)) return { id: value, session };
    }
    return undefined;
  }

  /** Ends the browser session; `returnTo` must be an allowed logout URL (client's or tenant's). */
  logout(
    req: IncomingMessage,
    res: ServerResponse,
    clientId: string | null,
    returnTo: string | null,
    state?: string | null,
  ): void {
    const session = this.currentSession(req);
    if (session) this.flows.sessions.delete(session.id);
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

  async oidcLogout(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
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
