// `poolkeeper serve`: runs the admission webhook until SIGTERM (or SIGINT), then shuts down gracefully —
// in-flight reviews finish, idle connections close, and after 20 s whatever is left is cut. A second signal cuts
// at once. A certificate or policy that cannot be used at start is a usage error (exit 2) naming the file; once
// running, bad edits to either are logged and the previous one kept (see docs/webhook.md).
import type { AddressInfo } from "node:net";
import type { DestinationStream, Level } from "pino";
import type { ClusterView } from "../../api/index.ts";
import type { PresetName } from "../../policies/index.ts";
import { createLogger, TlsFileError } from "../../runtime/index.ts";
import { createWebhookServer, PolicyFileError, type WebhookServer } from "../../webhook/index.ts";
import { InputError } from "../input-files.ts";
import { servingLimitsOf, type ServingLimitOptions } from "../serving-limits.ts";
import { onStopRequest, parsePort } from "../stop-request.ts";
import type { Output } from "../output.ts";
import { loadCatalog } from "./check.ts";

export interface ServeOptions extends ServingLimitOptions {
  port: string;
  host: string;
  tlsCert: string;
  tlsKey: string;
  /** Require client certificates signed by a CA in this PEM file (the API server's, see docs/webhook.md). */
  clientCa?: string;
  policy: string[];
  preset: PresetName;
  catalog?: string;
  logLevel?: Level;
}

/** What the command line does not set: tests stop the server with a signal and read the log. */
export interface ServeControl {
  /** Shuts the server down when aborted; by default SIGTERM and SIGINT do. */
  signal?: AbortSignal;
  /** Where the JSON log goes; standard output by default. */
  log?: DestinationStream;
  onListening?: (address: AddressInfo) => void;
  /** A cluster view for cross-object rules (none yet from the command line: adapters/ is planned). */
  cluster?: ClusterView;
}

export async function runServe(options: ServeOptions, _out: Output, control: ServeControl = {}): Promise<number> {
  const port = parsePort(options.port);
  const limits = servingLimitsOf(options);
  const catalog = loadCatalog(options.catalog);
  const logger = createLogger({ level: options.logLevel ?? "info", destination: control.log });
  let server: WebhookServer;
  try {
    server = createWebhookServer({
      tls: {
        certFile: options.tlsCert,
        keyFile: options.tlsKey,
        ...(options.clientCa === undefined ? {} : { clientCaFile: options.clientCa }),
      },
      policy: { files: options.policy, preset: options.preset },
      catalog,
      cluster: control.cluster,
      logger,
      limits,
    });
  } catch (error) {
    if (error instanceof PolicyFileError || error instanceof TlsFileError) throw new InputError(error.message);
    throw error;
  }
  let address: AddressInfo;
  try {
    address = await server.listen(port, options.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(`cannot listen on ${options.host}:${port} (${code})`);
  }
  control.onListening?.(address);

  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) {
      logger.warn({ reason }, "second stop request; closing every connection now");
      server.closeAllConnections();
      return;
    }
    stopping = true;
    logger.info({ reason }, "stop requested; finishing in-flight requests");
    void server.close().then(finished);
  };
  const detach = onStopRequest(control.signal, stop);
  await done;
  detach();
  logger.flush();
  return 0;
}
