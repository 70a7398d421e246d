/**
 * One local Auth0 tenant: its state, signing key, Management API and OAuth endpoints, and the
 * run-time control switches. The HTTP listener (server.ts) hands every request to `handle`.
 */
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { JWK } from "jose";
import type { Doc } from "./collection";
import type { ConformanceRecorder } from "./conformance/record";
import { RATE_LIMIT_PROFILES, type RateLimitProfileName, TenantControl } from "./control";
import { ApiError, OAuthError, sendError, sendJson } from "./errors";
import { SigningKey } from "./keys";
import { findGrant } from "./management/client-grants";
import { buildClient } from "./management/clients";
import { randomId } from "./management/context";
import type { EntityPlanName } from "./management/entity-limits";
import { buildResourceServer } from "./management/resource-servers";
import { API_PREFIX, BODY_KEYS, ManagementRouter } from "./management/router";
import { enableConnectionsForNewClient } from "./management/tenant-config";
import { defaultSettings } from "./management/tenant-settings";
import { OAuthEndpoints } from "./oauth/index";
import type { OpenApi } from "./openapi";
import { type Auth0Plan, PLANS } from "./plans";
import { TenantStore } from "./store";

/** Where a tenant can be reached. */
export interface TenantHandle {
  name: string;
  /** `localhost:PORT`, what Auth0 SDKs call the domain (a host alone on port 443, as Auth0's). */
  domain: string;
  /** `https://localhost:PORT` */
  baseUrl: string;
  /** `https://localhost:PORT/` (Auth0 issuers end with a slash). */
  issuer: string;
  /** This tenant's state folder (holds `bootstrap.json`). */
  stateDir: string;
}

/** The documented one-time bootstrap: an M2M client with every Management API scope. */
export interface BootstrapCredentials {
  clientId: string;
  clientSecret: string;
  audience: string;
}
export const BOOTSTRAP_FILE = "bootstrap.json";

/**
 * How long a write takes to reach Auth0's searches, by default (rule `consistency.search-lag`).
 * Auth0 gives no figure ("results may not reflect recent updates immediately"); one second is
 * long enough that a read-your-writes bug fails a test and short enough to keep tests fast.
 */
export const DEFAULT_SEARCH_LAG_MS = 1000;

/**
 * How long a rotated client secret takes to work, by default (rule `clients.rotate.delay`;
 * Auth0: "up to thirty seconds"). Short, so tests stay fast, but never zero.
 */
export const DEFAULT_ROTATION_DELAY_MS = 1000;

export interface TenantOptions {
  /** How long a rotated secret takes to work, in ms (default `DEFAULT_ROTATION_DELAY_MS`). */
  rotationDelayMs?: number;
  /** How long writes take to reach searches, in ms (default `DEFAULT_SEARCH_LAG_MS`; 0: at once). */
  searchLagMs?: number;
  /** Auth0 rate-limit configuration of the Management API (default `test`; `npm run dev`: free). */
  rateLimitProfile?: RateLimitProfileName;
  /** Auth0 entity limits by plan (default `unlimited`, or the plan's; `npm run dev`: the plan's). */
  entityPlan?: EntityPlanName;
  /**
   * The tenant's Auth0 plan (emulator/src/plans.ts): its features, and the defaults of
   * `rateLimitProfile` and `entityPlan`. Absent: Enterprise features with the `test` rate limits
   * and no entity limits (tests).
   */
  plan?: Auth0Plan;
}
export const BOOTSTRAP_CLIENT_NAME = "API Explorer Application";

/**
 * Management API scopes Auth0 defines (and grants its dashboard-made "API Explorer" clients) that
 * no operation in the vendored document requires: the full scope list of a real tenant's
 * Management API, as `auth0 tf generate` exports such a grant, holds `read:`, `create:`,
 * `update:`, `delete:users_app_metadata` and `read:`, `create:`, `update:`, `delete:client_keys`.
 */
const MANAGEMENT_SCOPES_BEYOND_DOCUMENT = [
  "read:users_app_metadata",
  "create:users_app_metadata",
  "update:users_app_metadata",
  "delete:users_app_metadata",
  "read:client_keys",
  "create:client_keys",
  "update:client_keys",
  "delete:client_keys",
];

export class Tenant implements TenantHandle {
  readonly store: TenantStore;
  readonly control = new TenantControl();
  readonly router: ManagementRouter;
  readonly oauth: OAuthEndpoints;
  domain = "";
  baseUrl = "";
  issuer = "";
  /** `http://HOST:PORT`: the browser-facing endpoints, over plain HTTP on the same port. */
  browserUrl = "";
  private signingKey: SigningKey | undefined;
  /** The Auth0 plan whose features the tenant has (rule `plans.private-key-jwt`). */
  plan: Auth0Plan = "enterprise";

  constructor(
    readonly name: string,
    readonly stateDir: string,
    readonly openApi: OpenApi,
    opts: TenantOptions = {},
  ) {
    this.store = new TenantStore(stateDir, undefined, opts.searchLagMs ?? DEFAULT_SEARCH_LAG_MS);
    this.control.setProfile(RATE_LIMIT_PROFILES.test);
    this.store.entityPlan = "unlimited";
    if (opts.plan) this.setPlan(opts.plan);
    if (opts.rateLimitProfile) this.control.setProfile(RATE_LIMIT_PROFILES[opts.rateLimitProfile]);
    if (opts.entityPlan) this.store.entityPlan = opts.entityPlan;
    this.store.rotationDelayMs = opts.rotationDelayMs ?? DEFAULT_ROTATION_DELAY_MS;
    this.router = new ManagementRouter(openApi.operations);
    this.oauth = new OAuthEndpoints(this);
  }

  /** Takes an Auth0 plan: its features, rate limits and entity limits (rule `plans.limits`). */
  setPlan(name: Auth0Plan): void {
    const plan = PLANS[name];
    this.plan = name;
    this.control.setProfile(RATE_LIMIT_PROFILES[plan.rateLimitProfile]);
    this.store.entityPlan = plan.entityPlan;
  }

  get managementAudience(): string {
    return `${this.issuer}api/v2/`;
  }

  /**
   * Every scope the Management API knows: the OpenAPI document's, and the few real tenants'
   * Management API also defines that no operation of the document names (rule
   * `client-grants.scopes-of-api` makes a grant of them fail otherwise).
   */
  get managementScopes(): string[] {
    const scopes = new Set<string>(MANAGEMENT_SCOPES_BEYOND_DOCUMENT);
    for (const op of this.openApi.operations.values()) for (const s of op.scopes) scopes.add(s);
    return [...scopes].sort();
  }

  keys(): SigningKey {
    if (!this.signingKey) throw new ApiError(503, "Tenant is starting", "not_ready");
    return this.signingKey;
  }

  settings(): Doc {
    return { ...defaultSettings(this.name), ...this.store.settings };
  }

  /**
   * Called once the port is known: fixes the domain and makes the tenant's built-in records.
   * `host` is the name clients reach the tenant by (it must resolve to loopback and be covered by
   * the local CA's server certificate). On port 443 the domain is the host alone, like an Auth0
   * tenant's (`@auth0/nextjs-auth0` refuses a domain with a port outside development).
   */
  async bind(port: number, host = "localhost"): Promise<void> {
    this.domain = port === 443 ? host : `${host}:${port}`;
    this.browserUrl = `http://${host}:${port}`;
    this.baseUrl = `https://${this.domain}`;
    this.issuer = `${this.baseUrl}/`;
    await this.initialize();
  }

  private async initialize(): Promise<void> {
    const { store } = this;
    const loaded = await SigningKey.load(store.signingKey as JWK | undefined);
    this.signingKey = loaded.key;
    if (!store.signingKey) {
      store.signingKey = loaded.jwk as Doc;
      store.changed();
    }
    this.moveToDomain();
    this.ensureManagementApi();
    this.ensureBootstrap();
    store.flush();
  }

  /** State made on another port: point the Management API's audience at this one. */
  private moveToDomain(): void {
    const { store } = this;
    const previous = store.domain;
    if (previous && previous !== this.domain) {
      const oldAudience = `https://${previous}/api/v2/`;
      for (const g of [...store.grants.all()]) {
        if (g.audience === oldAudience)
          store.grants.put({ ...g, audience: this.managementAudience });
      }
      for (const r of [...store.resourceServers.all()]) {
        if (r.identifier === oldAudience)
          store.resourceServers.put({ ...r, identifier: this.managementAudience });
      }
    }
    if (previous !== this.domain) {
      store.domain = this.domain;
      store.changed();
    }
  }

  private ensureManagementApi(): void {
    const existing = this.resourceServerByIdentifier(this.managementAudience);
    const scopes = this.managementScopes.map((value) => ({ value, description: value }));
    if (existing && (existing.scopes as unknown[]).length === scopes.length) return;
    this.store.resourceServers.put(
      buildResourceServer(
        { identifier: this.managementAudience, name: "Auth0 Management API" },
        {
          ...(existing ? { id: existing.id } : {}),
          is_system: true,
          scopes,
          token_lifetime: 86400,
        },
      ),
    );
    this.store.changed();
  }

  /**
   * The one-time bootstrap a platform engineer does in a real tenant (Auth0's dashboard makes an
   * "API Explorer Application" with every Management API scope). Its credentials are written to
   * `<state dir>/bootstrap.json` (mode 0600); seeding and tools start from there.
   */
  private ensureBootstrap(): void {
    const { store } = this;
    let client = store.clients
      .all()
      .find((c) => (c.client_metadata as Doc | undefined)?.emulator === "bootstrap");
    if (!client) {
      client = buildClient(this.name, {
        name: BOOTSTRAP_CLIENT_NAME,
        app_type: "non_interactive",
        grant_types: ["client_credentials"],
        client_metadata: { emulator: "bootstrap" },
      });
      store.clients.put(client);
      // Made like an app in a new tenant's dashboard: with the tenant's connections (rule
      // `clients.create.enable-client-connections`), so it can create the first users.
      enableConnectionsForNewClient(this, client.client_id as string);
      store.changed();
    }
    const clientId = client.client_id as string;
    const grant = findGrant(store, clientId, this.managementAudience);
    const scope = this.managementScopes;
    if (!grant || (grant.scope as string[]).length !== scope.length) {
      store.grants.put({
        id: (grant?.id as string | undefined) ?? `cgr_${randomId(16)}`,
        client_id: clientId,
        audience: this.managementAudience,
        scope,
        allow_any_organization: false,
        is_system: false,
        subject_type: "client",
      });
      store.changed();
    }
    const credentials: BootstrapCredentials = {
      clientId,
      clientSecret: client.client_secret as string,
      audience: this.managementAudience,
    };
    writeFileSync(
      path.join(this.stateDir, BOOTSTRAP_FILE),
      `${JSON.stringify(credentials, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
  }

  resourceServerByIdentifier(identifier: string): Doc | undefined {
    const ids = this.store.resourceServers.lookup("identifier", identifier);
    for (const id of ids ?? []) {
      const rs = this.store.resourceServers.get(id);
      if (rs?.identifier === identifier) return rs;
    }
    return undefined;
  }

  resourceServerByIdOrIdentifier(idOrIdentifier: string): Doc | undefined {
    return (
      this.store.resourceServers.get(idOrIdentifier) ??
      this.resourceServerByIdentifier(idOrIdentifier)
    );
  }

  /** Clears all state (and the signing key), then rebuilds the built-in records. */
  async reset(): Promise<void> {
    this.store.reset();
    this.control.clear();
    this.oauth.reset();
    await this.initialize();
  }

  /** Set by test support when the conformance check records this tenant's requests. */
  recorder: ConformanceRecorder | undefined;

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (process.env.ASTRAL_EMULATOR_LOG) {
      // Debug aid: one line per request (path without query: it may carry a code or a token).
      res.on("finish", () =>
        console.log(
          `[${this.name}] ${req.method} ${(req.url ?? "").split("?")[0]} ${res.statusCode}`,
        ),
      );
    }
    let url: URL | undefined;
    try {
      url = parseTarget(req.url, this.baseUrl);
      const method = req.method ?? "GET";
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      const management = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
      if (management && this.recorder) this.recordOnFinish(req, res, url, method);
      if (management && !secure) {
        throw new ApiError(403, "The Management API is only served over HTTPS", "https_required");
      }
      if (management || (OAUTH_API_PATHS.has(url.pathname) && this.control.limitsAuthentication)) {
        const limit = this.control.takeRateLimit(!management);
        for (const [k, v] of Object.entries(limit.headers)) res.setHeader(k, v);
        if (limit.error) throw limit.error;
      }
      await this.control.applyFaults(method, url.pathname);
      if (management) {
        const result = await this.router.handle(this, req, url);
        if (result.status === 204) {
          res.writeHead(204);
          res.end();
        } else {
          sendJson(res, result.status, result.body);
        }
        return;
      }
      if (await this.oauth.handle(req, res, url)) return;
      throw new ApiError(404, "Not Found", "not_found");
    } catch (err) {
      // The Authentication API answers in OAuth's shape, limits and faults included.
      if (err instanceof ApiError && url && OAUTH_API_PATHS.has(url.pathname)) {
        for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        sendError(res, new OAuthError(err.statusCode, err.errorCode, err.message));
        return;
      }
      if (err instanceof ApiError) ERROR_CODES.set(res, err.errorCode);
      sendError(res, err);
    }
  }

  /** One conformance record per Management API request, written once the answer is sent. */
  private recordOnFinish(req: IncomingMessage, res: ServerResponse, url: URL, method: string) {
    const recorder = this.recorder;
    res.on("finish", () => {
      const path = url.pathname.slice(API_PREFIX.length) || "/";
      const query: Record<string, string[]> = {};
      for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
      recorder?.record({
        tenant: this.name,
        method,
        path,
        operationId: this.router.operationFor(method, path)?.operationId ?? null,
        query,
        bodyKeys: BODY_KEYS.get(req) ?? [],
        status: res.statusCode,
        ...(ERROR_CODES.has(res) ? { errorCode: ERROR_CODES.get(res) } : {}),
      });
    });
  }
}

/** errorCode of each error answer, for the conformance record. */
const ERROR_CODES = new WeakMap<ServerResponse, string>();

/** Endpoints servers call (OAuth's error shape), as opposed to pages and the Management API. */
const OAUTH_API_PATHS = new Set(["/oauth/token", "/oauth/revoke", "/userinfo"]);

/** The request target as a URL; a target that is not one is a 400, not a crash. */
function parseTarget(target: string | undefined, base: string): URL {
  try {
    return new URL(target ?? "/", base || "https://localhost");
  } catch {
    throw new ApiError(400, "Bad request target", "invalid_uri");
  }
}
