import { checkLoginEnv, readManagementAccess } from "./config/env";
import { loadPortalConfig } from "./config/load";

/** Validates config and environment; exits with every problem named when something is wrong. */
export function checkStartup(): void {
  try {
    loadPortalConfig();
    readManagementAccess();
    checkLoginEnv();
  } catch (error) {
    console.error(`\nAstral portal cannot start.\n${(error as Error).message}\n`);
    process.exit(1);
  }
}
