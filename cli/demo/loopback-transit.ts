// Bytes on their way between two ends of this process: a connection whose client and server both live here (the
// world's API servers and their clients in `poolkeeper run`, the webhook and the API server calling it) while one
// end has written what the other has not taken in yet — in the writer's buffer, the kernel, or the reader's buffer. The requests
// that wait on purpose (a Kubernetes watch, an SQS long poll) are not work while they wait, but what the server
// writes into them is until the client has read it: a watch event, the message that ends a long poll. Without this
// a virtual clock could move while the answer is between the sockets — on a loaded machine the kernel can take
// longer than the few event-loop turns a quiescence waits — and run past a deadline the answer would have met.
//
// Counted from Node's `net.client.socket` and `net.server.socket` diagnostics channels and the sockets' own byte
// counts. A TLS socket counts the plaintext it reads and writes, so a connection's server end is compared through
// the socket its HTTP requests arrive on (the TLS one for HTTPS); before its first request there, a client that has
// written anything has a request on its way.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";

/** A connection by its two ends' addresses, the same string seen from either end. */
function connectionKey(client: { address: string; port: number }, server: { address: string; port: number }): string {
  return `${client.address}:${client.port}>${server.address}:${server.port}`;
}

interface ServerEnd {
  /** The socket the server accepted (the TCP one, under TLS for HTTPS). */
  readonly accepted: Socket;
  /** The socket its HTTP requests arrive on, once one has: the TLS socket for HTTPS, the accepted one otherwise. */
  plaintext?: Socket;
}

export class LoopbackTransit {
  readonly #clients = new Set<Socket>();
  readonly #servers = new Map<string, ServerEnd>();

  readonly #onClient = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    this.#clients.add(socket);
    socket.once("close", () => this.#clients.delete(socket));
  };
  readonly #onServer = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    const key = serverKey(socket);
    if (key === undefined) return;
    this.#servers.set(key, { accepted: socket });
    socket.once("close", () => this.#servers.delete(key));
  };

  constructor() {
    subscribe("net.client.socket", this.#onClient);
    subscribe("net.server.socket", this.#onServer);
  }

  /** An HTTP request arrived on `socket` (a server's end): its byte counts are the ones to compare. */
  requestArrived(socket: Socket): void {
    const key = serverKey(socket);
    const end = key === undefined ? undefined : this.#servers.get(key);
    if (end) end.plaintext = socket;
  }

  /** Connections within this process with bytes written by one end and not yet read by the other. */
  get inTransit(): number {
    let moving = 0;
    for (const client of this.#clients) {
      if (client.destroyed || client.localPort === undefined || client.remotePort === undefined) continue;
      const server = this.#servers.get(
        connectionKey(
          { address: client.localAddress ?? "", port: client.localPort },
          { address: client.remoteAddress ?? "", port: client.remotePort },
        ),
      );
      // Not a connection to a server of this process (or the server has closed it): nothing to wait for here.
      if (server === undefined || server.accepted.destroyed || server.plaintext?.destroyed) continue;
      const plaintext = server.plaintext;
      if (plaintext === undefined) {
        if (client.bytesWritten > 0) moving++;
        continue;
      }
      if (client.bytesWritten !== consumed(plaintext) || plaintext.bytesWritten !== consumed(client)) moving++;
    }
    return moving;
  }

  close(): void {
    unsubscribe("net.client.socket", this.#onClient);
    unsubscribe("net.server.socket", this.#onServer);
  }
}

/** What a socket has read and handed on: bytes still in its own buffer (a paused socket's) have not arrived yet. */
function consumed(socket: Socket): number {
  return socket.bytesRead - socket.readableLength;
}

/** The connection a server's socket is one end of, seen from its client. */
function serverKey(socket: Socket): string | undefined {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (localAddress === undefined || localPort === undefined || remoteAddress === undefined || remotePort === undefined)
    return undefined;
  return connectionKey({ address: remoteAddress, port: remotePort }, { address: localAddress, port: localPort });
}
