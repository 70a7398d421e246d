/**
 * The rules table: every behaviour of the local tenants beyond the OpenAPI shapes, each with
 * the Auth0 source it follows and the file that enforces it (the code there names the rule id).
 * Where a source is ambiguous the stricter reading is taken and the row says so. Rendered into
 * emulator/README.md (`npx tsx emulator/src/rules.ts --write`; a unit test keeps them in sync);
 * each row has a test in emulator/test/rules.integration.test.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LIMITS_RULES } from "./rules-limits";
import { PLANS_RULES } from "./rules-plans";
import { PRIVATE_KEY_JWT_RULES } from "./rules-private-key-jwt";
import { RECORDED_RULES } from "./rules-recorded";
import { UNIVERSAL_LOGIN_RULES } from "./rules-universal-login";

export interface Rule {
  id: string;
  /** One sentence. */
  rule: string;
  /** An auth0.com docs URL, or an SDK typing file and symbol. */
  source: string;
  /** Files (repository-relative) whose code enforces the rule and names its id. */
  enforcedIn: readonly string[];
}

const REQUESTS_D_TS = "auth0 SDK `dist/cjs/management/api/requests/requests.d.ts`";
const CLIENTS_SEARCH = "https://auth0.com/docs/api/management/v2/clients/get-clients-search";
const CLIENT_SEARCH_TS = "emulator/src/management/client-search.ts";

export const RULES = [
  {
    id: "clients.list.q-permitted",
    rule: "`q` on `GET /clients` permits only `client_grant.organization_id:{id}` and `client_grant.allow_any_organization:true`; anything else is a 400.",
    source: `${REQUESTS_D_TS} \`ListClientsRequestParameters.q\``,
    enforcedIn: [CLIENT_SEARCH_TS, "emulator/src/conformance/check.ts"],
  },
  {
    id: "clients.list.q-alone",
    rule: "`q` on `GET /clients` cannot be combined with another filter (`app_type`, `is_first_party`, `is_global`, `external_client_id`) nor with offset paging.",
    source: `${REQUESTS_D_TS} \`ListClientsRequestParameters.q\` ("Cannot be used in combination with other filters"; offset paging: stricter reading of "Requires use of the from and take paging parameters")`,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.list.q-checkpoint",
    rule: "`q` on `GET /clients` requires checkpoint paging: `take` (and `from` for later pages).",
    source: `${REQUESTS_D_TS} \`ListClientsRequestParameters.q\``,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.search.filter",
    rule: "`GET /clients/search` filters (Lucene by default, SCIM with `parser=scim`) name only `client_id`, `external_client_id`, `name`, `app_type`, `is_first_party`, `updated_at`, `metadata.{key}` (one level below `metadata`), `client_grant.organization_id`, `client_grant.allow_any_organization`; starts/ends-with and contains only on `name`, ranges only on `updated_at`; values compare case-sensitively (stricter reading where the page is silent).",
    source: CLIENTS_SEARCH,
    enforcedIn: [CLIENT_SEARCH_TS, "emulator/src/filter.ts"],
  },
  {
    id: "clients.search.max-operations",
    rule: "A `GET /clients/search` query holds at most 5 filter operations.",
    source: CLIENTS_SEARCH,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.search.metadata-64",
    rule: "Metadata values are indexed up to 64 characters: a longer query value is a 400 and a longer stored value is never found (stricter reading).",
    source: CLIENTS_SEARCH,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.search.scopes",
    rule: "`GET /clients/search` takes `read:clients` or `read:client_summary`; `read:client_keys` and `read:client_credentials` are not accepted.",
    source: CLIENTS_SEARCH,
    enforcedIn: ["emulator/spec/supplements.json"],
  },
  {
    id: "clients.search.hidden-fields",
    rule: "`GET /clients/search` never returns `client_secret`, `encryption_key`, `signing_keys`, `owners` or `addons`.",
    source: CLIENTS_SEARCH,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.search.cursor",
    rule: "`GET /clients/search` pages with `take` (1–100, default 50; bounds of `GET /clients` `take`, the stricter reading) and `from`, answered with an opaque `next`; it never returns totals.",
    source: `${CLIENTS_SEARCH}; Auth0 Node SDK \`SearchClientsResponseContent\``,
    enforcedIn: [CLIENT_SEARCH_TS],
  },
  {
    id: "clients.metadata",
    rule: "`client_metadata` holds at most 10 keys with string values of at most 255 characters.",
    source: `${REQUESTS_D_TS} \`CreateClientRequestContent.client_metadata\``,
    enforcedIn: ["emulator/src/management/clients.ts"],
  },
  {
    id: "clients.rotate.delay",
    rule: "After `rotate-secret` the previous secret is refused at once and the new one works only after the rotation delay (default 1 s): no secret works in between. The strictest reading of both sources: Auth0 promises the new secret only within 30 s and nothing for the old one (its advice to fall back from the old to the new says the old can stop working), and a rotation tool reports the old secret refused at once. An app that keeps both and retries, as Auth0 suggests, works either way.",
    source:
      'https://auth0.com/docs/get-started/applications/rotate-client-secret ("New secrets may be delayed up to thirty seconds while rotating. To minimize downtime, we suggest you store the new client secret in your application\'s code/system configuration as a fallback to the previous secret. This way, if the client application request doesn\'t work with the old secret, your app will use the new secret."); https://infisical.com/docs/documentation/platform/secret-rotation/auth0-client-secret ("Old credentials become invalid immediately upon rotation")',
    enforcedIn: ["emulator/src/management/clients.ts", "emulator/src/oauth/token-endpoint.ts"],
  },
  {
    id: "consistency.search-lag",
    rule: "Searches (`GET /users`, `GET /clients?q=`, `GET /clients/search`) see a write only after the search lag (default 1 s; Auth0 gives no figure).",
    source:
      "https://auth0.com/docs/manage-users/user-search (eventually consistent); https://auth0.com/docs/api/management/v2/clients/get-clients-search; `ListClientsRequestParameters.q` note",
    enforcedIn: [
      "emulator/src/search-view.ts",
      "emulator/src/management/users.ts",
      CLIENT_SEARCH_TS,
    ],
  },
  {
    id: "consistency.immediate-reads",
    rule: "Reads by id (`GET /users/{id}`, `GET /clients/{id}`, `GET /client-grants/{id}`, `GET /resource-servers/{id}`) and `GET /users-by-email` see every write at once. Auth0 documents this for `GET /users/{id}` and `GET /users-by-email` only; for the other reads by id it is our assumption (Auth0 says nothing either way; only its searches are documented as eventually consistent).",
    source:
      'https://auth0.com/docs/manage-users/user-search/retrieve-users-with-get-users-by-id-endpoint ("This endpoint is immediately consistent"); https://auth0.com/docs/manage-users/user-search/retrieve-users-with-get-users-by-email-endpoint ("This endpoint is immediately consistent")',
    enforcedIn: ["emulator/src/search-view.ts"],
  },
  {
    id: "users.search.window",
    rule: "User search pages only through the first 1000 results: `(page + 1) × per_page` above 1000 is a 400.",
    source:
      "https://auth0.com/docs/manage-users/user-search/view-search-results-by-page#limitation",
    enforcedIn: ["emulator/src/management/users.ts", "emulator/src/conformance/check.ts"],
  },
  {
    id: "users.search.case",
    rule: "User search compares `email`, `name`, `given_name`, `family_name` and `nickname` case-insensitively and every other field (all `app_metadata` and `user_metadata`) case-sensitively.",
    source: "https://auth0.com/docs/manage-users/user-search/user-search-query-syntax",
    enforcedIn: ["emulator/src/management/users.ts"],
  },
  {
    id: "users.search.metadata-no-wildcard",
    rule: "User search refuses wildcard and range searches on metadata fields (Auth0 says so of `user_metadata`; the stricter reading covers `app_metadata` too).",
    source: "https://auth0.com/docs/manage-users/user-search/user-search-query-syntax",
    enforcedIn: ["emulator/src/management/users.ts"],
  },
  {
    id: "users.search.user-ids",
    rule: 'User search groups terms on one field with `OR` (`user_id:("a" OR "b")`; operators work on the normalized fields, `user_id` among them), and answers each user with the same profile `GET /users/{id}` gives (`app_metadata` and `blocked` included), as of the search lag.',
    source:
      "https://auth0.com/docs/manage-users/user-search/user-search-query-syntax; recorded: go-auth0 TestUserManager_List (a search's user equals the created one, app_metadata and blocked included)",
    enforcedIn: ["emulator/src/lucene.ts", "emulator/src/management/users.ts"],
  },
  {
    id: "users.search.wildcards",
    rule: "A leading wildcard (suffix match) needs at least 3 literal characters (`name:*usa`, not `name:*sa`).",
    source: "https://auth0.com/docs/manage-users/user-search/user-search-query-syntax",
    enforcedIn: ["emulator/src/management/users.ts"],
  },
  {
    id: "ratelimit.headers",
    rule: 'Every Management API answer carries `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (epoch seconds); over the limit it is a 429 "Global limit has been reached".',
    source:
      "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy",
    enforcedIn: ["emulator/src/control.ts"],
  },
  {
    id: "ratelimit.profiles",
    rule: "Rate limits follow a named configuration: `free` (a global burst 10, 2/s: `npm run dev`; rule `ratelimit.free-global`), `self-service` (16/s sustained as published; burst not published, so 16: stricter reading), `test` (burst 1000, 500/s: test suites).",
    source:
      "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy (Free: 2/s, bursts of up to 10); https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits (Self Service (Production): 16 sustained requests per second)",
    enforcedIn: ["emulator/src/control.ts"],
  },
  {
    id: "ratelimit.free-global",
    rule: "On `free`, a global limit of 2 requests/s with bursts of 10 applies in addition to the bucket the `x-ratelimit-*` headers describe: its 429 \"Global limit has been reached\" carries that bucket's headers, which still claim room (`x-ratelimit-remaining` above 0). The headers' own bucket on Free is not published; locally it is 50/s (assumption), so the global limit binds.",
    source:
      'https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy: "Using the Management API for free and trial tenants is restricted to 2 requests per second (with bursts of up to 10 requests ). Exceeding these values triggers an HTTP 429 error, but the error message states, “Global limit has been reached.” These are in addition to those indicated in the rate limit response headers."',
    enforcedIn: ["emulator/src/control.ts"],
  },
  {
    id: "order.auth-before-404",
    rule: 'Any operation in Auth0\'s document answers 401 without a valid token and 403 `insufficient_scope` ("Insufficient scope, expected any of: …") without its scope, before any 404; paths outside the document are a plain 404.',
    source:
      "https://auth0.com/docs/api/management/v2 (every operation requires a token with its scopes); the 403 body as Auth0 sends it: https://support.auth0.com/center/s/article/Management-API-Token-from-API-Explorer-Tab-does-not-contain-expected-scopes",
    enforcedIn: ["emulator/src/management/router.ts"],
  },
  {
    id: "conformance.documented",
    rule: "The product calls only operations and query parameters of Auth0's document (with its marked supplements).",
    source: "emulator/spec/NOTICE.md (Auth0's published Management API document)",
    enforcedIn: ["emulator/src/conformance/check.ts"],
  },
  {
    id: "conformance.accepted",
    rule: "No product request is refused for its shape, query or scope (400 or 403): Auth0 would refuse it too.",
    source: "emulator/spec/NOTICE.md (Auth0's published Management API document)",
    enforcedIn: ["emulator/src/conformance/check.ts"],
  },
  ...PRIVATE_KEY_JWT_RULES,
  ...UNIVERSAL_LOGIN_RULES,
  ...LIMITS_RULES,
  ...RECORDED_RULES,
  ...PLANS_RULES,
] as const satisfies readonly Rule[];

export type RuleId = (typeof RULES)[number]["id"];

const START = "<!-- rules:start (generated from emulator/src/rules.ts) -->";
const END = "<!-- rules:end -->";
export const README_PATH = path.resolve(__dirname, "..", "README.md");

export function renderRulesTable(rules: readonly Rule[] = RULES): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const rows = rules.map(
    (r) =>
      `| \`${r.id}\` | ${cell(r.rule)} | ${cell(r.source)} | ${r.enforcedIn.map((f) => `\`${f}\``).join(", ")} |`,
  );
  return [START, "| id | rule | source | enforced in |", "|---|---|---|---|", ...rows, END].join(
    "\n",
  );
}

/** The README with its rules table replaced by the current one. */
export function withRulesTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README has no ${START} … ${END} block`);
  return readme.slice(0, start) + renderRulesTable() + readme.slice(end + END.length);
}

if (require.main === module && process.argv.includes("--write")) {
  writeFileSync(README_PATH, withRulesTable(readFileSync(README_PATH, "utf8")));
  console.log(`rules table written to ${README_PATH}`);
}
