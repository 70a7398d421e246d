/**
 * The rules table's rows for client authentication by secret at /oauth/token, client grant
 * scopes, entity limits and prompt settings (spread into RULES in emulator/src/rules.ts). Each
 * row has a check in emulator/test/rules.integration.test.ts (from
 * emulator/test/limits-checks.ts). Where Auth0's text is ambiguous or silent the stricter reading
 * is taken and the row says so.
 */
import type { Rule } from "./rules";

const SECRET_TS = "emulator/src/oauth/client-secret.ts";
const TOKEN_TS = "emulator/src/oauth/token-endpoint.ts";
const ENTITY_TS = "emulator/src/management/entity-limits.ts";
const APP_TYPE =
  "https://auth0.com/docs/get-started/applications/confidential-and-public-applications/view-application-type";
const GRANT_MAPPING =
  'auth0/docs `articles/clients/client-grant-types.md` ("Public clients **cannot** utilize the `client_credentials` grant type"); https://auth0.com/docs/applications/reference/grant-types-auth0-mapping (public applications get no `client_credentials`)';
const ENTITY_POLICY =
  "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/entity-limit-policy";
const UNAUTHORIZED =
  '401 `{"error":"access_denied","error_description":"Unauthorized"}` (Auth0\'s answer to a failed client authentication; Auth0 publishes no other body for a wrong method, the stricter reading)';

export const LIMITS_RULES = [
  {
    id: "token.auth-method.post",
    rule: `A \`client_secret_post\` client authenticates with \`client_secret\` in the body only: HTTP Basic is ${UNAUTHORIZED}. A client made without \`token_endpoint_auth_method\` (Auth0 then answers none) is taken as \`client_secret_post\` (the stricter reading).`,
    source: `${APP_TYPE} ("Client Secret Post: Application using POST request body parameters to send a client secret"); auth0 SDK \`dist/cjs/management/api/types/types.d.ts\` \`ClientTokenEndpointAuthMethodEnum\``,
    enforcedIn: [SECRET_TS],
  },
  {
    id: "token.auth-method.basic",
    rule: `A \`client_secret_basic\` client authenticates with HTTP Basic only: a secret in the body is ${UNAUTHORIZED}.`,
    source: `${APP_TYPE} ("Client Secret Basic: Application using the HTTP BASIC authentication scheme to send a client secret")`,
    enforcedIn: [SECRET_TS],
  },
  {
    id: "token.auth-method.none",
    rule: `A public client (\`none\`) sends no secret (one sent, body or Basic, is ${UNAUTHORIZED}) and redeems an authorization code only with PKCE (stricter reading: without it, 403 \`invalid_grant\`).`,
    source: `${APP_TYPE} ("None: Public application without a client secret"); https://auth0.com/docs/get-started/applications/confidential-and-public-applications ("They can't send a client secret")`,
    enforcedIn: [SECRET_TS, TOKEN_TS],
  },
  {
    id: "token.auth-method.public-no-client-credentials",
    rule: "A public client (`none`) gets no `client_credentials`: `POST`/`PATCH /clients` refuse it in its `grant_types` (400; Auth0's wording is not published) and leave it out of the defaults, and `/oauth/token` refuses it whatever the stored `grant_types` (403 `unauthorized_client` \"Grant type 'client_credentials' not allowed for the client.\").",
    source: `${GRANT_MAPPING}; the error text: the same article ("Grant type \`grant_type\` not allowed for the client.")`,
    enforcedIn: [TOKEN_TS, "emulator/src/management/clients.ts"],
  },
  {
    id: "token.auth-method.one",
    rule: "A request carries one client authentication: a secret both in HTTP Basic and in the body is a 400 `invalid_request`, and a body `client_id` other than Basic's is refused.",
    source: `${APP_TYPE} (one method per application); RFC 6749 §2.3 ("MUST NOT use more than one authentication method in each request"): the stricter reading`,
    enforcedIn: [SECRET_TS],
  },
  {
    id: "client-grants.scopes-of-api",
    rule: "`POST /client-grants` accepts only scopes the resource server defines; any other is a 400 naming them (the stricter reading; Auth0's wording is not published). `PATCH /client-grants/{id}` accepts them, as Auth0 does.",
    source:
      'auth0 SDK `dist/cjs/management/api/requests/requests.d.ts` `CreateClientGrantRequestContent.scope` ("Scopes allowed for this client grant"), `.allow_all_scopes` ("all scopes configured on the resource server"); go-auth0 v1.45.0 recording TestClientGrantManager_Update.yaml #3 (a PATCH with `update:resource`, which the API does not define, answered 200)',
    enforcedIn: ["emulator/src/management/client-grants.ts"],
  },
  {
    id: "entities.scopes-per-api",
    rule: "A resource server defines at most 1000 scopes (create and patch; 400 above).",
    source: `${ENTITY_POLICY} (Authorization Core: "Scopes per API 1000", every plan)`,
    enforcedIn: [ENTITY_TS, "emulator/src/management/resource-servers.ts"],
  },
  {
    id: "entities.plan",
    rule: "Applications and APIs per tenant follow the plan: `free` 10 and 10 (`npm run dev`'s default plan), `self-service` 100 and 100 (Essentials, Professional), `unlimited` (the `enterprise` plan, tests, benchmarks; rule `plans.limits`); one more is a 403 `entity_limit_reached`. System APIs do not count.",
    source: `${ENTITY_POLICY} ("Free subscription limits" and "Self-Service paid subscription limits": Applications, API Resource Servers; the figures of the edition the stored copies show, the current tables could not be read: stricter reading)`,
    enforcedIn: [ENTITY_TS, "emulator/src/management/clients.ts"],
  },
  {
    id: "users.metadata.field-names",
    rule: "`app_metadata` and `user_metadata` field names contain no `.` or `$`, at any depth (stricter reading); else a 400.",
    source:
      'https://auth0.com/docs/manage-users/user-accounts/metadata/metadata-fields-data ("Field names must not contain the . (dot) or $ (dollar sign) characters")',
    enforcedIn: ["emulator/src/management/users.ts"],
  },
  {
    id: "prompts.read",
    rule: "`GET /prompts` needs `read:prompts` and answers `universal_login_experience` (`new` or `classic`), `identifier_first` and `webauthn_platform_first_factor`; a new tenant answers `new`, `false`, `false`.",
    source:
      "https://auth0.com/docs/api/management/v2/prompts/get-prompts; auth0 SDK `dist/cjs/management/api/types/types.d.ts` `GetSettingsResponseContent`",
    enforcedIn: ["emulator/src/management/tenant-settings.ts"],
  },
  {
    id: "prompts.update",
    rule: "`PATCH /prompts` needs `update:prompts` and takes at least one of `universal_login_experience` (`new`/`classic`), `identifier_first`, `webauthn_platform_first_factor` and nothing else (else 400); it answers the whole settings, changed.",
    source:
      "https://auth0.com/docs/api/management/v2/prompts/patch-prompts; auth0 SDK `dist/cjs/management/api/requests/requests.d.ts` `UpdateSettingsRequestContent`",
    enforcedIn: ["emulator/src/management/tenant-settings.ts"],
  },
] as const satisfies readonly Rule[];
