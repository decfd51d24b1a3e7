// Many clients at once against the listener both servers share (runtime/serving.ts), scaled down: connections
// beyond a cap (20,000 idle keep-alive connections used to take every file descriptor and 1.5 GB, and the accept
// failures were silent), requests beyond a bound on those in flight, malformed requests, and a body announced
// larger than the limit, which the webhook used to answer only after waiting 10 s for it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { Registry } from "prom-client";
import { createHookServer, DEFAULT_MAX_BODY_BYTES } from "../../gitops/hook-server.ts";
import { MAX_BODY_BYTES } from "../../webhook/server.ts";
import { createReview, upstream } from "../support/admission-fixtures.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog } from "../support/log-capture.ts";
import { readUntilClose, startWebhook, type WebhookHarness } from "../support/webhook-harness.ts";

const review = JSON.stringify(createReview(upstream("general-purpose.yaml", "NodePool")));

/** Resolves once the server has received `count` more requests (their headers). */
function requestsReceived(server: http.Server, count: number): Promise<void> {
  let seen = 0;
  return guardAgainstHang(
    new Promise<void>((resolve) => {
      const onRequest = () => {
        if (++seen < count) return;
        server.off("request", onRequest);
        resolve();
      };
      server.on("request", onRequest);
    }),
    `${count} requests`,
  );
}

/** Sends a review's headers and its first bytes on a new connection: a request in flight until `finish` is called. */
async function partialReview(h: WebhookHarness): Promise<{ finish(): Promise<string> }> {
  const socket = await h.connectTls();
  const answer = readUntilClose(socket);
  socket.write(
    `POST /validate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(review)}\r\n\r\n${review.slice(0, 10)}`,
  );
  return {
    finish() {
      socket.write(review.slice(10));
      return answer;
    },
  };
}

async function metric(h: WebhookHarness, name: string): Promise<number | undefined> {
  const line = (await h.call("/metrics")).body.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

describe("connections and requests beyond the limits", () => {
  test("past maxConnections a connection is closed as it is accepted, counted and logged", async () => {
    const h = await startWebhook({ limits: { maxConnections: 2 } });
    const open: TLSSocket[] = [];
    const accepted: Socket[] = [];
    h.server.server.on("connection", (socket: Socket) => accepted.push(socket));
    try {
      open.push(await h.connectTls(), await h.connectTls());
      const third = connectTls({ host: "127.0.0.1", port: h.port, ca: h.ca.ca });
      const refused = await new Promise<string>((resolve) => {
        third.on("secureConnect", () => resolve("connected"));
        third.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      assert.notEqual(refused, "connected");
      const line = await h.log.line("connection refused: the server has its maxConnections open");
      assert.equal(line.level, "warn");
      assert.equal(line.maxConnections, 2);
      // Once the server has seen the first two close, a new connection is served, and the drop was counted.
      assert.equal(accepted.length, 2, "the third was never handed to the server");
      const closed = accepted.map((socket) => guardAgainstHang(once(socket, "close"), "the server's side to close"));
      for (const socket of open.splice(0)) socket.destroy();
      await Promise.all(closed);
      assert.equal(await metric(h, "poolkeeper_http_connections_dropped_total"), 1);
    } finally {
      for (const socket of open) socket.destroy();
      await h.close();
    }
  });

  test("past maxInFlight a review is answered 503 with Retry-After at once; reads are still served", async () => {
    const h = await startWebhook({ limits: { maxInFlight: 2 } });
    try {
      const received = requestsReceived(h.server.server, 2);
      const first = await partialReview(h);
      const second = await partialReview(h);
      await received;
      const shed = await h.call("/validate", review);
      assert.equal(shed.status, 503);
      assert.equal(shed.headers["retry-after"], "1");
      assert.equal(shed.headers.connection, "close");
      const line = await h.log.line("request refused with 503: the server has its maxInFlight requests in flight");
      assert.equal(line.maxInFlight, 2);
      assert.equal((await h.call("/healthz")).status, 200, "health is never shed");
      assert.equal(await metric(h, "poolkeeper_http_requests_shed_total"), 1);
      // The two in flight finish; then there is room again.
      assert.match(await first.finish(), /^HTTP\/1\.1 200 /);
      assert.match(await second.finish(), /^HTTP\/1\.1 200 /);
      assert.equal((await h.call("/validate", review)).status, 200);
    } finally {
      await h.close();
    }
  });

  test("the push hook has the same bound: 503 with Retry-After", async () => {
    const log = captureLog();
    // The delivery in flight waits for its body with a deadline on this clock: its timer says it is in the handler.
    const clock = new FakeClock(new Date());
    const hook = createHookServer({
      branch: "main",
      githubSecret: "s3cret",
      onPush: () => {},
      ready: () => true,
      registry: new Registry(),
      logger: log.logger,
      limits: { maxInFlight: 1 },
      clock,
      watch: false,
    });
    const { port } = await hook.listen(0, "127.0.0.1");
    const first = connectTcp({ host: "127.0.0.1", port });
    first.on("error", () => {});
    try {
      first.write(
        "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{",
      );
      await clock.untilPending();
      const shed = await guardAgainstHang(
        new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/hooks/git", agent: false });
          req.on("response", (res: http.IncomingMessage) => resolve(res.resume()));
          req.on("error", reject);
          req.end("{}");
        }),
        "the answer to a second delivery",
      );
      assert.equal(shed.statusCode, 503);
      assert.equal(shed.headers["retry-after"], "1");
      assert.ok(
        log.lines.some((l) => l.msg === "request refused with 503: the server has its maxInFlight requests in flight"),
      );
    } finally {
      first.destroy();
      await hook.close();
    }
  });

  test("a request that is not HTTP is answered 400 and logged", async () => {
    const h = await startWebhook();
    try {
      const socket = await h.connectTls();
      const answer = readUntilClose(socket);
      socket.write("HELLO / SMTP\r\n\r\n");
      assert.match(await answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      const line = await h.log.line("bad request from a client");
      assert.equal(line.level, "debug");
      assert.equal(line.code, "HPE_INVALID_METHOD");
    } finally {
      await h.close();
    }
  });

  test("a body announced larger than the limit is refused with 413 before any of it is sent", async () => {
    // A request timeout of its own, so that a server that waited for the body would answer 408, not hang the test.
    const h = await startWebhook({ timeouts: { headersMs: 3_000, requestMs: 3_000, checkIntervalMs: 500 } });
    try {
      const socket = await h.connectTls();
      const answer = readUntilClose(socket);
      socket.write(
        `POST /validate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`,
      );
      // Nothing more is sent: the answer comes while the client has sent the headers only.
      const text = await answer;
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, /\r\nConnection: close\r\n/i);
      assert.match(text, new RegExp(`request body is larger than ${MAX_BODY_BYTES} bytes`));
    } finally {
      await h.close();
    }
  });

  test("the push hook likewise refuses a body announced over its 1 MiB before any of it is sent", async () => {
    const hook = createHookServer({
      branch: "main",
      githubSecret: "s3cret",
      onPush: () => {},
      ready: () => true,
      registry: new Registry(),
      logger: captureLog().logger,
      watch: false,
    });
    const { port } = await hook.listen(0, "127.0.0.1");
    try {
      const socket = connectTcp({ host: "127.0.0.1", port });
      const answer = readUntilClose(socket);
      socket.write(
        "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\n" +
          `Content-Length: ${DEFAULT_MAX_BODY_BYTES + 1}\r\n\r\n`,
      );
      const text = await guardAgainstHang(answer, "the answer");
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, new RegExp(`larger than ${DEFAULT_MAX_BODY_BYTES} bytes`));
    } finally {
      await hook.close();
    }
  });
});
