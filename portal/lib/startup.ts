import { checkLoginEnv, readManagementAccess } from "./config/env";
import { loadPortalConfig } from "./config/load";

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
