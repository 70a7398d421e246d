/**
 * The rules table's rows whose source is a real tenant's recorded answers: go-auth0's go-vcr
 * cassettes (tag v1.45.0), vendored in emulator/recordings/go-auth0/ and replayed by
 * emulator/test/replay.integration.test.ts. A source `TestX.yaml #n` is interaction n (from 0) of
 * that cassette. Each row has a check in emulator/test/rules.integration.test.ts (from
 * emulator/test/recorded-checks.ts).
 */
import type { Rule } from "./rules";

const REC = "go-auth0 v1.45.0 (emulator/recordings/go-auth0/) recording";
const CLIENTS_TS = "emulator/src/management/clients.ts";
const CREDENTIALS_TS = "emulator/src/management/client-credentials.ts";
const METHODS_TS = "emulator/src/management/client-authentication-methods.ts";

export const RECORDED_RULES = [
  {
    id: "clients.defaults",
    rule: "A client made through the API gets what it is sent plus `is_first_party` true, `oidc_conformant` false, `sso_disabled` false, `cross_origin_authentication` false, `custom_login_page_on` true, `is_token_endpoint_ip_header_trusted` false, the grant types of its type, `jwt_configuration` `{secret_encoded: false, lifetime_in_seconds: 36000}` when none is sent (one sent gets only `secret_encoded: false` beside it: no `alg` unless sent), and refresh-token defaults whose `infinite_*` are false when `expiration_type` is `expiring`; nothing else: no empty lists, no `client_metadata`, no `token_endpoint_auth_method`. The create's answer has no `tenant` or `global`.",
    source: `${REC}s TestClient_Create.yaml #0, TestClient_Read.yaml #0, TestClient_CreateWithClientRefreshToken.yaml #1, TestClient_List.yaml #0 (taken before go-auth0's recorder rewrote answers: no tenant, no global)`,
    enforcedIn: [CLIENTS_TS],
  },
  {
    id: "clients.patch.merge",
    rule: "`PATCH /clients/{id}` merges `jwt_configuration`: keys not sent (`secret_encoded`, `lifetime_in_seconds`) stay.",
    source: `${REC} TestClientAuthenticationMethods/GetPrivateKeyJWT.yaml #1 (\`{alg: RS256}\` sent, \`{secret_encoded: false, alg: RS256}\` answered)`,
    enforcedIn: [CLIENTS_TS],
  },
  {
    id: "clients.fields.tenant",
    rule: "`GET /clients` with `fields` (included) answers the tenant name beside the fields asked for.",
    source: `${REC} TestClient_List.yaml #1 (\`fields=client_id\` answered \`{tenant, client_id}\`)`,
    enforcedIn: [CLIENTS_TS],
  },
  {
    id: "clients.credentials.endpoints",
    rule: "`GET`/`POST /clients/{id}/credentials` and `GET`/`PATCH`/`DELETE /clients/{id}/credentials/{credential_id}` serve a client's public-key credentials (mTLS kinds are not emulated: 400): the list is a plain array; each answer shows `id`, `name`, `credential_type`, `kid`, `alg`, `created_at`, `updated_at` and `expires_at` (null when none; the create's answer leaves it out); `PATCH` sets `expires_at` and answers 200; deleting a credential that is gone answers 204; one that `client_authentication_methods` still names is refused (400, the stricter reading: Auth0 does not say).",
    source: `${REC}s TestClient_ListCredentials.yaml #2, TestClient_CreateCredential.yaml #1, TestClient_GetCredentials.yaml #2, TestClient_UpdateCredential.yaml #2 (200, where the document says 201), TestClient_DeleteCredential.yaml #4; https://auth0.com/docs/api/management/v2/clients/post-credentials`,
    enforcedIn: [CREDENTIALS_TS],
  },
  {
    id: "clients.credentials.same-key",
    rule: "A client takes each public key once: the same key (or `kid`) again, with the client or through `POST /clients/{id}/credentials`, is a 400 `credential_exists`; at most 2 credentials per client.",
    source:
      "Auth0 refuses a credential uploaded twice, but its exact answer (status, wording, error code) could not be found in its docs, SDKs, issues or recordings: the local tenants answer 400, the error status the document lists for `post_credentials`, with their own wording. The limit: https://auth0.com/docs/get-started/applications/configure-private-key-jwt (2 credentials per application)",
    enforcedIn: [METHODS_TS, CREDENTIALS_TS],
  },
  {
    id: "deletes.gone-204",
    rule: "`DELETE` of a client, client grant, API or user that does not exist (any more) answers 204, as deleting it did.",
    source: `${REC}s TestClient_Delete.yaml #3, TestClientGrantManager_Delete.yaml #5, TestResourceServer_Delete.yaml #3, TestUserManager_Delete.yaml #3`,
    enforcedIn: [
      CLIENTS_TS,
      "emulator/src/management/client-grants.ts",
      "emulator/src/management/resource-servers.ts",
      "emulator/src/management/users.ts",
    ],
  },
  {
    id: "resource-servers.defaults",
    rule: "A new API gets `signing_alg` RS256, `token_lifetime` 86400, `token_lifetime_for_web` 7200, `allow_offline_access` false, `skip_consent_for_verifiable_first_party_clients` false, and no `token_dialect`, `enforce_policies` or `is_system` unless sent (system APIs answer `is_system: true`); `token_lifetime_for_web` is accepted on create and patch; a token-encryption key's `pem` is not shown back.",
    source: `${REC}s TestClient_CreateWithClientRefreshToken.yaml #0, TestResourceServer_Update.yaml #1, TestResourceServer_Create.yaml #0`,
    enforcedIn: ["emulator/src/management/resource-servers.ts"],
  },
  {
    id: "resource-servers.patch-200",
    rule: "`PATCH /resource-servers/{id}` answers 200.",
    source: `${REC} TestResourceServer_Update.yaml #1 (Auth0's document says 201; the recording wins)`,
    enforcedIn: ["emulator/src/management/resource-servers.ts"],
  },
  {
    id: "users.password-policy",
    rule: "A password (create, patch, sign-up) meets the database connection's policy: `none` 1 character, `low` 6, `fair` 8 with lower, upper and a digit, `good` (a new tenant's) 8 with 3 of lower, upper, digit, special (a space counts), `excellent` 10 with 3 of 4 and no character 3 times in a row; else 400 `PasswordStrengthError`.",
    source: `https://auth0.com/docs/authenticate/database-connections/password-strength ("Good: at least 8 characters including at least 3 of the following 4 types of characters: a lower-case letter, an upper-case letter, a number, a special character (such as !@#$%^&*)"); ${REC} TestUserManager_Create.yaml #0 ("I have a password and its a secret" accepted)`,
    enforcedIn: [
      "emulator/src/passwords.ts",
      "emulator/src/management/users.ts",
      "emulator/src/management/tenant-config.ts",
    ],
  },
  {
    id: "users.defaults",
    rule: "A new user has no `logins_count` until a login; a new password sets `last_password_reset`.",
    source: `${REC}s TestUserManager_Create.yaml #0, TestUserManager_Update.yaml #1`,
    enforcedIn: ["emulator/src/management/users.ts"],
  },
  {
    id: "connections.database-defaults",
    rule: "A new database connection gets Auth0's options (`mfa`, `passwordPolicy` good, `strategy_version` 2, `authentication_methods`, `passkey_options`, `brute_force_protection`) under those sent, and the create's answer lists `enabled_clients`; `DELETE /connections/{id}` answers 202 with `deleted_at`; `GET /clients/{id}/connections` lists the connections enabled for a client.",
    source: `${REC}s TestConnectionManager_EnabledClients.yaml #1 and #6, TestClientManager_ReadEnabledConnections.yaml #1`,
    enforcedIn: ["emulator/src/management/tenant-config.ts"],
  },
  {
    id: "writes.answer-record",
    rule: "`PATCH /users/{id}`, `POST /clients`, `PATCH /clients/{id}` and `POST /clients/{id}/rotate-secret` answer the whole record as it is after the write, the same a read by id then answers (a client's `tenant` and `global` aside, which the recordings leave out): the patched user's `app_metadata` merged, the client with its secret.",
    source: `${REC}s TestUserManager_Update.yaml #1 (the answer holds the merged \`app_metadata\`, as the read after it), TestClient_Create.yaml #0, TestClient_Update.yaml #1, TestClient_RotateSecret.yaml #1`,
    enforcedIn: [CLIENTS_TS, "emulator/src/management/users.ts"],
  },
] as const satisfies readonly Rule[];
