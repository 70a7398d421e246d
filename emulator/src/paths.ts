/** Where things live on disk, relative to the repository root. */
import path from "node:path";

/** The repository root (this file is `<repo>/emulator/src/paths.ts`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Git-ignored home of everything the local tenants generate. */
export const ASTRAL_DIR = path.join(REPO_ROOT, ".astral");
export const DEFAULT_CA_DIR = path.join(ASTRAL_DIR, "ca");
export const DEFAULT_TENANTS_DIR = path.join(ASTRAL_DIR, "tenants");

/**
 * Auth0's Management API description. Read at run time from `<repo>/../shared/` (never copied
 * into the repository); `AUTH0_OPENAPI_PATH` overrides it.
 */
export function openApiPath(): string {
  return (
    process.env.AUTH0_OPENAPI_PATH ??
    path.resolve(REPO_ROOT, "..", "shared", "auth0", "management-api.openapi.json")
  );
}
