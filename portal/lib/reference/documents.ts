/**
 * The OpenAPI documents of the configured APIs (`apis[].openapi` in portal.config.js): a file
 * shipped beside the config, or an https:// URL the server fetches. Each is parsed, dereferenced
 * and validated with @apidevtools/swagger-parser; start-up (instrumentation.ts) loads them all,
 * so a bad document stops the portal with a message naming the API and the problem.
 *
 * Files are re-read when they change (as the config is); URLs are fetched at start-up and again
 * after URL_TTL_MS, keeping the last good copy if a refetch fails.
 */
import { statSync } from "node:fs";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { OpenAPIV3 } from "openapi-types";
import { portalConfigPath } from "../config/load";
import type { ApiReferenceConfig } from "../config/schema";

export type OpenApiDocument = OpenAPIV3.Document;

export class ApiDocumentError extends Error {
  constructor(
    readonly api: string,
    readonly problem: string,
  ) {
    super(`apis[${api}].openapi: ${problem}`);
    this.name = "ApiDocumentError";
  }
}

const URL_TTL_MS = 5 * 60_000;

/** Where a file document is: relative paths are relative to the config file. */
export function documentPath(api: ApiReferenceConfig, configFile = portalConfigPath()): string {
  return path.resolve(/* turbopackIgnore: true */ path.dirname(configFile), api.openapi);
}

/** Parses, dereferences and validates one document; OpenAPI 3.x only. */
export async function parseApiDocument(
  api: ApiReferenceConfig,
  configFile = portalConfigPath(),
): Promise<OpenApiDocument> {
  const remote = api.openapi.startsWith("https://");
  try {
    // JSON or YAML; swagger-parser reads the file or fetches the URL (and the $refs in it).
    const document = await SwaggerParser.validate(
      remote ? api.openapi : documentPath(api, configFile),
      {
        resolve: { http: { timeout: 10_000 } },
      },
    );
    if (!("openapi" in document) || !/^3\./.test(String(document.openapi)))
      throw new Error("only OpenAPI 3.x documents are supported (convert Swagger 2.0 first)");
    return document as OpenApiDocument;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiDocumentError(api.id, message.split("\n").slice(0, 6).join(" "));
  }
}

interface Cached {
  key: string;
  loadedAt: number;
  document: OpenApiDocument;
}
const cache = new Map<string, Cached>();

function cacheKey(api: ApiReferenceConfig, configFile: string): string {
  if (api.openapi.startsWith("https://")) return api.openapi;
  const file = documentPath(api, configFile);
  let mtime = 0;
  try {
    mtime = statSync(/* turbopackIgnore: true */ file).mtimeMs;
  } catch {
    // Missing: parseApiDocument names it.
  }
  return `${file}@${mtime}`;
}

/** The document of one API, from the cache when still current. */
export async function loadApiDocument(
  api: ApiReferenceConfig,
  configFile = portalConfigPath(),
): Promise<OpenApiDocument> {
  const key = cacheKey(api, configFile);
  const cached = cache.get(api.id);
  const fresh =
    cached?.key === key &&
    (!api.openapi.startsWith("https://") || Date.now() - cached.loadedAt < URL_TTL_MS);
  if (cached && fresh) return cached.document;
  try {
    const document = await parseApiDocument(api, configFile);
    cache.set(api.id, { key, loadedAt: Date.now(), document });
    return document;
  } catch (error) {
    // A URL that fails to refetch keeps serving the last good copy (it was valid at start-up).
    if (cached && cached.key === key) return cached.document;
    throw error;
  }
}

/** Every configured document, each problem named; used at start-up. */
export async function checkApiDocuments(
  apis: ApiReferenceConfig[],
  configFile = portalConfigPath(),
): Promise<string[]> {
  const results = await Promise.allSettled(apis.map((api) => loadApiDocument(api, configFile)));
  return results.flatMap((r) =>
    r.status === "rejected"
      ? [r.reason instanceof Error ? r.reason.message : String(r.reason)]
      : [],
  );
}
