// Where the API server meets the network: one HTTPS listener with the serving certificate. Kept alone so that
// moving to runtime/'s shared listener (certificate reload, connection draining) is an edit of this file only.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Listener {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  /** 0 for any free port. */
  port: number;
  cert: string;
  key: string;
}

export async function listenHttps(
  options: ListenOptions,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Listener> {
  const server: Server = createServer({ cert: options.cert, key: options.key, minVersion: "TLSv1.2" }, handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: options.host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        // Watches stay open until their clients leave: end them so that close does not wait for the clients.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
