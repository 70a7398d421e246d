/** Clients (applications): list/search, get, create, patch, delete, rotate-secret. */
import type { Doc } from "../collection";
import { ApiError, badRequest, notFound } from "../errors";
import { usesPrivateKeyJwt } from "./client-authentication-methods";
import { listClientsByQuery } from "./client-search";
import {
  applyPatch,
  clone,
  type Handler,
  type HandlerContext,
  paginate,
  project,
  randomId,
} from "./context";
import { checkApplicationRoom } from "./entity-limits";
import { disableConnectionsForDeletedClient, enableConnectionsForNewClient } from "./tenant-config";

const missing = () => notFound("The client does not exist", "inexistent_client");

/**
 * What a client looks like to the caller: the secret only with `read:client_keys`, and never for
 * a Private Key JWT client (rule `clients.auth-methods.secret-hidden`).
 */
function present(
  ctx: HandlerContext,
  client: Doc,
  withSecret = ctx.scopes.has("read:client_keys"),
) {
  // Stored records are never changed in place (updates put new objects), so a shallow copy is
  // enough for a response that is serialized right away.
  const out = { ...client };
  if (!withSecret || usesPrivateKeyJwt(client)) delete out.client_secret;
  const shown = project(out, ctx.query);
  // Rule `clients.fields.tenant`: Auth0 answers `fields=client_id` with the tenant name beside it.
  if (typeof ctx.query.fields === "string" && ctx.query.include_fields !== false)
    return { tenant: client.tenant ?? ctx.tenant.name, ...shown };
  return shown;
}

export function newClientSecret(): string {
  return randomId(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

/** Auth0's refresh-token defaults; the `infinite_*` ones follow `expiration_type` (rule `clients.defaults`). */
function refreshTokenDefaults(sent: Doc | undefined): Doc {
  const expiring = sent?.expiration_type === "expiring";
  return {
    rotation_type: "non-rotating",
    expiration_type: "non-expiring",
    leeway: 0,
    token_lifetime: 2592000,
    infinite_token_lifetime: !expiring,
    idle_token_lifetime: 1296000,
    infinite_idle_token_lifetime: !expiring,
    ...clone(sent ?? {}),
  };
}

/**
 * What Auth0 fills in for a new client made through the API, before the caller's fields (rule
 * `clients.defaults`, from go-auth0's recorded answers): no empty lists, no `client_metadata`,
 * no `token_endpoint_auth_method` unless sent, `oidc_conformant` false, and a
 * `jwt_configuration` without `alg` unless sent (`lifetime_in_seconds` only when none is sent).
 */
export function buildClient(tenantName: string, body: Doc): Doc {
  const appType = (body.app_type as string | undefined) ?? undefined;
  // Public clients (`none`) are created without client_credentials (Auth0's grant types mapping).
  const grantTypes =
    appType === "non_interactive"
      ? ["client_credentials"]
      : body.token_endpoint_auth_method === "none"
        ? ["authorization_code", "implicit", "refresh_token"]
        : ["authorization_code", "implicit", "refresh_token", "client_credentials"];
  const sentJwt = body.jwt_configuration as Doc | undefined;
  const client: Doc = {
    tenant: tenantName,
    global: false,
    is_token_endpoint_ip_header_trusted: false,
    is_first_party: true,
    oidc_conformant: false,
    sso_disabled: false,
    cross_origin_authentication: false,
    custom_login_page_on: true,
    grant_types: grantTypes,
    ...clone(body),
    jwt_configuration: sentJwt
      ? { secret_encoded: false, ...clone(sentJwt) }
      : { secret_encoded: false, lifetime_in_seconds: 36000 },
    refresh_token: refreshTokenDefaults(body.refresh_token as Doc | undefined),
    client_id: randomId(32),
    client_secret: newClientSecret(),
  };
  return client;
}

export const listClients: Handler = (ctx) => {
  const { tenant, query } = ctx;
  if (typeof query.q === "string") {
    // Rules `clients.list.q-*`: only two queries, alone, with checkpoint paging, lagging writes.
    const page = listClientsByQuery(tenant, query.q, query);
    return { status: 200, body: mapPage(page, "clients", (c) => present(ctx, c)) };
  }
  let items: readonly Doc[] = tenant.store.clients.all();
  if (typeof query.app_type === "string") {
    const types = new Set(query.app_type.split(","));
    items = items.filter((c) => types.has(c.app_type as string));
  }
  if (typeof query.is_first_party === "boolean") {
    items = items.filter((c) => c.is_first_party === query.is_first_party);
  }
  if (typeof query.is_global === "boolean") {
    items = items.filter((c) => c.global === query.is_global);
  }
  const page = paginate(items, query, "clients", { checkpoint: true });
  return { status: 200, body: mapPage(page, "clients", (c) => present(ctx, c)) };
};

export const getClient: Handler = (ctx) => {
  const client = ctx.tenant.store.clients.get(ctx.params.id ?? "");
  if (!client) throw missing();
  return { status: 200, body: present(ctx, client) };
};

/**
 * Rule `clients.metadata`: Auth0 keeps `client_metadata` flat: at most 10 keys, string values of at most 255 characters
 * (the OpenAPI document only says "object"). `null` is allowed in a PATCH, to remove a key.
 */
function checkClientMetadata(metadata: unknown, patch: boolean): void {
  if (metadata === undefined) return;
  for (const [key, value] of Object.entries((metadata as Doc | null) ?? {})) {
    if (value === null && patch) continue;
    if (typeof value !== "string") {
      throw badRequest(
        `Payload validation error: 'Expected type string but found type ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value}' on property client_metadata.${key}.`,
      );
    }
    if (value.length > 255) {
      throw badRequest(
        `Payload validation error: 'String is too long (${value.length} chars), maximum 255' on property client_metadata.${key}.`,
      );
    }
  }
}

/**
 * Rule `token.auth-method.public-no-client-credentials`: "Public clients cannot utilize the
 * client_credentials grant type. To add this grant type to a Client using the Management API,
 * set the token_endpoint_auth_method to client_secret_post or client_secret_basic." Auth0's
 * wording of the refusal is not published.
 */
function checkPublicGrantTypes(client: Doc): void {
  const grants = (client.grant_types as string[] | undefined) ?? [];
  if (client.token_endpoint_auth_method === "none" && grants.includes("client_credentials"))
    throw badRequest(
      "A public client (token_endpoint_auth_method none) cannot have the client_credentials grant type: set token_endpoint_auth_method to client_secret_post or client_secret_basic.",
    );
}

export const createClient: Handler = (ctx) => {
  checkClientMetadata(ctx.body.client_metadata, false);
  checkApplicationRoom(ctx.tenant); // rule `entities.plan`
  const client = buildClient(ctx.tenant.name, ctx.body);
  checkPublicGrantTypes(client);
  ctx.tenant.store.clients.put(client);
  // Rule `clients.create.enable-client-connections`.
  enableConnectionsForNewClient(ctx.tenant, client.client_id as string);
  ctx.tenant.store.changed();
  // Rules `clients.defaults` and `writes.answer-record`: the create's answer is the client as a
  // read shows it, but without `tenant` or `global` (recorded raw in
  // TestClient_List #0); reads show them.
  const { tenant: _tenant, global: _global, ...made } = present(ctx, client, true);
  return { status: 201, body: made };
};

export const patchClient: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const current = store.clients.get(ctx.params.id ?? "");
  if (!current) throw missing();
  // Auth0: the secret can only be set with update:client_keys (update:clients is not enough).
  if (ctx.body.client_secret !== undefined && !ctx.scopes.has("update:client_keys")) {
    throw new ApiError(
      403,
      "Insufficient scope, expected any of: update:client_keys",
      "insufficient_scope",
    );
  }
  checkClientMetadata(ctx.body.client_metadata, true);
  // Rule `clients.patch.merge`: jwt_configuration is merged (Auth0 keeps the keys not sent).
  const next = applyPatch(current, ctx.body, ["client_metadata"]);
  if (ctx.body.jwt_configuration)
    next.jwt_configuration = {
      ...(current.jwt_configuration as Doc),
      ...clone(ctx.body.jwt_configuration as Doc),
    };
  checkPublicGrantTypes(next);
  if (Object.keys(next.client_metadata ?? {}).length > 10) {
    throw badRequest(
      "Payload validation error: 'Too many properties defined, maximum 10' on property client_metadata.",
    );
  }
  store.clients.put(next);
  store.changed();
  // Rule `writes.answer-record`: the answer is the client after the write, as a read shows it.
  return { status: 200, body: present(ctx, next) };
};

export const deleteClient: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const id = ctx.params.id ?? "";
  // Rule `deletes.gone-204`: deleting what is gone answers 204, as recorded.
  if (!store.clients.delete(id)) return { status: 204 };
  store.secretRotations.delete(id);
  const grants = store.grants.lookup("client_id", id);
  for (const g of [...(grants ?? [])]) store.grants.delete(g);
  for (const [token, rt] of store.refreshTokens)
    if (rt.client_id === id) store.refreshTokens.delete(token);
  disableConnectionsForDeletedClient(ctx.tenant, id); // rule clients.create.enable-client-connections
  store.changed();
  return { status: 204 };
};

export const rotateSecret: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const current = store.clients.get(ctx.params.id ?? "");
  if (!current) throw missing();
  const next = { ...clone(current), client_secret: newClientSecret() };
  // Rule `clients.rotate.delay`: the old secret stops at once; the new one works after the delay.
  if (store.rotationDelayMs > 0) {
    store.secretRotations.set(current.client_id as string, {
      effectiveAt: Date.now() + store.rotationDelayMs,
    });
  }
  store.clients.put(next);
  store.changed();
  return { status: 200, body: present(ctx, next, true) };
};

/** Applies `fn` to the records of a page, whichever envelope it has. */
export function mapPage(page: unknown, key: string, fn: (doc: Doc) => Doc): unknown {
  if (Array.isArray(page)) return page.map(fn);
  const envelope = page as Record<string, unknown>;
  return { ...envelope, [key]: (envelope[key] as Doc[]).map(fn) };
}
