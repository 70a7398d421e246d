/** Small helpers shared by the emulator's integration tests (raw HTTP, tokens, schemas). */
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, expect } from "vitest";
import type { Doc } from "../src/collection";
import { loadManagementApi } from "../src/openapi";
import { readBootstrap } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";

/** One operation of Auth0's Management API document, as far as the tests read it. */
export interface OpenApiOperation {
  operationId: string;
  security?: Array<{ oAuth2ClientCredentials?: string[] }>;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: object;
}

/** Auth0's document with the local supplements merged in, as the tenants mount it. */
export const readOpenApi = (): OpenApiDocument => loadManagementApi() as unknown as OpenApiDocument;

/**
 * Checks a response body against the document's schema for that operation and status, with an
 * ajv (JSON Schema 2020-12) independent of the emulator's own. A 204 has no body.
 */
export function responseChecker(
  doc: OpenApiDocument,
): (operationId: string, status: number, body: unknown) => void {
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addSchema({ $id: "auth0", components: doc.components });
  const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
  return (operationId, status, body) => {
    const op = operations.find((o) => o.operationId === operationId);
    expect(op, operationId).toBeDefined();
    if (status === 204) {
      expect(body).toBeUndefined();
      return;
    }
    const schema = op?.responses[String(status)]?.content?.["application/json"]?.schema;
    expect(schema, `${operationId} ${status} has a schema`).toBeDefined();
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"auth0#/components/')),
    );
    expect(validate(body), `${operationId} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(
      true,
    );
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One raw request; the body is parsed as JSON when it is JSON. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    rawBody?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  } else if (opts.rawBody !== undefined) {
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * A Management API token of the tenant's bootstrap client (every scope), narrowed to `scopes`
 * through the token endpoint's `scope` parameter, as Auth0 does.
 */
export async function managementToken(
  env: SeededTenants,
  tenant: "production" | "sandbox",
  scopes?: readonly string[],
): Promise<string> {
  const boot = readBootstrap(env.stateDir, tenant);
  const params: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: boot.clientId,
    client_secret: boot.clientSecret,
    audience: boot.audience,
  };
  if (scopes) params.scope = scopes.join(" ");
  const res = await fetch(`${env.tenants[tenant].baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  if (res.status !== 200)
    throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Auth0's error shape, with the status it came with. */
export function expectAuth0Error(reply: Reply): {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
} {
  const body = reply.body as Record<string, unknown>;
  if (
    typeof body !== "object" ||
    body === null ||
    body.statusCode !== reply.status ||
    typeof body.error !== "string" ||
    typeof body.message !== "string" ||
    typeof body.errorCode !== "string"
  ) {
    throw new Error(`not an Auth0 error for status ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return body as never;
}

/**
 * The secret the tenant keeps for a client, read from its state file (written a moment after
 * each change): a Private Key JWT client's is in no Management API answer
 * (rule `clients.auth-methods.secret-hidden`), yet a test must show that it does not work.
 */
export async function storedClientSecret(
  env: SeededTenants,
  tenant: "production" | "sandbox",
  clientId: string,
): Promise<string> {
  const file = path.join(env.stateDir, tenant, "state.json");
  // A bound for a write that never comes, not a budget: on a loaded machine the background
  // write (in slices) took over 5 s.
  for (const until = Date.now() + 20_000; Date.now() < until; ) {
    try {
      const state = JSON.parse(readFileSync(file, "utf8")) as { clients: Doc[] };
      const secret = state.clients.find((c) => c.client_id === clientId)?.client_secret;
      if (typeof secret === "string") return secret;
    } catch {
      // not written yet, or being replaced
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no stored secret for ${clientId} in ${file}`);
}

/**
 * A test file's seeded tenants, started once before its tests and stopped after them: `use` gets
 * them with the sandbox tenant's Management API base URL and a token for it.
 */
export function sandboxApiForFile(
  use: (api: { env: SeededTenants; base: string; token: string }) => void,
): void {
  let env: SeededTenants | undefined;
  beforeAll(async () => {
    env = await startSeededTenants();
    use({ env, base: env.tenants.sandbox.baseUrl, token: await managementToken(env, "sandbox") });
  });
  afterAll(() => env?.close());
}
