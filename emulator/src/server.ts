/**
 * One port per tenant that speaks both HTTPS and plain HTTP: the first byte of a connection
 * tells them apart (0x16 opens a TLS handshake). APIs (Management API, token endpoint) are used
 * over HTTPS, which the SDKs require; the browser reaches the login page over plain HTTP so a
 * newcomer never sees a certificate warning.
 */
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net, { type AddressInfo, type Socket } from "node:net";

export interface DualServer {
  port: number;
  close(): Promise<void>;
}

export async function listenDual(
  opts: { port: number; keyPath: string; certPath: string },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<DualServer> {
  const tlsServer = https.createServer(
    { key: readFileSync(opts.keyPath), cert: readFileSync(opts.certPath) },
    handler,
  );
  const plainServer = http.createServer(handler);
  for (const s of [tlsServer, plainServer]) {
    // Idle keep-alive sockets stay open a minute, as Auth0's edge does: a client whose event loop
    // was busy (a Pulumi closure serialization, a Next build) must not reuse a socket the server
    // closed a moment before (ECONNRESET on its next request).
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
    s.requestTimeout = 70_000;
    s.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
  }
  tlsServer.on("tlsClientError", (_err, socket) => socket.destroy());
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    // A connection that never says anything is dropped; after the first byte the HTTP(S) server's
    // own timeouts apply.
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? tlsServer : plainServer).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  };
  // Loopback only. `localhost` may resolve to either family, so listen on both when IPv6 exists.
  const v4 = net.createServer(onConnection);
  const v6 = net.createServer(onConnection);
  const listen = (server: net.Server, port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(v4, opts.port, "127.0.0.1");
  const v6Up = await listen(v6, port, "::1").then(
    () => true,
    () => false,
  );
  const closeServer = (server: net.Server) =>
    new Promise<void>((done) => (server.listening ? server.close(() => done()) : done()));
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      tlsServer.closeAllConnections();
      plainServer.closeAllConnections();
      await Promise.all([closeServer(v4), v6Up ? closeServer(v6) : Promise.resolve()]);
    },
  };
}
