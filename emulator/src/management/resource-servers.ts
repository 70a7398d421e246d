/** Resource servers (APIs): list, get (by id or identifier), create, patch, delete. */
import type { Doc } from "../collection";
import { badRequest, conflict, notFound } from "../errors";
import { applyPatch, clone, type Handler, paginate, project, randomHex } from "./context";
import { checkResourceServerRoom, checkScopeCount } from "./entity-limits";

const missing = () => notFound("The resource server does not exist", "inexistent_resource_server");

/**
 * What Auth0 fills in for a new API (rule `resource-servers.defaults`, from go-auth0's recorded
 * answers): no `token_dialect`, `enforce_policies` or `is_system` unless sent (system APIs carry
 * `is_system: true`), a web token lifetime of 7200 s.
 */
export function buildResourceServer(body: Doc, extra: Doc = {}): Doc {
  return {
    id: randomHex(24),
    name: body.identifier as string,
    signing_alg: "RS256",
    token_lifetime: 86400,
    token_lifetime_for_web: 7200,
    allow_offline_access: false,
    skip_consent_for_verifiable_first_party_clients: false,
    scopes: [],
    ...clone(body),
    ...extra,
  };
}

/**
 * An API as Auth0 answers it: a token-encryption key's `pem` is not shown back (rule
 * `resource-servers.defaults`, recorded in TestResourceServer_Create #0).
 */
function shown(rs: Doc): Doc {
  const out = clone(rs);
  const key = (out.token_encryption as Doc | undefined)?.encryption_key as Doc | undefined;
  if (key) delete key.pem;
  return out;
}

export const listResourceServers: Handler = (ctx) => {
  let items: readonly Doc[] = ctx.tenant.store.resourceServers.all();
  const identifiers = ctx.query.identifiers as string[] | undefined;
  if (identifiers) items = items.filter((r) => identifiers.includes(r.identifier as string));
  const page = paginate(
    items.map((r) => project(shown(r), ctx.query)),
    ctx.query,
    "resource_servers",
  );
  return { status: 200, body: page };
};

export const getResourceServer: Handler = (ctx) => {
  const rs = ctx.tenant.resourceServerByIdOrIdentifier(ctx.params.id ?? "");
  if (!rs) throw missing();
  return { status: 200, body: shown(rs) };
};

export const createResourceServer: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const identifier = ctx.body.identifier as string;
  if (ctx.tenant.resourceServerByIdentifier(identifier)) {
    throw conflict("A resource server with the same identifier already exists", "conflict");
  }
  // Rules `entities.scopes-per-api` and `entities.plan` (entity-limits.ts).
  checkScopeCount(ctx.body);
  checkResourceServerRoom(ctx.tenant);
  const rs = buildResourceServer(ctx.body);
  store.resourceServers.put(rs);
  store.changed();
  return { status: 201, body: shown(rs) };
};

export const patchResourceServer: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const current = ctx.tenant.resourceServerByIdOrIdentifier(ctx.params.id ?? "");
  if (!current) throw missing();
  if (current.is_system)
    throw badRequest("You cannot update a system resource server", "operation_not_supported");
  checkScopeCount(ctx.body);
  const next = applyPatch(current, ctx.body);
  store.resourceServers.put(next);
  store.changed();
  // Rule `resource-servers.patch-200`: Auth0's document says 201, its recorded answer is 200.
  return { status: 200, body: shown(next) };
};

export const deleteResourceServer: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const current = ctx.tenant.resourceServerByIdOrIdentifier(ctx.params.id ?? "");
  // Rule `deletes.gone-204`: deleting what is gone answers 204, as recorded.
  if (!current) return { status: 204 };
  if (current.is_system)
    throw badRequest("You cannot delete a system resource server", "operation_not_supported");
  store.resourceServers.delete(current.id as string);
  store.changed();
  return { status: 204 };
};
