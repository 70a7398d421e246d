/** Users of the tenant's database connection: create, get, patch, delete, search, by email. */
import { createHash } from "node:crypto";
import type { Doc } from "../collection";
import { ApiError, badRequest, conflict, notFound } from "../errors";
import { search } from "../lucene";
import { hashPassword, isStrongEnough } from "../passwords";
import { mapPage } from "./clients";
import { clone, type Handler, mergeMetadata, now, paginate, project, randomHex } from "./context";

/** The tenant's one database connection. */
export const DB_CONNECTION = "Username-Password-Authentication";
const missing = () => notFound("The user does not exist.", "inexistent_user");

function checkConnection(connection: unknown): void {
  if (connection !== DB_CONNECTION) {
    throw badRequest("The connection does not exist.", "inexistent_connection");
  }
}

function checkPassword(password: string): void {
  if (!isStrongEnough(password)) {
    throw badRequest("PasswordStrengthError: Password is too weak", "invalid_body");
  }
}

function emailTaken(
  store: Doc & { users: { lookup(p: string, v: string): ReadonlySet<string> | undefined } },
  email: string,
  except?: string,
): boolean {
  for (const id of store.users.lookup("email", email) ?? []) if (id !== except) return true;
  return false;
}

function picture(email: string): string {
  const hash = createHash("md5").update(email.trim().toLowerCase()).digest("hex");
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fdefault.png`;
}

/** Empty metadata objects are left out, as Auth0 does. */
function present(user: Doc, query: Record<string, unknown>): Doc {
  const out = { ...user }; // shallow: stored records are replaced, never changed in place
  for (const key of ["app_metadata", "user_metadata"]) {
    if (out[key] && Object.keys(out[key] as object).length === 0) delete out[key];
  }
  return project(out, query);
}

export const createUser: Handler = async (ctx) => {
  const { store } = ctx.tenant;
  const body = ctx.body as Doc & { email?: string; password?: string; user_id?: string };
  checkConnection(body.connection);
  if (!body.email)
    throw badRequest("Payload validation error: 'Missing required property: email'.");
  if (!body.password)
    throw badRequest("Payload validation error: 'Missing required property: password'.");
  checkPassword(body.password);
  if (emailTaken(store as never, body.email))
    throw conflict("The user already exists.", "auth0_idp_error");
  const id = body.user_id ?? randomHex(24);
  const userId = `auth0|${id}`;
  if (store.users.get(userId)) throw conflict("The user already exists.", "auth0_idp_error");
  const at = now();
  const { password, connection, verify_email, user_id, ...fields } = clone(body);
  const user: Doc = {
    email: body.email.toLowerCase(),
    email_verified: false,
    name: body.email,
    nickname: body.email.split("@")[0] ?? body.email,
    picture: picture(body.email),
    ...fields,
    user_id: userId,
    identities: [{ connection: DB_CONNECTION, provider: "auth0", user_id: id, isSocial: false }],
    app_metadata: (body.app_metadata as Doc | undefined) ?? {},
    user_metadata: (body.user_metadata as Doc | undefined) ?? {},
    created_at: at,
    updated_at: at,
    logins_count: 0,
  };
  store.passwords.set(userId, await hashPassword(body.password));
  store.users.put(user);
  store.changed();
  return { status: 201, body: present(user, {}) };
};

export const getUser: Handler = (ctx) => {
  const user = ctx.tenant.store.users.get(ctx.params.id ?? "");
  if (!user) throw missing();
  return { status: 200, body: present(user, ctx.query) };
};

export const patchUser: Handler = async (ctx) => {
  const { store } = ctx.tenant;
  const userId = ctx.params.id ?? "";
  const current = store.users.get(userId);
  if (!current) throw missing();
  const body = ctx.body;
  // The document lets any property through; Auth0 refuses those it does not know.
  const unknown = Object.keys(body).find(
    (k) => !ctx.tenant.openApi.knowsProperty("patch_users_by_id", k),
  );
  if (unknown) {
    throw badRequest(`Payload validation error: 'Additional properties not allowed: ${unknown}'.`);
  }
  if (body.connection !== undefined) checkConnection(body.connection);
  const next: Doc = clone(current);
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case "app_metadata":
      case "user_metadata":
        next[key] = mergeMetadata(current[key], value);
        break;
      case "password":
        if (typeof value === "string") {
          checkPassword(value);
          store.passwords.set(userId, await hashPassword(value));
        }
        break;
      case "connection":
      case "client_id":
      case "verify_email":
      case "verify_phone_number":
      case "verify_password":
        break;
      case "email":
        if (typeof value === "string") {
          if (emailTaken(store as never, value, userId)) {
            throw conflict("The specified new email already exists", "email_conflict");
          }
          next.email = value.toLowerCase();
        }
        break;
      case "user_id":
        throw new ApiError(
          400,
          "Payload validation error: 'user_id cannot be updated'.",
          "invalid_body",
        );
      default:
        if (value === null) delete next[key];
        else next[key] = clone(value);
    }
  }
  next.updated_at = now();
  store.users.put(next);
  store.changed();
  return { status: 200, body: present(next, {}) };
};

export const deleteUser: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const userId = ctx.params.id ?? "";
  if (!store.users.delete(userId)) throw missing();
  store.passwords.delete(userId);
  for (const [token, rt] of store.refreshTokens)
    if (rt.user_id === userId) store.refreshTokens.delete(token);
  store.changed();
  return { status: 204 };
};

const SEARCHABLE_DEFAULTS = ["email", "name", "nickname", "user_id"];

export const listUsers: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const { query } = ctx;
  const perPage = (query.per_page as number | undefined) ?? 50;
  const page = (query.page as number | undefined) ?? 0;
  if ((page + 1) * perPage > 1000) {
    throw badRequest(
      "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation",
      "invalid_paging",
    );
  }
  let items: Doc[] | readonly Doc[] =
    typeof query.q === "string" && query.q.trim()
      ? search(store.users, query.q, SEARCHABLE_DEFAULTS)
      : store.users.all();
  if (typeof query.sort === "string") {
    const [field, dir] = query.sort.split(":");
    const sign = dir === "-1" ? -1 : 1;
    items = [...items].sort(
      (a, b) => sign * String(a[field ?? ""] ?? "").localeCompare(String(b[field ?? ""] ?? "")),
    );
  }
  const paged = paginate(items, query, "users", { withLength: true });
  return { status: 200, body: mapPage(paged, "users", (u) => present(u, query)) };
};

export const usersByEmail: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const email = String(ctx.query.email ?? "");
  const users = store.users.pick(store.users.lookup("email", email) ?? new Set());
  return { status: 200, body: users.map((u) => present(u, ctx.query)) };
};
