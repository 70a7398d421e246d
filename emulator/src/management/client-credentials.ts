/**
 * A client's credentials: `GET`/`POST /clients/{client_id}/credentials`, `GET`/`PATCH`/`DELETE`
 * `/clients/{client_id}/credentials/{credential_id}` (rule `clients.credentials.endpoints`). The
 * answers have the shapes go-auth0's recordings of a real tenant show. A credential made here is
 * used for Private Key JWT only once the client's `client_authentication_methods` names it.
 */
import type { Doc } from "../collection";
import { badRequest, notFound } from "../errors";
import {
  buildCredential,
  checkDistinct,
  credentialsSection,
  futureDate,
  MAX_CREDENTIALS,
  privateKeyJwtCredentials,
  type StoredCredential,
} from "./client-authentication-methods";
import type { Handler, HandlerContext } from "./context";
import { now } from "./context";

function clientOf(ctx: HandlerContext): Doc {
  const client = ctx.tenant.store.clients.get(ctx.params.client_id ?? "");
  if (!client) throw notFound("The client does not exist", "inexistent_client");
  return client;
}

function credentialsOf(ctx: HandlerContext, clientId: string): StoredCredential[] {
  return Object.values(credentialsSection(ctx.tenant))
    .filter((c) => c.client_id === clientId)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** A credential as Auth0 answers it: without the key or the client, `expires_at` null if none. */
function shown(c: StoredCredential): Doc {
  const { client_id: _client, pem: _pem, expires_at, ...rest } = c;
  return { ...rest, expires_at: expires_at ?? null };
}

export const listCredentials: Handler = (ctx) => {
  const client = clientOf(ctx);
  // Recorded (TestClient_ListCredentials #2): a plain array, without paging.
  return {
    status: 200,
    body: credentialsOf(ctx, client.client_id as string).map(shown),
  };
};

export const createCredential: Handler = (ctx) => {
  const client = clientOf(ctx);
  const clientId = client.client_id as string;
  if (ctx.body.credential_type !== "public_key")
    throw badRequest(
      "The local tenants make public_key credentials only (mTLS credentials are not emulated).",
    );
  const made = buildCredential(ctx.body, "body", clientId);
  const existing = credentialsOf(ctx, clientId);
  // Rule `clients.auth-methods.count`: at most 2 per application.
  if (existing.length >= MAX_CREDENTIALS)
    throw badRequest(`A client holds at most ${MAX_CREDENTIALS} credentials.`);
  checkDistinct([...existing, made]); // rule `clients.credentials.same-key`
  credentialsSection(ctx.tenant)[made.id] = made;
  ctx.tenant.store.changed();
  // Recorded (TestClient_CreateCredential #1): no expires_at in the answer when none is set.
  const { expires_at, ...body } = shown(made);
  return { status: 201, body: expires_at === null ? body : { ...body, expires_at } };
};

function credentialOf(ctx: HandlerContext): StoredCredential {
  const client = clientOf(ctx);
  const found = credentialsSection(ctx.tenant)[ctx.params.credential_id ?? ""];
  if (!found || found.client_id !== client.client_id)
    throw notFound("The credential does not exist", "inexistent_credential");
  return found;
}

export const getCredential: Handler = (ctx) => ({
  status: 200,
  body: shown(credentialOf(ctx)),
});

export const patchCredential: Handler = (ctx) => {
  const current = credentialOf(ctx);
  const next: StoredCredential = { ...current, updated_at: now() };
  if (ctx.body.expires_at === null) delete next.expires_at;
  else next.expires_at = futureDate(String(ctx.body.expires_at), "expires_at");
  credentialsSection(ctx.tenant)[next.id] = next;
  ctx.tenant.store.changed();
  // Recorded (TestClient_UpdateCredential #2): 200, although the document says 201.
  return { status: 200, body: shown(next) };
};

/**
 * Recorded (TestClient_DeleteCredential #4): deleting a credential that is gone answers 204.
 * One the client still authenticates with is refused (stricter reading: Auth0 does not say).
 */
export const deleteCredential: Handler = (ctx) => {
  const client = clientOf(ctx);
  const id = ctx.params.credential_id ?? "";
  const section = credentialsSection(ctx.tenant);
  if (section[id]?.client_id !== client.client_id) return { status: 204 };
  if (privateKeyJwtCredentials(ctx.tenant, client).some((c) => c.id === id))
    throw badRequest(
      "The client authenticates with this credential: remove it from client_authentication_methods first.",
    );
  delete section[id];
  ctx.tenant.store.changed();
  return { status: 204 };
};
