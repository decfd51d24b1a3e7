// The admission webhook on an ephemeral port over real HTTPS, for tests that attack it: a CA made for the test, a
// captured log, calls that verify the certificate, and raw TLS connections for requests no well-behaved client
// would send (headers without the body they announce, connections that never send anything).
import { once } from "node:events";
import type { Agent } from "node:https";
import type { Socket } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from "../../webhook/server.ts";
import { captureLog, type LogCapture } from "./log-capture.ts";
import { createTestCa, httpsCall, type HttpsReply, type TestCa } from "./tls.ts";

export interface WebhookHarness {
  server: WebhookServer;
  port: number;
  ca: TestCa;
  log: LogCapture;
  /** POSTs `body` as JSON to `path` (GET without a body), on a new connection or the agent's. */
  call(path: string, body?: string | Buffer, agent?: Agent): Promise<HttpsReply>;
  /** A TLS connection with its handshake done and nothing sent yet. */
  connectTls(): Promise<TLSSocket>;
  close(): Promise<void>;
}

/** A webhook with the baseline preset and no policy files, `options` applied on top. */
export async function startWebhook(options: Partial<WebhookServerOptions> = {}): Promise<WebhookHarness> {
  const ca = createTestCa();
  const cert = ca.issue("webhook");
  const log = captureLog();
  const server = createWebhookServer({
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    policy: { files: [] },
    logger: log.logger,
    watch: false,
    ...options,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  return {
    server,
    port,
    ca,
    log,
    call: (path, body, agent) =>
      httpsCall({
        port,
        ca: ca.ca,
        path,
        body,
        agent,
        headers: body === undefined ? {} : { "content-type": "application/json" },
      }),
    async connectTls() {
      const socket = connect({ host: "127.0.0.1", port, ca: ca.ca });
      await once(socket, "secureConnect");
      return socket;
    },
    async close() {
      await server.close();
      ca.remove();
    },
  };
}

/** Everything the server sends on `socket` until it closes the connection. */
export function readUntilClose(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}
