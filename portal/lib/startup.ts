import { checkLoginEnv, readManagementAccess } from "./config/env";
import { loadPortalConfig, portalConfigPath } from "./config/load";
import { checkApiDocuments } from "./reference/documents";

/** Validates config and environment; exits with every problem named when something is wrong. */
export function checkStartup(): void {
  const problems: string[] = [];
  for (const check of [loadPortalConfig, readManagementAccess, checkLoginEnv]) {
    try {
      check();
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length === 0) return;
  console.error(`\nAstral portal cannot start.\n${problems.join("\n")}\n`);
  process.exit(1);
}

/**
 * The OpenAPI documents of portal.config.js `apis` (files read, URLs fetched, each validated);
 * exits with each problem named. After checkStartup, so the config itself is valid here.
 */
export async function checkApiDocumentsAtStartup(): Promise<void> {
  const problems = await checkApiDocuments(loadPortalConfig().apis);
  if (problems.length === 0) return;
  console.error(
    `\nAstral portal cannot start.\n${portalConfigPath()} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
  );
  process.exit(1);
}
