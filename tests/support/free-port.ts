/**
 * A port nobody listens on now (the OS picks it: listen(0)), for a server a test or benchmark
 * starts: no fixed port, so tests pass beside `npm run dev`. Plain Node, no vitest: the load
 * benchmark imports it too.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
