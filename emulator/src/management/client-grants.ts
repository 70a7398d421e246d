/** Client grants: list by client_id/audience, get, create (409 on duplicates), patch, delete. */
import type { Doc } from "../collection";
import { badRequest, conflict, notFound } from "../errors";
import { applyPatch, clone, type Handler, paginate, randomId } from "./context";

// Recorded (go-auth0 TestClientGrantManager_Delete #4): Auth0's wording.
const missing = () => notFound("The grant does not exist.", "inexistent_client_grant");

export const listGrants: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const { client_id, audience } = ctx.query as { client_id?: string; audience?: string };
  let items: readonly Doc[];
  if (client_id !== undefined) {
    items = store.grants.pick(store.grants.lookup("client_id", client_id) ?? new Set());
    if (audience !== undefined) items = items.filter((g) => g.audience === audience);
  } else if (audience !== undefined) {
    items = store.grants.pick(store.grants.lookup("audience", audience) ?? new Set());
    items = items.filter((g) => g.audience === audience);
  } else {
    items = store.grants.all();
  }
  return {
    status: 200,
    body: paginate(items.map(clone), ctx.query, "client_grants", { checkpoint: true }),
  };
};

export const getGrant: Handler = (ctx) => {
  const grant = ctx.tenant.store.grants.get(ctx.params.id ?? "");
  if (!grant) throw missing();
  return { status: 200, body: clone(grant) };
};

/** The grant of a client on an audience, if any. */
export function findGrant(
  store: {
    grants: {
      lookup(p: string, v: string): ReadonlySet<string> | undefined;
      get(id: string): Doc | undefined;
    };
  },
  clientId: string,
  audience: string,
): Doc | undefined {
  for (const id of store.grants.lookup("client_id", clientId) ?? []) {
    const g = store.grants.get(id);
    if (g?.audience === audience) return g;
  }
  return undefined;
}

/**
 * Rule `client-grants.scopes-of-api`: a grant allows only scopes the resource server defines
 * ("Scopes allowed for this client grant"; `allow_all_scopes` is "all scopes configured on the
 * resource server"). Auth0 publishes no wording for the refusal; the message names the scopes.
 */
function checkScopesOfApi(api: Doc, scope: unknown): void {
  if (!Array.isArray(scope)) return;
  const defined = new Set(((api.scopes as Doc[] | undefined) ?? []).map((s) => s.value));
  const unknown = scope.filter((s) => !defined.has(s));
  if (unknown.length > 0)
    throw badRequest(
      `The following scopes are not defined by the resource server ${String(api.identifier)}: ${unknown.join(", ")}`,
    );
}

export const createGrant: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const body = ctx.body as { client_id?: string; audience: string; scope?: string[] };
  const clientId = body.client_id ?? "";
  if (!store.clients.get(clientId)) {
    throw notFound(`No client with id '${clientId}' was found`, "inexistent_client");
  }
  const api = ctx.tenant.resourceServerByIdentifier(body.audience);
  if (!api) {
    throw notFound(
      `No resource server with identifier ${body.audience}`,
      "inexistent_resource_server",
    );
  }
  checkScopesOfApi(api, body.scope);
  if (findGrant(store, clientId, body.audience)) {
    throw conflict(
      "A client grant for this client and audience already exists",
      "client_grant_conflict",
    );
  }
  const grant: Doc = {
    id: `cgr_${randomId(16)}`,
    client_id: clientId,
    audience: body.audience,
    scope: [],
    ...clone(ctx.body),
  };
  store.grants.put(grant);
  store.changed();
  return { status: 201, body: clone(grant) };
};

export const patchGrant: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const current = store.grants.get(ctx.params.id ?? "");
  if (!current) throw missing();
  // Rule `client-grants.scopes-of-api`: Auth0 accepts on PATCH scopes the API does not define
  // (recorded: TestClientGrantManager_Update #3), so only the create checks them.
  const next = applyPatch(current, ctx.body);
  store.grants.put(next);
  store.changed();
  return { status: 200, body: clone(next) };
};

/** Rule `deletes.gone-204`: deleting a grant that is gone answers 204, as recorded. */
export const deleteGrant: Handler = (ctx) => {
  const { store } = ctx.tenant;
  if (store.grants.delete(ctx.params.id ?? "")) store.changed();
  return { status: 204 };
};
