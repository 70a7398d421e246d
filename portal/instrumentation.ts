// Runs once when the server starts (dev, `next start` and the standalone server): a bad
// portal.config.js or environment stops the portal with every problem named, before any request.
// SIGTERM needs nothing here: Next's server stops accepting, finishes in-flight requests, exits.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkStartup, checkApiDocumentsAtStartup } = await import("./lib/startup");
    checkStartup();
    await checkApiDocumentsAtStartup();
  }
}
