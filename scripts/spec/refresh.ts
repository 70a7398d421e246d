/**
 * `npm run spec:refresh -- [url-or-file]`: replaces the vendored Auth0 Management API skeleton
 * (emulator/spec/) with a newer copy, after checking that it is one the local tenants can mount,
 * and rewrites the sha256 in emulator/spec/NOTICE.md. The default source is auth0-mock's copy,
 * the MIT-licensed skeleton this project vendors (see NOTICE.md for why not Auth0's own file:
 * that one carries Auth0's prose).
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HANDLERS } from "../../emulator/src/management/router";
import { SUPPLEMENT_MARK } from "../../emulator/src/openapi";
import { OPENAPI_PATH, SUPPLEMENTS_PATH } from "../../emulator/src/paths";
import { runCli, UsageError } from "../lib/cli";

export const DEFAULT_SOURCE =
  "https://raw.githubusercontent.com/sergiught/auth0-mock/main/api/auth0-management-api.openapi.json";
const NOTICE_PATH = path.join(path.dirname(OPENAPI_PATH), "NOTICE.md");

interface Doc {
  openapi?: unknown;
  paths?: Record<string, Record<string, { operationId?: string; security?: unknown }>>;
}

/**
 * The operations of the local supplements (emulator/spec/supplements.json): operations Auth0
 * documents that the vendored copy predates. Each must name its source.
 */
export function supplementOperations(
  file = SUPPLEMENTS_PATH,
): Map<string, { security: unknown; source: unknown }> {
  const doc = JSON.parse(readFileSync(file, "utf8")) as {
    paths?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const ops = new Map<string, { security: unknown; source: unknown }>();
  for (const methods of Object.values(doc.paths ?? {}))
    for (const op of Object.values(methods)) {
      const mark = op[SUPPLEMENT_MARK] as { source?: unknown } | undefined;
      ops.set(String(op.operationId), { security: op.security, source: mark?.source });
    }
  return ops;
}

/**
 * Problems that would stop the local tenants from using `text`: not JSON, not OpenAPI 3, or an
 * operation the emulator mounts is missing (from it and from the local supplements) or has no
 * scopes. Empty when it is usable.
 */
export function checkSpec(
  text: string,
  mounted = Object.keys(HANDLERS),
  supplements = supplementOperations(),
): string[] {
  let doc: Doc;
  try {
    doc = JSON.parse(text) as Doc;
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  if (typeof doc.openapi !== "string" || !doc.openapi.startsWith("3."))
    return ["not an OpenAPI 3 document (no `openapi: 3.x`)"];
  const ops = new Map<string, unknown>();
  for (const methods of Object.values(doc.paths ?? {}))
    for (const op of Object.values(methods))
      if (op.operationId) ops.set(op.operationId, op.security);
  // A supplement counts only where Auth0's document lacks the operation (Auth0's own wins).
  for (const [id, extra] of supplements) if (!ops.has(id)) ops.set(id, extra.security);
  const problems: string[] = [];
  for (const id of mounted) {
    if (!ops.has(id)) problems.push(`operation ${id} (mounted by the local tenants) is missing`);
    else if (!Array.isArray(ops.get(id))) problems.push(`operation ${id} lists no scopes`);
  }
  return problems;
}

async function read(source: string): Promise<string> {
  if (!/^https:\/\//.test(source)) return readFileSync(source, "utf8");
  const response = await fetch(source);
  if (!response.ok) throw new UsageError(`${source} answered HTTP ${response.status}`);
  return response.text();
}

export async function refresh(source: string): Promise<string> {
  const text = await read(source);
  const problems = checkSpec(text);
  if (problems.length)
    throw new UsageError(`${source} cannot replace the vendored copy:\n- ${problems.join("\n- ")}`);
  const sha = createHash("sha256").update(text).digest("hex");
  writeFileSync(OPENAPI_PATH, text);
  const notice = readFileSync(NOTICE_PATH, "utf8");
  writeFileSync(NOTICE_PATH, notice.replace(/(\| sha256 \| `)[0-9a-f]{64}(` \|)/, `$1${sha}$2`));
  return sha;
}

if (require.main === module) {
  runCli(async () => {
    const source = process.argv[2] ?? DEFAULT_SOURCE;
    const sha = await refresh(source);
    console.log(
      `emulator/spec/management-api.openapi.json replaced from ${source} (sha256 ${sha})`,
    );
    return 0;
  });
}
