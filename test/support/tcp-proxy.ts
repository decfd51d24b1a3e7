// A TCP proxy in front of a server, for tests of what a client does when the network fails it: `drop()` cuts
// every open connection (a watch ends mid-stream as when a load balancer or the API server goes away), `hold()`
// refuses new connections until `release()` (the server unreachable for a while). TLS passes through untouched.
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Destroys every open connection, both ways. */
  drop(): void;
  /** New connections are closed at once until release(). */
  hold(): void;
  release(): void;
  /** Connections accepted so far (refused ones included). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let held = false;
  let connections = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    connections++;
    if (held) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return {
    port: address.port,
    drop: () => {
      for (const socket of sockets) socket.destroy();
    },
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
    },
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
