/** Where things live on disk, relative to the repository root. */
import path from "node:path";

/** The repository root (this file is `<repo>/emulator/src/paths.ts`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Git-ignored home of everything the local tenants generate. */
export const ASTRAL_DIR = path.join(REPO_ROOT, ".astral");
export const DEFAULT_CA_DIR = path.join(ASTRAL_DIR, "ca");
export const DEFAULT_TENANTS_DIR = path.join(ASTRAL_DIR, "tenants");

/**
 * Auth0's Management API description, vendored with its provenance and licence notice in
 * `emulator/spec/` (see its NOTICE.md; `npm run spec:refresh` replaces it).
 */
export const OPENAPI_PATH = path.join(REPO_ROOT, "emulator", "spec", "management-api.openapi.json");

export function openApiPath(): string {
  return OPENAPI_PATH;
}

/**
 * Operations Auth0 documents that the vendored skeleton predates (e.g. `GET /clients/search`),
 * each marked `x-astral-supplement` with its source; merged into the document at load time.
 */
export const SUPPLEMENTS_PATH = path.join(REPO_ROOT, "emulator", "spec", "supplements.json");
