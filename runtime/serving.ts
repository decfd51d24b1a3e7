// The HTTP(S) endpoint of every long-running command (the admission webhook, the push hook of `poolkeeper sync`,
// next the controller's health and metrics): node:http, or node:https with the serving certificate hot-reloaded
// (new connections get the new one, open ones keep theirs) and optionally client certificates verified; the
// header, request, keep-alive and handshake timeouts that keep slow clients from holding connections; the limits
// that keep many clients from exhausting memory and file descriptors (open connections, requests in flight); and
// the graceful shutdown of ConnectionDrain. One copy, so the servers cannot drift apart. Mirrors what
// k8s.io/apiserver's SecureServingInfo.Serve does with its dynamic serving certificate, client CA and shutdown
// timeout, and its max-requests-inflight filter (WithMaxInFlightLimit: 429 there, 503 here, as Retry-After is the
// same and the API server treats both alike).
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Registry } from "prom-client";
import { systemClock, type TimerClock } from "../api/index.ts";
import { ConnectionDrain } from "./connection-drain.ts";
import type { FileWatchOptions } from "./file-watch.ts";
import type { Logger } from "./log.ts";
import { createRegistry, servingMetrics } from "./metrics.ts";
import { throttledLog } from "./throttled-log.ts";
import { secureContextOf, type CertificateStore } from "./tls.ts";

export interface ServingTimeouts {
  /** Time a client has to send the request headers… */
  headersMs: number;
  /** …and the whole request (Node answers 408 after; slow clients cannot hold connections open). */
  requestMs: number;
  /** Idle keep-alive connections are closed after this. */
  keepAliveMs: number;
  /** Time a client has to complete the TLS handshake. */
  handshakeMs: number;
  /** Graceful shutdown: in-flight requests get this long before every connection is closed. */
  shutdownMs: number;
  /** How often Node checks the header and request timeouts (the timeouts' resolution). */
  checkIntervalMs: number;
}

/** How much the clients of one server may hold at once. */
export interface ServingLimits {
  /**
   * Most open connections (net.Server maxConnections, handshakes included): past it a new connection is closed as
   * it is accepted, counted and logged, instead of taking a file descriptor and its buffers until the process has
   * none left (then the kernel's accept fails, and libuv drops those connections without a word).
   */
  maxConnections: number;
  /**
   * Most requests with a body (any method but GET and HEAD) in flight at once, from their headers to the end of
   * their response: past it a request is answered 503 with `Retry-After` before its body is read. Health,
   * readiness and metrics reads are never refused for this.
   */
  maxInFlight: number;
}

/** Generous for the API server (a connection per concurrent review) and a Git host; small beside a process's fds. */
export const DEFAULT_SERVING_LIMITS: ServingLimits = { maxConnections: 512, maxInFlight: 32 };

/** Seconds a shed request is told to wait (Retry-After), as the API server's own max-in-flight filter says. */
const RETRY_AFTER_SECONDS = 1;

/** At most one log line per this long for each kind of refusal under load; the metrics count them all. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * How client certificates (mutual TLS) are checked when the certificate store has a client CA (its
 * `clientCaFile`): the CA is part of the reloaded material, so it is in every secure context, reloaded ones
 * included.
 */
export interface ClientCertificates {
  /**
   * Refuse a client at the handshake unless its certificate verifies against the client CA (node:tls
   * rejectUnauthorized); true by default. With false, the handler decides from `req.socket.authorized`.
   */
  rejectUnauthorized?: boolean;
}

export interface ServingOptions {
  /** Answers every request (each is counted for the drain first). */
  handler: http.RequestListener;
  timeouts: ServingTimeouts;
  /** DEFAULT_SERVING_LIMITS where not given. */
  limits?: Partial<ServingLimits>;
  logger: Logger;
  /** Where the connections dropped and requests shed are counted; a registry of its own by default. */
  registry?: Registry;
  /** Runs the shutdown deadline and paces the refusal log lines; the system clock by default. */
  clock?: TimerClock;
  /** Serve HTTPS with this certificate, reloaded when it changes; plain HTTP without one. */
  certificates?: CertificateStore;
  /** With a certificate store that has a client CA: how strictly client certificates are checked. */
  clientCertificates?: ClientCertificates;
  /** How the certificate files are watched once listening, or false to reload only on request. */
  watch?: FileWatchOptions | false;
  /** Log "shutting down" and "shut down" around a graceful shutdown. */
  logShutdown?: boolean;
}

export interface Serving {
  /** The node:http server, or node:https with `certificates`. */
  readonly server: http.Server;
  /** True once a shutdown has started: readiness should answer 503 from then on. */
  readonly draining: boolean;
  /** Starts serving (and watching the certificate files); resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stops accepting connections and watching files (`onClosing` stops the caller's own
   * watchers), closes idle keep-alive connections, lets in-flight requests finish (their responses close their
   * connections), and after `shutdownMs` closes whatever is left. Resolves when every connection is gone. Later
   * calls return the same promise.
   */
  close(onClosing?: () => void): Promise<void>;
  /** Closes every connection now (a second SIGTERM during a graceful shutdown). */
  closeAllConnections(): void;
}

export function createServing(options: ServingOptions): Serving {
  const { timeouts, logger, certificates, clientCertificates } = options;
  const limits: ServingLimits = { ...DEFAULT_SERVING_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const metrics = servingMetrics(options.registry ?? createRegistry({ processMetrics: false }));
  let admitted = 0;
  const logShed = throttledLog(clock, REFUSAL_LOG_INTERVAL_MS, (leftOut) =>
    logger.warn(
      { maxInFlight: limits.maxInFlight, retryAfterSeconds: RETRY_AFTER_SECONDS, notLogged: leftOut },
      "request refused with 503: the server has its maxInFlight requests in flight",
    ),
  );
  const listener: http.RequestListener = (req, res) => {
    // Counted until it closes; while draining, it also closes its connection (see ConnectionDrain).
    drain.track(res);
    if (req.method !== "GET" && req.method !== "HEAD") {
      if (admitted >= limits.maxInFlight) {
        metrics.requestsShed.inc();
        logShed();
        // Before the body is read, so the connection closes: its unread body is not worth reading.
        const body = "too many requests in flight; retry\n";
        res.writeHead(503, {
          "Retry-After": String(RETRY_AFTER_SECONDS),
          Connection: "close",
          "Content-Type": "text/plain; charset=utf-8",
          "Content-Length": Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      admitted++;
      res.on("close", () => admitted--);
    }
    options.handler(req, res);
  };
  const serverOptions: http.ServerOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  };
  let server: http.Server;
  if (certificates) {
    // setSecureContext replaces the whole context: secureContextOf puts the client CA into each one, or a rotation
    // would drop it.
    const clientAuth =
      certificates.current.clientCa === undefined
        ? {}
        : { requestCert: true, rejectUnauthorized: clientCertificates?.rejectUnauthorized ?? true };
    const secure = https.createServer(
      {
        ...serverOptions,
        ...secureContextOf(certificates.current),
        ...clientAuth,
        handshakeTimeout: timeouts.handshakeMs,
      },
      listener,
    );
    certificates.onReload((material) => secure.setSecureContext(secureContextOf(material)));
    // A failed handshake (a scanner, a client that does not trust the CA) is the client's problem: log it
    // quietly instead of letting it surface as an unhandled error.
    secure.on("tlsClientError", (error: Error) => logger.debug({ error: error.message }, "TLS handshake failed"));
    server = secure;
  } else {
    server = http.createServer(serverOptions, listener);
  }
  server.maxConnections = limits.maxConnections;
  const logDrop = throttledLog(clock, REFUSAL_LOG_INTERVAL_MS, (leftOut) =>
    logger.warn(
      { maxConnections: limits.maxConnections, notLogged: leftOut },
      "connection refused: the server has its maxConnections open",
    ),
  );
  server.on("drop", () => {
    metrics.connectionsDropped.inc();
    logDrop();
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // node:https passes its TLS errors on as client errors too; those are logged as "TLS handshake failed" above.
    if (!isHttpError(error)) return void socket.destroy();
    logger.debug({ code: error.code, error: error.message }, "bad request from a client");
    answerClientError(error, socket, drain);
  });
  const drain = new ConnectionDrain({
    server,
    logger,
    shutdownMs: timeouts.shutdownMs,
    clock,
    logProgress: options.logShutdown,
  });

  return {
    server,
    get draining() {
      return drain.draining;
    },

    listen(port, host) {
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          server.on("error", (error) => logger.error({ err: error }, "server error"));
          if (options.watch !== false) certificates?.watch(options.watch ?? {});
          resolve(server.address() as AddressInfo);
        });
      });
    },

    close(onClosing) {
      return drain.close(() => {
        certificates?.close();
        onClosing?.();
      });
    },

    closeAllConnections() {
      drain.destroyAll();
    },
  };
}

/** An error of the HTTP layer (llhttp's HPE_ codes, Node's request timeout), not of TLS or the socket. */
function isHttpError(error: NodeJS.ErrnoException): boolean {
  return error.code !== undefined && (error.code.startsWith("HPE_") || error.code === "ERR_HTTP_REQUEST_TIMEOUT");
}

/**
 * What Node answers a request it could not parse or that timed out, which a 'clientError' listener must now do
 * itself (node:http's socketOnError): 431 for headers too large, 408 for a request timeout, 400 otherwise, then
 * the connection closes. Nothing is written while a response of ours is in flight on the connection, which the
 * status line would corrupt.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, drain: ConnectionDrain): void {
  if (socket.writable && !drain.responding(socket)) {
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy();
}
