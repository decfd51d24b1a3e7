// Graceful shutdown of a node:http(s) server, shared by the admission webhook (webhook/server.ts) and the push-hook
// endpoint of `poolkeeper sync` (gitops/hook-server.ts), which must drain the same way: stop accepting, close every
// connection that carries no request at once, let in-flight requests finish with `Connection: close`, and cut
// whatever is left after a deadline (or at once, on a second SIGTERM). One copy, so the two servers cannot drift
// apart.
//
// "Carries no request" is this file's own bookkeeping, not server.closeIdleConnections(): Node counts a connection
// as idle only between two requests, so one that has sent nothing since it was opened, or a TLS one still in its
// handshake, would stay open — and server.close() stops the header timeout that would otherwise end it — holding
// the shutdown for its whole deadline.
import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { systemClock, type Timer, type TimerClock } from "../api/index.ts";
import type { Logger } from "./log.ts";

export interface ConnectionDrainOptions {
  /** The server to drain, plain or TLS; its connections are tracked from construction on. */
  server: Server;
  logger: Logger;
  /** In-flight requests get this long after close() before every connection is destroyed. */
  shutdownMs: number;
  /** Runs the shutdown deadline; the system clock by default. */
  clock?: TimerClock;
  /** Also log "shutting down" (with the counts) when a shutdown starts and "shut down" when it ends. */
  logProgress?: boolean;
}

/**
 * A connection's remote end, which tells it apart from every other open connection of a listening socket. It ties
 * the socket a TLS server accepted to the TLS socket its requests arrive on: both read the same file descriptor.
 */
function peerOf(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined ? undefined : `${remoteAddress}|${remotePort}`;
}

/** Tracks a server's open sockets and in-flight responses, and closes them gracefully. */
export class ConnectionDrain {
  readonly #server: Server;
  readonly #logger: Logger;
  readonly #shutdownMs: number;
  readonly #clock: TimerClock;
  readonly #logProgress: boolean;
  readonly #inFlight = new Set<ServerResponse>();
  /** Every accepted socket (for a TLS server, the TCP socket under the TLS one), by its remote end. */
  readonly #sockets = new Map<Socket, string | undefined>();
  /** In-flight responses per remote end. */
  readonly #busy = new Map<string, number>();
  #draining = false;
  #closing: Promise<void> | undefined;

  constructor(options: ConnectionDrainOptions) {
    this.#server = options.server;
    this.#logger = options.logger;
    this.#shutdownMs = options.shutdownMs;
    this.#clock = options.clock ?? systemClock;
    this.#logProgress = options.logProgress ?? false;
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.set(socket, peerOf(socket));
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** True once close() has been called: readiness should answer 503 from then on. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Whether a response is in flight on this connection (the socket its requests arrive on). */
  responding(socket: Socket): boolean {
    const peer = peerOf(socket);
    return peer !== undefined && this.#busy.has(peer);
  }

  /** Counts a response as in flight until it closes; call it first thing for every request. */
  track(res: ServerResponse): void {
    // While draining, every response closes its connection, so clients (the API server, a git host) open their
    // next one to a pod that is staying up instead of reusing this one until it is cut.
    if (this.#draining) res.setHeader("Connection", "close");
    this.#inFlight.add(res);
    const socket = res.socket;
    const peer = socket ? peerOf(socket) : undefined;
    if (peer !== undefined) this.#busy.set(peer, (this.#busy.get(peer) ?? 0) + 1);
    res.on("close", () => {
      this.#inFlight.delete(res);
      if (peer === undefined) return;
      const left = (this.#busy.get(peer) ?? 1) - 1;
      if (left > 0) return void this.#busy.set(peer, left);
      this.#busy.delete(peer);
      // A response whose headers went out before the drain began did not say `Connection: close`: its connection
      // would stay open, idle, until the deadline. It ends once its last response is written.
      if (this.#draining) socket?.end();
    });
  }

  /**
   * Starts the graceful shutdown: marks the drain, runs `onClosing` (the server releases its watchers there),
   * stops accepting connections, closes every connection that carries no request, and after `shutdownMs` destroys
   * whatever is left. Resolves when the server has closed. Later calls return the same promise (and do not run
   * their `onClosing`).
   */
  close(onClosing?: () => void): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#draining = true;
      onClosing?.();
      const server = this.#server;
      if (!server.listening && this.#sockets.size === 0) return resolve();
      if (this.#logProgress) this.#logger.info(this.#counts(), "shutting down");
      for (const res of this.#inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
      const hardStop: Timer = this.#clock
        .afterFunc(this.#shutdownMs, () => {
          this.#logger.warn(this.#counts(), "shutdown timed out; closing connections");
          this.destroyAll();
        })
        .unref();
      const finish = () => {
        hardStop.stop();
        if (this.#logProgress) this.#logger.info("shut down");
        resolve();
      };
      if (server.listening) server.close(finish);
      else finish();
      // Idle keep-alive connections, connections that never sent a request, TLS handshakes under way: none of
      // them carries a request, and none will be let start one.
      for (const [socket, peer] of this.#sockets) {
        if (peer === undefined || !this.#busy.has(peer)) socket.destroy();
      }
    });
    return this.#closing;
  }

  /** Destroys every connection now (a second SIGTERM during a graceful shutdown). */
  destroyAll(): void {
    this.#server.closeAllConnections();
    // Sockets still in their TLS handshake are not HTTP connections yet; they go too.
    for (const socket of this.#sockets.keys()) socket.destroy();
  }

  #counts(): { inFlight: number; connections: number } {
    return { inFlight: this.#inFlight.size, connections: this.#sockets.size };
  }
}
