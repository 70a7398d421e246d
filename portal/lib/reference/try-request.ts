/**
 * "Try it" on the reference page: one request to a configured API's *Sandbox* base URL, sent by
 * the portal server with the short-lived token the member just got from one of their team's
 * Sandbox credentials (tryCredential / tryKeyPair). Why a server-side hop rather than CORS:
 * docs/decisions/0900-api-reference.md.
 *
 * It is not an open proxy: the target is always `apis[].environments.sandbox.baseUrl` plus the
 * path of an operation in that API's document (each path parameter one plain segment), with only
 * the operation's declared query parameters; redirects are not followed. Production is never a
 * target. The token must be one of this team's Sandbox credentials' (its `sub`), for this API's
 * Sandbox audience; the API itself verifies it. Nothing of the request is logged.
 */
import { decodeJwt } from "jose";
import { type Ctx, offeredEnvironment } from "../domain/context";
import { getTeamCredential } from "../domain/credential-changes";
import { PortalError } from "../errors";
import { loadApiDocument } from "./documents";
import { listOperations, matchesTemplate, type Operation } from "./operations";

export const MAX_RESPONSE_CHARS = 64 * 1024;

export interface TryRequestInput {
  teamId: string;
  clientId: string;
  api: string;
  operationId: string;
  /** The operation's path with its parameters filled in, e.g. /examples/ex_1. */
  path: string;
  query: Record<string, string>;
  body?: string | undefined;
  accessToken: string;
}

export interface TryResponse {
  status: number;
  contentType: string;
  body: string;
  truncated: boolean;
  /** Why the request failed, in words, when it did (401, missing scope, redirect). */
  explanation?: string;
}

function bearerChallenge(header: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of (header ?? "").matchAll(/(\w+)="([^"]*)"/g))
    if (m[1] && m[2] !== undefined) params[m[1]] = m[2];
  return params;
}

/** The reason a response failed, from its status and RFC 6750 challenge (or JSON body). */
export function explain(
  status: number,
  challengeHeader: string | null,
  body: string,
  operation: Operation,
  tokenScopes: string[],
): string | undefined {
  const challenge = bearerChallenge(challengeHeader);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // Not JSON: the challenge header alone.
  }
  const error = challenge.error ?? (typeof json.error === "string" ? json.error : "");
  const said =
    challenge.error_description ??
    (typeof json.error_description === "string" ? json.error_description : "");
  const has = tokenScopes.length ? tokenScopes.join(", ") : "no scopes";
  if (status === 401)
    return `401 from the API: it refused the token${said ? ` (${said})` : ""}. Tokens expire; get a new one with "Get a token", and check the credential is for this API's Sandbox audience.`;
  if (status === 403 && (error === "insufficient_scope" || operation.scopes.length)) {
    const needed = challenge.scope ?? operation.scopes.join(" ");
    const missing = needed.split(" ").filter((s) => s && !tokenScopes.includes(s));
    return `403 from the API: missing scope. This operation needs ${missing.join(", ") || needed}; your credential's token has ${has}. Credentials get the scopes this portal grants (ask a portal admin).`;
  }
  if (status === 403) return `403 from the API${said ? `: ${said}` : ""}.`;
  if (status >= 300 && status < 400)
    return `The API answered ${status} (a redirect); Try it does not follow redirects.`;
  return undefined;
}

export async function tryApiRequest(ctx: Ctx, input: TryRequestInput): Promise<TryResponse> {
  const api = ctx.portal.config().apis.find((a) => a.id === input.api);
  if (!api) throw new PortalError("not_found", "No such API in this portal.");
  const target = api.environments.sandbox;
  // Only Sandbox is ever called, and only when this portal offers it.
  if (!target) throw new PortalError("invalid_input", "This API has no Sandbox to try it on.");
  offeredEnvironment(ctx.portal, "sandbox");

  const operation = listOperations(await loadApiDocument(api)).find(
    (o) => o.id === input.operationId,
  );
  if (!operation) throw new PortalError("not_found", "No such operation in this API.");
  if (!matchesTemplate(operation.path, input.path))
    throw new PortalError("invalid_input", `The path must fit ${operation.path}.`);
  const declared = new Set(operation.parameters.filter((p) => p.in === "query").map((p) => p.name));
  const unknown = Object.keys(input.query).filter((k) => !declared.has(k));
  if (unknown.length)
    throw new PortalError(
      "invalid_input",
      `Not a query parameter of this operation: ${unknown.join(", ")}`,
    );
  if (input.body !== undefined && !operation.hasBody)
    throw new PortalError("invalid_input", "This operation takes no request body.");
  if (input.body !== undefined) {
    try {
      JSON.parse(input.body);
    } catch {
      throw new PortalError("invalid_input", "The request body is not valid JSON.");
    }
  }

  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(input.accessToken);
  } catch {
    throw new PortalError("invalid_input", "The access token is not a JWT.");
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.sub !== `${input.clientId}@clients` || !audiences.includes(target.audience))
    throw new PortalError(
      "invalid_input",
      "That token is not this credential's token for this API; get a new one.",
    );
  await getTeamCredential(ctx, input.teamId, "sandbox", input.clientId);

  const base = target.baseUrl.replace(/\/+$/, "");
  const url = new URL(`${base}${input.path}`);
  for (const [k, v] of Object.entries(input.query)) url.searchParams.set(k, v);
  // The filled-in template cannot leave the base URL (matchesTemplate); checked once more here.
  if (url.origin !== new URL(base).origin || !url.pathname.startsWith(new URL(base).pathname))
    throw new PortalError("invalid_input", "The path leaves the API's base URL.");

  let response: Response;
  try {
    response = await fetch(url, {
      method: operation.method.toUpperCase(),
      headers: {
        authorization: `Bearer ${input.accessToken}`,
        accept: "application/json",
        ...(input.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(input.body !== undefined ? { body: input.body } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new PortalError(
      "upstream_error",
      `The API's Sandbox (${new URL(base).host}) could not be reached or took longer than 10 s.`,
    );
  }
  const text = await response.text();
  const tokenScopes =
    typeof claims.scope === "string" ? claims.scope.split(" ").filter(Boolean) : [];
  const explanation = explain(
    response.status,
    response.headers.get("www-authenticate"),
    text,
    operation,
    tokenScopes,
  );
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: text.slice(0, MAX_RESPONSE_CHARS),
    truncated: text.length > MAX_RESPONSE_CHARS,
    ...(explanation ? { explanation } : {}),
  };
}
