/**
 * What auth0-deploy-cli reads and writes for the tenant settings Pulumi does not own (`tenants/`):
 * database connections (with their enabled clients), branding, email templates, and the empty
 * lists it asks for on the way (actions, custom domains). Paths, scopes and body schemas come from
 * the OpenAPI document through the router; these handlers only keep the state.
 *
 * State lives in `store.sections` (one JSON section per kind), persisted and reset with the rest
 * of the tenant. A new tenant starts with Auth0's default database connection.
 */
import type { Doc, Json } from "../collection";
import { ApiError } from "../errors";
import type { PasswordPolicy } from "../passwords";
import type { Tenant } from "../tenant";
import {
  applyPatch,
  clone,
  type Handler,
  mergeMetadata,
  paginate,
  project,
  randomId,
} from "./context";

export const DEFAULT_DATABASE = "Username-Password-Authentication";

interface Sections {
  connections: Doc[];
  branding: Doc;
  emailTemplates: Record<string, Doc>;
}

/** This tenant's sections, made on first use (with the default database connection). */
function sections(tenant: Tenant): Sections {
  const s = tenant.store.sections as unknown as Partial<Sections>;
  if (!s.connections) {
    s.connections = [defaultDatabase()];
    tenant.store.changed();
  }
  s.branding ??= {};
  s.emailTemplates ??= {};
  return s as Sections;
}

function defaultDatabase(): Doc {
  return {
    id: `con_${randomId(16)}`,
    name: DEFAULT_DATABASE,
    display_name: DEFAULT_DATABASE,
    strategy: "auth0",
    is_domain_connection: false,
    realms: [DEFAULT_DATABASE],
    enabled_clients: [],
    options: databaseOptions(),
  };
}

/**
 * The options Auth0 gives a new database connection (rule `connections.database-defaults`,
 * recorded in TestConnectionManager_EnabledClients #1), under the ones sent.
 */
function databaseOptions(sent: Doc = {}): Doc {
  return {
    mfa: { active: true, return_enroll_settings: true },
    passwordPolicy: "good",
    strategy_version: 2,
    authentication_methods: { password: { enabled: true }, passkey: { enabled: false } },
    passkey_options: {
      challenge_ui: "both",
      progressive_enrollment_enabled: true,
      local_enrollment_enabled: true,
    },
    brute_force_protection: true,
    ...clone(sent),
  };
}

function saved(tenant: Tenant): void {
  tenant.store.changed();
}

/**
 * The tenant's database connections (strategy `auth0`) enabled for `clientId`: the only ones
 * Universal Login offers that application, for log-in and sign-up alike (rules
 * `login.no-connection`, `signup.*`).
 */
export function databaseConnectionsFor(tenant: Tenant, clientId: string): Doc[] {
  return sections(tenant).connections.filter(
    (c) =>
      c.strategy === "auth0" &&
      ((c.enabled_clients as string[] | undefined) ?? []).includes(clientId),
  );
}

/** The password policy of the tenant's database connection (rule `users.password-policy`). */
export function databasePasswordPolicy(tenant: Tenant): PasswordPolicy {
  const db = sections(tenant).connections.find(
    (c) => c.strategy === "auth0" && c.name === DEFAULT_DATABASE,
  );
  return ((db?.options as Doc | undefined)?.passwordPolicy as PasswordPolicy | undefined) ?? "good";
}

/**
 * A new application gets every current connection unless the tenant's
 * `flags.enable_client_connections` is false (rule `clients.create.enable-client-connections`;
 * Auth0's default is true; tenants/tenant.yaml turns it off, so production apps get only the
 * connection Pulumi links).
 */
export function enableConnectionsForNewClient(tenant: Tenant, clientId: string): void {
  const flags = (tenant.settings().flags as Doc | undefined) ?? {};
  if (flags.enable_client_connections === false) return;
  for (const connection of sections(tenant).connections) {
    const enabled = (connection.enabled_clients as string[] | undefined) ?? [];
    if (!enabled.includes(clientId)) connection.enabled_clients = [...enabled, clientId];
  }
}

/** A deleted application leaves every connection's enabled clients, as on Auth0. */
export function disableConnectionsForDeletedClient(tenant: Tenant, clientId: string): void {
  for (const connection of sections(tenant).connections) {
    const enabled = (connection.enabled_clients as string[] | undefined) ?? [];
    if (enabled.includes(clientId))
      connection.enabled_clients = enabled.filter((id) => id !== clientId);
  }
}

/** A connection as the API returns it (enabled clients have their own endpoint). */
function shown(connection: Doc): Doc {
  const { enabled_clients: _hidden, ...rest } = connection;
  return clone(rest);
}

function findConnection(tenant: Tenant, id: string): Doc {
  const found = sections(tenant).connections.find((c) => c.id === id);
  if (!found) throw new ApiError(404, "The connection does not exist", "inexistent_connection");
  return found;
}

const listConnections: Handler = (ctx) => {
  const strategies =
    ctx.query.strategy === undefined ? [] : ([] as unknown[]).concat(ctx.query.strategy);
  const items = sections(ctx.tenant)
    .connections.filter((c) => strategies.length === 0 || strategies.includes(c.strategy))
    .filter((c) => ctx.query.name === undefined || c.name === ctx.query.name)
    .map((c) => project(shown(c), ctx.query));
  return { status: 200, body: paginate(items, ctx.query, "connections", { checkpoint: true }) };
};

const getConnection: Handler = (ctx) => ({
  status: 200,
  body: project(shown(findConnection(ctx.tenant, ctx.params.id as string)), ctx.query),
});

const createConnection: Handler = (ctx) => {
  const all = sections(ctx.tenant).connections;
  if (all.some((c) => c.name === ctx.body.name)) {
    throw new ApiError(
      409,
      "A connection with the same name already exists",
      "connection_conflict",
    );
  }
  const sentOptions = (ctx.body.options as Doc | undefined) ?? {};
  const connection: Doc = {
    is_domain_connection: false,
    realms: [ctx.body.name as Json],
    ...clone(ctx.body),
    options: ctx.body.strategy === "auth0" ? databaseOptions(sentOptions) : clone(sentOptions),
    id: `con_${randomId(16)}`,
    enabled_clients: (ctx.body.enabled_clients as Json) ?? [],
  };
  all.push(connection);
  saved(ctx.tenant);
  // Recorded (TestConnectionManager_EnabledClients #1): the create's answer lists enabled_clients.
  return { status: 201, body: clone(connection) };
};

/** Recorded (TestConnectionManager_EnabledClients #6): 202 with the deletion time. */
const deleteConnection: Handler = (ctx) => {
  const all = sections(ctx.tenant).connections;
  const current = findConnection(ctx.tenant, ctx.params.id as string);
  all.splice(all.indexOf(current), 1);
  saved(ctx.tenant);
  return { status: 202, body: { deleted_at: new Date().toISOString() } };
};

/** The connections enabled for a client (`GET /clients/{id}/connections`, checkpoint paging). */
const clientConnections: Handler = (ctx) => {
  const clientId = ctx.params.id as string;
  if (!ctx.tenant.store.clients.get(clientId))
    throw new ApiError(404, "The client does not exist", "inexistent_client");
  const strategies =
    ctx.query.strategy === undefined ? [] : ([] as unknown[]).concat(ctx.query.strategy);
  const items = sections(ctx.tenant)
    .connections.filter((c) => ((c.enabled_clients as string[]) ?? []).includes(clientId))
    .filter((c) => strategies.length === 0 || strategies.includes(c.strategy))
    .map((c) => project(shown(c), ctx.query));
  const page = paginate(items, { ...ctx.query, from: ctx.query.from ?? "0" }, "connections", {
    checkpoint: true,
  });
  return { status: 200, body: page };
};

/** As in Auth0, a PATCH replaces each given top-level key (`options` as a whole). */
const patchConnection: Handler = (ctx) => {
  const all = sections(ctx.tenant).connections;
  const current = findConnection(ctx.tenant, ctx.params.id as string);
  const next = applyPatch(current, ctx.body);
  all[all.indexOf(current)] = next;
  saved(ctx.tenant);
  return { status: 200, body: shown(next) };
};

const connectionClients: Handler = (ctx) => {
  const ids =
    (findConnection(ctx.tenant, ctx.params.id as string).enabled_clients as string[]) ?? [];
  const page = paginate(
    ids.map((client_id) => ({ client_id })),
    { ...ctx.query, from: ctx.query.from ?? "0" },
    "clients",
    { checkpoint: true },
  );
  return { status: 200, body: page };
};

/** `[{client_id, status: true|false}]`: enables or disables each client on the connection. */
const patchConnectionClients: Handler = (ctx) => {
  const connection = findConnection(ctx.tenant, ctx.params.id as string);
  const enabled = new Set((connection.enabled_clients as string[]) ?? []);
  for (const change of ctx.body as unknown as Array<{ client_id: string; status: boolean }>) {
    if (change.status) enabled.add(change.client_id);
    else enabled.delete(change.client_id);
  }
  connection.enabled_clients = [...enabled];
  saved(ctx.tenant);
  return { status: 204 };
};

/** Actions are not emulated: the list is empty (what a tenant without actions answers). */
const listActions: Handler = (ctx) => ({
  status: 200,
  body: {
    actions: [],
    total: 0,
    page: (ctx.query.page as number) ?? 0,
    per_page: (ctx.query.per_page as number) ?? 20,
  },
});

/** Custom domains are not emulated: none. */
const listCustomDomains: Handler = () => ({ status: 200, body: [] });

const getBranding: Handler = (ctx) => ({ status: 200, body: clone(sections(ctx.tenant).branding) });

/** Given keys replace; `colors` and `font` merge key by key; `null` removes. */
const patchBranding: Handler = (ctx) => {
  const s = sections(ctx.tenant);
  s.branding = applyPatch(s.branding, ctx.body, ["colors", "font"]);
  saved(ctx.tenant);
  return { status: 200, body: clone(s.branding) };
};

function template(ctx: Parameters<Handler>[0]): { name: string; found?: Doc } {
  const name = ctx.params.templateName as string;
  return { name, found: sections(ctx.tenant).emailTemplates[name] };
}

const getTemplate: Handler = (ctx) => {
  const { found } = template(ctx);
  if (!found) throw new ApiError(404, "Template not found", "inexistent_email_template");
  return { status: 200, body: clone(found) };
};

const createTemplate: Handler = (ctx) => {
  const all = sections(ctx.tenant).emailTemplates;
  const name = ctx.body.template as string;
  if (all[name]) throw new ApiError(409, "Template already exists", "email_template_conflict");
  all[name] = clone(ctx.body);
  saved(ctx.tenant);
  return { status: 200, body: clone(all[name]) };
};

const patchTemplate: Handler = (ctx) => {
  const { name, found } = template(ctx);
  if (!found) throw new ApiError(404, "Template not found", "inexistent_email_template");
  const next = mergeMetadata(found, ctx.body);
  next.template = name;
  sections(ctx.tenant).emailTemplates[name] = next;
  saved(ctx.tenant);
  return { status: 200, body: clone(next) };
};

/** PUT sets the whole template, creating it if needed. */
const putTemplate: Handler = (ctx) => {
  const { name } = template(ctx);
  const next: Doc = { ...clone(ctx.body), template: name };
  sections(ctx.tenant).emailTemplates[name] = next;
  saved(ctx.tenant);
  return { status: 200, body: clone(next) };
};

/** operationId (OpenAPI) → handler, mounted by the router with the others. */
export const TENANT_CONFIG_HANDLERS: Record<string, Handler> = {
  get_connections: listConnections,
  post_connections: createConnection,
  get_connections_by_id: getConnection,
  patch_connections_by_id: patchConnection,
  get_connection_clients: connectionClients,
  delete_connections_by_id: deleteConnection,
  get_client_connections: clientConnections,
  patch_clients: patchConnectionClients,
  get_actions: listActions,
  "get_custom-domains": listCustomDomains,
  get_branding: getBranding,
  patch_branding: patchBranding,
  "get_email-templates_by_templateName": getTemplate,
  "post_email-templates": createTemplate,
  "patch_email-templates_by_templateName": patchTemplate,
  "put_email-templates_by_templateName": putTemplate,
};
