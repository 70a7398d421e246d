/** Users of the tenant's database connection: create, get, patch, delete, search, by email. */
import { createHash } from "node:crypto";
import type { Doc } from "../collection";
import { badRequest, conflict, notFound } from "../errors";
import { parseLucene, type Query, search, terms } from "../lucene";
import { hashPassword, meetsPasswordPolicy, type PasswordPolicy } from "../passwords";
import type { Tenant } from "../tenant";
import { mapPage } from "./clients";
import { clone, type Handler, mergeMetadata, now, paginate, project, randomHex } from "./context";
import { databaseConnectionsFor, databasePasswordPolicy } from "./tenant-config";

/** The tenant's one database connection. */
export const DB_CONNECTION = "Username-Password-Authentication";
const missing = () => notFound("The user does not exist.", "inexistent_user");

function checkConnection(connection: unknown): void {
  if (connection !== DB_CONNECTION) {
    throw badRequest("The connection does not exist.", "inexistent_connection");
  }
}

/**
 * Rule `users.create.connection-enabled`: Auth0 creates a database user through the Management
 * API only for a caller whose application has that connection enabled.
 */
function checkEnabledFor(tenant: Tenant, clientId: string): void {
  if (databaseConnectionsFor(tenant, clientId).some((c) => c.name === DB_CONNECTION)) return;
  throw badRequest(
    `Connection must be enabled for this client to perform single user creation and signup operations (client_id: ${clientId} - connection: ${DB_CONNECTION})`,
    "auth0_idp_error",
  );
}

/** Rule `users.password-policy`: the database connection's policy (a new tenant's: `good`). */
function checkPassword(password: string, policy: PasswordPolicy): void {
  if (!meetsPasswordPolicy(password, policy)) {
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

/**
 * Rule `users.metadata.field-names`: "Field names must not contain the . (dot) or $ (dollar
 * sign) characters" (at any depth: the stricter reading).
 */
function checkMetadataFieldNames(body: Doc): void {
  const visit = (value: unknown, where: string): void => {
    if (!value || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value as Doc)) {
      if (!Array.isArray(value) && /[.$]/.test(key))
        throw badRequest(`Metadata field names must not contain '.' or '$': '${key}' in ${where}.`);
      visit(inner, `${where}.${key}`);
    }
  };
  for (const key of ["app_metadata", "user_metadata"]) visit(body[key], key);
}

export const createUser: Handler = async (ctx) => {
  const body = ctx.body as UserBody;
  checkConnection(body.connection);
  checkMetadataFieldNames(body);
  checkEnabledFor(ctx.tenant, ctx.clientId);
  const user = await insertDatabaseUser(ctx.tenant.store, body, databasePasswordPolicy(ctx.tenant));
  return { status: 201, body: present(user, {}) };
};

type UserBody = Doc & { email?: string; password?: string; user_id?: string };

/**
 * A new user of the database connection, with the checks `POST /users` and Universal Login's
 * sign-up share (required email and password, password policy, one user per email; rule
 * `signup.same-checks-as-create`).
 */
export async function insertDatabaseUser(
  store: Tenant["store"],
  body: UserBody,
  policy: PasswordPolicy,
): Promise<Doc> {
  if (!body.email)
    throw badRequest("Payload validation error: 'Missing required property: email'.");
  if (!body.password)
    throw badRequest("Payload validation error: 'Missing required property: password'.");
  checkPassword(body.password, policy);
  // Hash first: from here to `put` nothing awaits, so concurrent creates cannot both pass the
  // uniqueness checks.
  const hash = await hashPassword(body.password);
  const email = body.email.toLowerCase(); // Auth0 stores database users' emails in lower case
  if (emailTaken(store as never, email))
    throw conflict("The user already exists.", "auth0_idp_error");
  const id = body.user_id ?? randomHex(24);
  const userId = `auth0|${id}`;
  if (store.users.get(userId)) throw conflict("The user already exists.", "auth0_idp_error");
  const at = now();
  const { password, connection, verify_email, user_id, ...fields } = clone(body);
  const user: Doc = {
    email_verified: false,
    name: email,
    nickname: email.split("@")[0] ?? email,
    picture: picture(email),
    ...fields,
    email,
    user_id: userId,
    identities: [{ connection: DB_CONNECTION, provider: "auth0", user_id: id, isSocial: false }],
    app_metadata: (body.app_metadata as Doc | undefined) ?? {},
    user_metadata: (body.user_metadata as Doc | undefined) ?? {},
    created_at: at,
    updated_at: at,
    // Rule `users.defaults`: no logins_count until the first login (as recorded).
  };
  store.passwords.set(userId, hash);
  store.users.put(user);
  store.changed();
  return user;
}

export const getUser: Handler = (ctx) => {
  const user = ctx.tenant.store.users.get(ctx.params.id ?? "");
  if (!user) throw missing();
  return { status: 200, body: present(user, ctx.query) };
};

export const patchUser: Handler = async (ctx) => {
  const { store } = ctx.tenant;
  const userId = ctx.params.id ?? "";
  const body = ctx.body;
  // The document lets any property through; Auth0 refuses those it does not know.
  const unknown = Object.keys(body).find(
    (k) => !ctx.tenant.openApi.knowsProperty("patch_users_by_id", k),
  );
  if (unknown) {
    throw badRequest(`Payload validation error: 'Additional properties not allowed: ${unknown}'.`);
  }
  if (!store.users.get(userId)) throw missing();
  if (body.connection !== undefined) checkConnection(body.connection);
  checkMetadataFieldNames(body);
  if (body.user_id !== undefined)
    throw badRequest("Payload validation error: 'user_id cannot be updated'.");
  if (typeof body.password === "string")
    checkPassword(body.password, databasePasswordPolicy(ctx.tenant));
  // Everything is checked (and the password hashed) before anything changes: no half updates.
  const hash = typeof body.password === "string" ? await hashPassword(body.password) : undefined;
  const current = store.users.get(userId);
  if (!current) throw missing();
  const email = typeof body.email === "string" ? body.email.toLowerCase() : undefined;
  if (email && emailTaken(store as never, email, userId)) {
    throw conflict("The specified new email already exists", "email_conflict");
  }
  const next: Doc = clone(current);
  for (const [key, value] of Object.entries(body)) {
    if (IGNORED_ON_PATCH.has(key)) continue;
    if (key === "app_metadata" || key === "user_metadata")
      next[key] = mergeMetadata(current[key], value);
    else if (value === null) delete next[key];
    else next[key] = clone(value);
  }
  if (email) next.email = email;
  next.updated_at = now();
  // Rule `users.defaults`: a new password is dated (recorded: TestUserManager_Update #1).
  if (hash) next.last_password_reset = next.updated_at;
  if (hash) store.passwords.set(userId, hash);
  store.users.put(next);
  store.changed();
  // Rule `writes.answer-record`: the answer is the user after the write, as a read shows it.
  return { status: 200, body: present(next, {}) };
};

/** Accepted in a PATCH but not stored on the user (they steer what Auth0 does). */
const IGNORED_ON_PATCH = new Set([
  "password",
  "connection",
  "client_id",
  "verify_email",
  "verify_phone_number",
  "verify_password",
]);

export const deleteUser: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const userId = ctx.params.id ?? "";
  // Rule `deletes.gone-204`: deleting what is gone answers 204, as recorded.
  if (!store.users.delete(userId)) return { status: 204 };
  store.passwords.delete(userId);
  for (const [token, rt] of store.refreshTokens)
    if (rt.user_id === userId) store.refreshTokens.delete(token);
  store.changed();
  return { status: 204 };
};

const SEARCHABLE_DEFAULTS = ["email", "name", "nickname", "user_id"];

/**
 * Rules `users.search.window` and `users.search.metadata-*`: why Auth0 would refuse this user
 * search; nothing when it is allowed. Throws the 400 Auth0 answers.
 */
export function checkUserSearchQuery(query: Record<string, unknown>): Query | undefined {
  const perPage = (query.per_page as number | undefined) ?? 50;
  const page = (query.page as number | undefined) ?? 0;
  if ((page + 1) * perPage > 1000) {
    throw badRequest(
      "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation",
      "invalid_paging",
    );
  }
  if (typeof query.q !== "string" || !query.q.trim()) return undefined;
  const parsed = parseLucene(query.q);
  for (const term of terms(parsed)) {
    if (term.kind !== "term" || !term.field) continue;
    const metadata = /^(app|user)_metadata\./.test(term.field);
    // Rule `users.search.metadata-no-wildcard`: no wildcard or range search on metadata fields
    // (Auth0 says so of user_metadata; the stricter reading covers app_metadata too).
    if (metadata && !term.exact && /[*?]|^[[{]|[\]}]$/.test(term.value)) {
      throw badRequest(
        `Invalid query string: wildcard and range searches are not available on metadata fields (${term.field}:${term.value})`,
        "invalid_query_string",
      );
    }
    // Rule `users.search.wildcards`: a suffix match needs at least 3 literal characters.
    if (!term.exact && term.value.startsWith("*") && term.value.replace(/[*?]/g, "").length < 3) {
      throw badRequest(
        `Invalid query string: a leading wildcard needs at least 3 characters after it (${term.field}:${term.value})`,
        "invalid_query_string",
      );
    }
  }
  return parsed;
}

/**
 * Rule `users.search.case`: values of the normalized profile fields compare case-insensitively,
 * every other field (app_metadata and user_metadata included) case-sensitively.
 */
const CASE_INSENSITIVE_FIELDS = new Set(["email", "name", "given_name", "family_name", "nickname"]);

export const listUsers: Handler = (ctx) => {
  const { store } = ctx.tenant;
  const { query } = ctx;
  const parsed = checkUserSearchQuery(query);
  // Rule `consistency.search-lag`: user search (with or without q) lags writes. Rule
  // `users.search.user-ids`: it answers the stored profiles, as `GET /users/{id}` does.
  const visible = store.userSearch.current();
  let items: Doc[] | readonly Doc[] = parsed
    ? search(visible, parsed, SEARCHABLE_DEFAULTS, {
        caseInsensitive: (field) => CASE_INSENSITIVE_FIELDS.has(field),
      })
    : visible.all();
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
  // Case-sensitive, as Auth0 documents; stored emails are lower case, as Auth0 stores them.
  const users = store.users
    .pick(store.users.lookup("email", email) ?? new Set())
    .filter((u) => u.email === email);
  return { status: 200, body: users.map((u) => present(u, ctx.query)) };
};
