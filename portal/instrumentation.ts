// Runs once when the server starts (dev, `next start` and the standalone server): a bad
// portal.config.js or environment stops the portal with every problem named, before any request.
// SIGTERM needs nothing here: Next's server stops accepting, finishes in-flight requests, exits.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { loadPortalConfig } = await import("./lib/config/load");
  const { checkLoginEnv, readManagementAccess } = await import("./lib/config/env");
  try {
    loadPortalConfig();
    readManagementAccess();
    checkLoginEnv();
  } catch (error) {
    console.error(`\nAstral portal cannot start.\n${(error as Error).message}\n`);
    process.exit(1);
  }
}
