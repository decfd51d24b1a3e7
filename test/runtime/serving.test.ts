// The one listener every long-running command uses, on its own: plain HTTP and HTTPS, the request counted for the
// drain, a busy port, the certificate's hot reload, and client certificates (mutual TLS) that keep being verified
// after a reload — setSecureContext replaces the whole context, so a client CA given only at start would be lost.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { systemClock } from "../../api/ports.ts";
import { createRegistry, tlsMetrics } from "../../runtime/metrics.ts";
import {
  createServing,
  type ClientCertificates,
  type ServingOptions,
  type ServingTimeouts,
} from "../../runtime/serving.ts";
import { CertificateStore } from "../../runtime/tls.ts";
import type { Logger } from "../../runtime/log.ts";
import { captureLog, type LogCapture } from "../support/log-capture.ts";
import { createTestCa, type IssuedCertificate, type TestCa } from "../support/tls.ts";

const TIMEOUTS: ServingTimeouts = {
  headersMs: 10_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
  shutdownMs: 10_000,
  checkIntervalMs: 1_000,
};

/** Answers with whether the client presented a certificate the CA signed, and its subject's CN. */
const whoIsIt: ServingOptions["handler"] = (req, res) => {
  const socket = req.socket as Partial<TLSSocket>;
  const peer = socket.getPeerCertificate?.();
  res.end(JSON.stringify({ authorized: socket.authorized ?? null, client: peer?.subject?.CN ?? null }));
};

/** The certificate store a server gets for a pair of files (reloaded only on request). */
const certificateStore = (
  files: { certFile: string; keyFile: string; clientCaFile?: string | undefined },
  logger: Logger,
) =>
  new CertificateStore({
    ...files,
    clock: systemClock,
    logger,
    metrics: tlsMetrics(createRegistry({ processMetrics: false })),
  });

interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** The CN of the certificate the server presented. */
  server?: string | string[];
}

function get(port: number, tls?: { ca: string; client?: IssuedCertificate }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port, path: "/", agent: false as const };
    const onResponse = (res: http.IncomingMessage) => {
      const served = tls ? (res.socket as TLSSocket).getPeerCertificate().subject.CN : undefined;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), server: served }));
      res.on("error", reject);
    };
    const req = tls
      ? https.get({ ...options, ca: tls.ca, cert: tls.client?.cert, key: tls.client?.key }, onResponse)
      : http.get(options, onResponse);
    req.on("error", reject);
  });
}

interface HttpsHarness {
  /** The CA of the serving certificate and of the client certificates the server trusts. */
  ca: TestCa;
  /** A CA the server does not trust. */
  other: TestCa;
  port: number;
  /** The serving certificate's files, which the test may replace. */
  files: IssuedCertificate;
  certificates: CertificateStore;
  log: LogCapture;
}

/**
 * Serves HTTPS with a certificate "serving" of a new CA; with `clientCertificates`, the store has that CA as its
 * client CA and client certificates are checked as it says.
 */
async function withHttps(
  clientCertificates: ClientCertificates | undefined,
  run: (h: HttpsHarness) => Promise<void>,
): Promise<void> {
  const ca = createTestCa();
  const other = createTestCa();
  const log = captureLog();
  try {
    const files = ca.issue("serving");
    const clientCaFile = clientCertificates === undefined ? undefined : ca.caFile;
    const certificates = certificateStore({ ...files, clientCaFile }, log.logger);
    const server = createServing({
      handler: whoIsIt,
      timeouts: TIMEOUTS,
      logger: log.logger,
      certificates,
      clientCertificates,
      watch: false,
    });
    const { port } = await server.listen(0, "127.0.0.1");
    try {
      await run({ ca, other, port, files, certificates, log });
    } finally {
      await server.close();
    }
  } finally {
    ca.remove();
    other.remove();
  }
}

describe("createServing", () => {
  test("plain HTTP: the handler answers, draining is false until close(), which runs onClosing once", async () => {
    const log = captureLog();
    const serving = createServing({ handler: whoIsIt, timeouts: TIMEOUTS, logger: log.logger });
    const { port } = await serving.listen(0, "127.0.0.1");
    assert.equal(serving.server instanceof https.Server, false);
    assert.deepEqual((await get(port)).body, { authorized: null, client: null });
    assert.equal(serving.draining, false);
    let closing = 0;
    const closed = serving.close(() => closing++);
    assert.equal(serving.draining, true);
    assert.equal(
      serving.close(() => closing++),
      closed,
      "a second close() is the same shutdown",
    );
    await closed;
    assert.equal(closing, 1);
    assert.equal(serving.server.listening, false);
  });

  test("the server takes the timeouts it is given", async () => {
    const timeouts = { ...TIMEOUTS, headersMs: 1_234, requestMs: 5_678, keepAliveMs: 910 };
    const serving = createServing({ handler: whoIsIt, timeouts, logger: captureLog().logger });
    assert.equal(serving.server.headersTimeout, 1_234);
    assert.equal(serving.server.requestTimeout, 5_678);
    assert.equal(serving.server.keepAliveTimeout, 910);
    await serving.close();
  });

  test("a port in use: listen() rejects with the error, which the caller turns into a message", async () => {
    const first = createServing({ handler: whoIsIt, timeouts: TIMEOUTS, logger: captureLog().logger });
    const { port } = await first.listen(0, "127.0.0.1");
    const second = createServing({ handler: whoIsIt, timeouts: TIMEOUTS, logger: captureLog().logger });
    try {
      await assert.rejects(second.listen(port, "127.0.0.1"), { code: "EADDRINUSE" });
    } finally {
      await first.close();
      await second.close();
    }
  });

  test("HTTPS with client certificates: required and verified, before and after the serving certificate is reloaded", async () => {
    await withHttps({}, async ({ ca, other, port, files, certificates, log }) => {
      const client = ca.issue("api-server", { client: true });
      const before = await get(port, { ca: ca.ca, client });
      assert.deepEqual(before, { status: 200, body: { authorized: true, client: "api-server" }, server: "serving" });
      const required = { code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" };
      await assert.rejects(get(port, { ca: ca.ca }), required, "no client certificate: refused");
      // The client trusts the server, so only the server can have refused this handshake.
      const stranger = other.issue("stranger", { client: true });
      await assert.rejects(get(port, { ca: ca.ca, client: stranger }), Error, "another CA's certificate: refused");
      const refused = await log.line("TLS handshake failed");
      assert.match(String(refused.error), /peer did not return a certificate/);

      const next = ca.issue("serving-next");
      copyFileSync(next.keyFile, files.keyFile);
      copyFileSync(next.certFile, files.certFile);
      assert.equal(certificates.reload(), true);
      const after = await get(port, { ca: ca.ca, client });
      assert.deepEqual(after, {
        status: 200,
        body: { authorized: true, client: "api-server" },
        server: "serving-next",
      });
      await assert.rejects(get(port, { ca: ca.ca }), required, "still required after the reload");
    });
  });

  test("client certificates asked for but not required: the handler sees who was verified", async () => {
    await withHttps({ rejectUnauthorized: false }, async ({ ca, other, port }) => {
      const client = ca.issue("api-server", { client: true });
      const stranger = other.issue("stranger", { client: true });
      assert.deepEqual((await get(port, { ca: ca.ca, client })).body, { authorized: true, client: "api-server" });
      assert.deepEqual((await get(port, { ca: ca.ca, client: stranger })).body, {
        authorized: false,
        client: "stranger",
      });
      assert.deepEqual((await get(port, { ca: ca.ca })).body, { authorized: false, client: null });
    });
  });

  test("HTTPS without client certificates asks for none", async () => {
    await withHttps(undefined, async ({ ca, port }) => {
      const reply = await get(port, { ca: ca.ca, client: ca.issue("api-server", { client: true }) });
      assert.equal(reply.server, "serving");
      assert.equal(reply.body.client, null, "no certificate was asked for, so none was sent");
    });
  });
});
