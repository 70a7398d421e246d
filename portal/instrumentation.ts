// Runs once when the server starts (dev, `next start` and the standalone server): a bad
// portal.config.js or environment stops the portal with every problem named, before any request.
// SIGTERM needs nothing here: Next's server stops accepting, finishes in-flight requests, exits.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkStartup, checkApiDocumentsAtStartup } = await import("./lib/startup");
    checkStartup();
    await checkApiDocumentsAtStartup();
    // The first page views' reads, ahead of them, in the budget's idle moments (prewarm.ts);
    // the load balancer lets users in once they are done (/api/ready, lib/readiness.ts).
    const [{ portal }, { prewarm }, { markWarm }] = await Promise.all([
      import("./lib/portal"),
      import("./lib/domain/prewarm"),
      import("./lib/readiness"),
    ]);
    const started = Date.now();
    // `ms`: how long the task was not ready (503 on /api/ready).
    const log = (line: object) =>
      console.log(JSON.stringify({ type: "prewarm", ...line, ms: Date.now() - started }));
    void Promise.resolve()
      .then(() => prewarm(portal()))
      .then(log, (error: unknown) => log({ error: String(error) }))
      .finally(() => markWarm());
  }
}
