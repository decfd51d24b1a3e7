// Where the API server meets the network: runtime/'s createServing, the bounded HTTPS listener every poolkeeper
// server uses (certificate reload, connection and in-flight caps, graceful shutdown). The certificate is written
// to files because that is what runtime's CertificateStore reloads from: into `dir` when given (the directory
// `poolkeeper sim` writes its kubeconfig to, so replacing the pair there rotates it), else a private temporary
// directory removed at close. Watches are long GET responses: serving's request timeout bounds only the reading of
// a request, and are not counted in flight (max-in-flight.ts), so they need no option of their own; close() ends
// them first.
import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock, type TimerClock } from "../../../api/index.ts";
import {
  CertificateStore,
  createRegistry,
  createServing,
  silentLogger,
  tlsMetrics,
  type Logger,
  type ServingTimeouts,
} from "../../../runtime/index.ts";

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
  /** Where the certificate files go (`serving.crt`, `serving.key`); a temporary directory by default. */
  dir?: string;
  logger?: Logger;
  /** Paces shutdown deadlines and refusal logs: the wall clock (a virtual world's clock would never get there). */
  clock?: TimerClock;
}

const TIMEOUTS: ServingTimeouts = {
  headersMs: 60_000,
  requestMs: 60_000,
  keepAliveMs: 65_000,
  handshakeMs: 10_000,
  shutdownMs: 1_000,
  checkIntervalMs: 1_000,
};

/**
 * Connections are generous for informers, kubectl and benchmarks with many clients. Requests in flight are the API
 * server's own filter's to count (max-in-flight.ts answers 429 as kube-apiserver does); serving's own cap, which
 * answers 503 and closes the connection, is left out of its way.
 */
const LIMITS = { maxConnections: 2_048, maxInFlight: Number.POSITIVE_INFINITY };

export async function listenHttps(
  options: ListenOptions,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Listener> {
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "poolkeeper-sim-tls-"));
  const certFile = join(dir, "serving.crt");
  const keyFile = join(dir, "serving.key");
  writeFileSync(certFile, options.cert, { mode: 0o644 });
  writeFileSync(keyFile, options.key, { mode: 0o600 });
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const registry = createRegistry({ processMetrics: false });
  const certificates = new CertificateStore({ certFile, keyFile, clock, logger, metrics: tlsMetrics(registry) });
  const serving = createServing({
    handler,
    timeouts: TIMEOUTS,
    limits: LIMITS,
    logger,
    registry,
    clock,
    certificates,
    watch: temporary ? false : {},
  });
  const address = await serving.listen(options.port, options.host);
  return {
    host: options.host,
    port: address.port,
    close: async () => {
      await serving.close();
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
