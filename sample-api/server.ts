/**
 * The Example API for local use (`npm run dev` starts it on :4003, the tests on a free port), and
 * the reference for API owners on what "Validating tokens" means. Every request needs an access
 * token from the Sandbox tenant, checked with `jose` (no hand-written JWT checks):
 *
 * - signature: against the tenant's published keys (its JWKS), RS256 only, as Auth0 signs;
 * - `iss`: exactly the tenant URL with its trailing slash (a token from another tenant, e.g.
 *   Production, is refused);
 * - `aud`: this API's identifier (a token for another API is refused);
 * - `exp` (and `nbf`): not expired;
 * - `scope`: the operation's scope is among the token's space-separated scopes.
 *
 * A missing or bad token gets 401 and a missing scope 403, each with RFC 6750's WWW-Authenticate
 * header naming the problem, so a caller (and the portal's "Try it") can say why.
 *
 * No CORS headers: browsers do not call this API directly. The portal's "Try it" sends requests
 * through the portal server, which forwards only to the configured Sandbox base URL
 * (docs/decisions/0900-api-reference.md); an API that wants browser callers adds CORS itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";

export interface SampleApiOptions {
  /** The Sandbox tenant's domain (host[:port]); its issuer is https://<domain>/. */
  tenantDomain: string;
  /** This API's identifier, the `aud` its tokens must carry. */
  audience: string;
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
}

export interface SampleApi {
  url: string;
  close(): Promise<void>;
}

interface Example {
  id: string;
  name: string;
  createdAt: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requiredScope?: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 16 * 1024;
const MAX_EXAMPLES = 100;

export function createTokenVerifier(opts: { tenantDomain: string; audience: string }) {
  const issuer = `https://${opts.tenantDomain}/`;
  // jose fetches the key set once, caches it and refetches when a token names an unknown key
  // (a rotated signing key), rate-limited: the API never needs the tenant on each request.
  const keys = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));
  return async function verify(authorization: string | undefined): Promise<JWTPayload> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? "");
    if (!match?.[1])
      throw new HttpError(
        401,
        "invalid_token",
        "An Authorization: Bearer <access token> header is required.",
      );
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer,
        audience: opts.audience,
        algorithms: ["RS256"],
        requiredClaims: ["exp"],
      });
      return payload;
    } catch (error) {
      throw new HttpError(401, "invalid_token", describeTokenError(error));
    }
  };
}

/** What was wrong with a token, in words a caller can act on (never the token itself). */
function describeTokenError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The access token has expired; get a new one.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "The access token is not from the Sandbox tenant.";
    if (error.claim === "aud") return "The access token is not for this API (wrong audience).";
    return `The access token's ${error.claim} claim is not valid.`;
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  )
    return "The access token's signature does not match the Sandbox tenant's keys.";
  return "The access token is not a valid JWT.";
}

/** Throws 403 unless the token carries `scope` (Auth0 puts granted scopes in `scope`). */
function requireScope(token: JWTPayload, scope: string): void {
  const granted = typeof token.scope === "string" ? token.scope.split(" ") : [];
  if (!granted.includes(scope))
    throw new HttpError(
      403,
      "insufficient_scope",
      `This operation needs the ${scope} scope.`,
      scope,
    );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "too_large", "The body is too large.");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_body", "The body must be JSON.");
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export async function startSampleApi(opts: SampleApiOptions): Promise<SampleApi> {
  const verify = createTokenVerifier(opts);
  const examples: Example[] = [{ id: "ex_1", name: "Hello", createdAt: new Date().toISOString() }];

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const one = /^\/examples\/([^/]+)$/.exec(url.pathname);
    // Authenticate before anything else, so an unknown path does not tell a caller more than a 401.
    const token = await verify(req.headers.authorization);
    if (url.pathname === "/examples" && req.method === "GET") {
      requireScope(token, "read:examples");
      const limit = Math.min(50, Math.max(1, Number(url.searchParams.get("limit")) || 10));
      return send(res, 200, { examples: examples.slice(-limit).reverse() });
    }
    if (url.pathname === "/examples" && req.method === "POST") {
      requireScope(token, "write:examples");
      const body = await readJson(req);
      const name = (body as { name?: unknown } | null)?.name;
      if (typeof name !== "string" || name.length < 1 || name.length > 100)
        throw new HttpError(400, "invalid_body", "The body needs a name of 1 to 100 characters.");
      const example = {
        id: `ex_${examples.length + 1}`,
        name,
        createdAt: new Date().toISOString(),
      };
      if (examples.length < MAX_EXAMPLES) examples.push(example);
      return send(res, 201, example);
    }
    if (one && req.method === "GET") {
      requireScope(token, "read:examples");
      const found = examples.find((e) => e.id === one[1]);
      if (!found) throw new HttpError(404, "not_found", "No example has that id.");
      return send(res, 200, found);
    }
    throw new HttpError(404, "not_found", "No such operation.");
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!(error instanceof HttpError)) {
        console.error("sample API:", error instanceof Error ? error.message : error);
        return send(res, 500, { error: "server_error", error_description: "Unexpected error." });
      }
      // RFC 6750 §3: the challenge says which error, and for insufficient_scope which scope.
      const challenge: Record<string, string> =
        error.status === 401 || error.status === 403
          ? {
              "www-authenticate": `Bearer error="${error.code}", error_description="${error.message}"${
                error.requiredScope ? `, scope="${error.requiredScope}"` : ""
              }`,
            }
          : {};
      send(res, error.status, { error: error.code, error_description: error.message }, challenge);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
