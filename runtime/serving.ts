// The HTTP(S) endpoint of every long-running command (the admission webhook, the push hook of `poolkeeper sync`,
// next the controller's health and metrics): node:http, or node:https with the serving certificate hot-reloaded
// (new connections get the new one, open ones keep theirs) and optionally client certificates verified; the
// header, request, keep-alive and handshake timeouts that keep slow clients from holding connections; and the
// graceful shutdown of ConnectionDrain. One copy, so the servers cannot drift apart. Mirrors what k8s.io/apiserver's
// SecureServingInfo.Serve does with its dynamic serving certificate, client CA and shutdown timeout.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TimerClock } from "../api/index.ts";
import { ConnectionDrain } from "./connection-drain.ts";
import type { FileWatchOptions } from "./file-watch.ts";
import type { Logger } from "./log.ts";
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
  logger: Logger;
  /** Runs the shutdown deadline; the system clock by default. */
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
  const listener: http.RequestListener = (req, res) => {
    // Counted until it closes; while draining, it also closes its connection (see ConnectionDrain).
    drain.track(res);
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
  const drain = new ConnectionDrain({
    server,
    logger,
    shutdownMs: timeouts.shutdownMs,
    clock: options.clock,
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
