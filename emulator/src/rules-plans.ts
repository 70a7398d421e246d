/**
 * The rules table's rows for Auth0 plans (spread into RULES in emulator/src/rules.ts): what a
 * tenant's plan brings (limits, features) and what configuring a client's authentication methods
 * needs. Each row has a check in emulator/test/rules.integration.test.ts (from
 * emulator/test/plans-checks.ts). Where Auth0's text is silent the row says what is ours.
 */
import type { Rule } from "./rules";

const PLANS_TS = "emulator/src/plans.ts";
const GATE_TS = "emulator/src/management/entitlements.ts";
const CLIENT_D_TS = "auth0 SDK `dist/cjs/management/api/resources/clients/client/Client.d.ts`";
const ENDPOINT_LIMITS =
  "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits";
const ENTITY_POLICY =
  "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/entity-limit-policy";

export const PLANS_RULES = [
  {
    id: "plans.limits",
    rule: "A tenant's plan (`free`, `essentials`, `professional`, `enterprise`) sets its Management API rate limits and entity limits: `free` the Free configuration (rule `ratelimit.free-global`: a global 2/s, burst 10, on top of the bucket the headers describe) and 10 applications and APIs; `essentials` and `professional` 16 requests/s and 100 and 100; `enterprise` 16 requests/s (stricter reading) and no application or API limit.",
    source: `${ENDPOINT_LIMITS} ("Free or Trial (Production) 2", "Self Service (Production) 16", "Enterprise (Production) 16" sustained requests per second; the Enterprise configuration page allows 50 rps on most endpoints: ours is the stricter 16); ${ENTITY_POLICY} ("Free subscription limits": Applications 10, API Resource Servers 10; "Self-Service paid subscription limits": 100 and 100; the policy "is effective for all tenants with Self-Service subscriptions", so Enterprise has none here)`,
    enforcedIn: [PLANS_TS, "emulator/src/tenant.ts"],
  },
  {
    id: "plans.private-key-jwt",
    rule: 'Private Key JWT is an Enterprise feature: on any other plan a `POST /clients` (or `PATCH`) that sets `client_authentication_methods.private_key_jwt` is a 403 `{"errorCode":"insufficient_entitlement","message":"Please upgrade your subscription to use Private Key JWT authentication"}` and nothing is made.',
    source:
      'https://auth0.com/docs/get-started/applications/configure-private-key-jwt (localized editions, e.g. /docs/ja-jp/…: available to customers on the Enterprise plan); https://community.auth0.com/t/startup-private-key-jwt/138491 ("Private Key JWT is only available for customers on the Enterprise plan"); the 403 `insufficient_entitlement` with "Please upgrade your subscription to use …" as issue 14 reports Auth0\'s answer: the exact message for Private Key JWT was not found verbatim in any stored source (searched: issues, pages, code), so the words after "to use" are ours',
    enforcedIn: [GATE_TS, PLANS_TS],
  },
  {
    id: "clients.auth-methods.scope",
    rule: "A body with `client_authentication_methods` needs `create:client_credentials` on `POST /clients` and `update:client_credentials` on `PATCH /clients/{id}`, besides the operation's own scope; without it a 403 `insufficient_scope` (checked before the plan).",
    source: `https://auth0.com/docs/api/management/v2/clients/post-clients; ${CLIENT_D_TS} \`create\` ("To configure \`client_authentication_methods\`, the \`create:client_credentials\` scope is required") and \`update\` ("To configure \`client_authentication_methods\`, the \`update:client_credentials\` scope is required"); the order of the two checks is ours`,
    enforcedIn: [GATE_TS],
  },
  {
    id: "clients.auth-methods.read-scope",
    rule: "A client read (`GET /clients`, `GET /clients/{id}`, the client search) shows `client_authentication_methods` only to a caller with `read:client_keys` or `read:client_credentials`.",
    source: `https://auth0.com/docs/api/management/v2/clients/get-clients-by-id; ${CLIENT_D_TS} \`list\` and \`get\` ("The following properties can only be retrieved with the \`read:client_keys\` or \`read:client_credentials\` scope: \`encryption_key\`, …, \`client_secret\`, \`client_authentication_methods\` and \`signing_key\`")`,
    enforcedIn: [GATE_TS],
  },
  {
    id: "email-templates.from-needs-provider",
    rule: 'Creating or updating an email template with a `from` address (anything but `null`, even `""`: stricter reading) needs an enabled email provider (`/emails/provider`); without one a 400 "From address cannot be set without an enabled email provider." and nothing is stored. A fresh tenant has no provider (Auth0\'s built-in one does not count); `GET /emails/provider` then answers 404 `inexistent_email_provider`.',
    source:
      'auth0/auth0-deploy-cli issues #51 (Auth0\'s answer recorded: `{"statusCode":400,"error":"Bad Request","message":"From address cannot be set without an enabled email provider."}`) and #996 (the same on a tenant using "the Auth0 Email Provider (not the Custom Email Provider)"); https://auth0.com/docs/customize/email/smtp-email-providers; the 404: go-auth0 v1.45.0 recording `TestEmailProviderManager_Delete`. go-auth0\'s `TestEmailTemplateManager_Create` recording answers 200 to a PATCH with `from`, on a tenant whose provider at that moment is not recorded (its other tests configure one), so it does not contradict the rule; a second `POST /emails/provider` answering 409 is ours',
    enforcedIn: ["emulator/src/management/email-provider.ts"],
  },
] as const satisfies readonly Rule[];
