// SIGTERM with connections open that carry no request used to wait out the whole shutdown deadline (20 s for the
// webhook): node:http closes a connection at shutdown only if it is idle between two requests, so one that has
// sent nothing since it was opened, or a TLS one still in its handshake, stayed open, and server.close() stops the
// header timeout that would otherwise have ended it. A few such connections, opened on purpose, held every rollout
// up. Now every connection without a request in flight is closed at once and only requests in flight are waited
// for. The deadline runs on a fake clock that the tests never move: a shutdown that resolves did not wait for it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { Agent } from "node:https";
import { connect, type Socket } from "node:net";
import { Registry } from "prom-client";
import { createHookServer } from "../../gitops/hook-server.ts";
import { createReview, upstream } from "../support/admission-fixtures.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog } from "../support/log-capture.ts";
import { readUntilClose, startWebhook } from "../support/webhook-harness.ts";

const review = JSON.stringify(createReview(upstream("general-purpose.yaml", "NodePool")));

/** Resolves once `server` has accepted `count` more connections. */
function accepted(server: { on(event: "connection", f: () => void): unknown }, count: number): Promise<void> {
  let seen = 0;
  return guardAgainstHang(
    new Promise<void>((resolve) => server.on("connection", () => ++seen === count && resolve())),
    `${count} accepted connections`,
  );
}

/** Resolves when `socket` closes, whether or not it was reset (events.once would reject on the reset's error). */
function closeOf(socket: Socket): Promise<void> {
  socket.on("error", () => {});
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

function tcp(port: number): Socket {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  return socket;
}

describe("shutdown with connections that carry no request", () => {
  test("webhook: idle keep-alive, handshaken but silent, and mid-handshake connections close at once", async () => {
    const clock = new FakeClock(new Date(Date.now() + 60_000));
    const h = await startWebhook({ clock });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await h.call("/healthz", undefined, agent)).status, 200);
      const idle = Object.values(agent.freeSockets).flat()[0];
      assert.ok(idle, "a kept-alive connection");
      const silent = await h.connectTls();
      const three = accepted(h.server.server, 1);
      const handshaking = tcp(h.port);
      await three;
      const closedByServer = [idle, silent, handshaking].map(closeOf);

      await guardAgainstHang(h.server.close(), "the shutdown");
      assert.deepEqual(clock.pending, [], "the deadline was armed and cancelled, never reached");
      assert.ok(!h.log.lines.some((l) => l.msg === "shutdown timed out; closing connections"));
      await guardAgainstHang(Promise.all(closedByServer), "the client ends to close");
    } finally {
      agent.destroy();
      await h.close();
    }
  });

  test("webhook: a review in flight is answered; the idle connections do not wait for it", async () => {
    const clock = new FakeClock(new Date(Date.now() + 60_000));
    const h = await startWebhook({ clock });
    try {
      const busy = await h.connectTls();
      const answer = readUntilClose(busy);
      const received = new Promise<void>((resolve) => h.server.server.once("request", () => resolve()));
      busy.write(
        `POST /validate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(review)}\r\n\r\n${review.slice(0, 10)}`,
      );
      await guardAgainstHang(received, "the review's headers");
      const silent = await h.connectTls();
      const order: string[] = [];
      const silentClosed = closeOf(silent).then(() => order.push("silent connection closed"));

      const closed = h.server.close().then(() => order.push("shut down"));
      await guardAgainstHang(silentClosed, "the silent connection to close");
      // Only now the rest of the review: the shutdown is waiting for it.
      order.push("rest of the review sent");
      busy.write(review.slice(10));
      const text = await guardAgainstHang(answer, "the review's answer");
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.match(text, /\r\nConnection: close\r\n/i);
      await guardAgainstHang(closed, "the shutdown");
      assert.deepEqual(order, ["silent connection closed", "rest of the review sent", "shut down"]);
      assert.deepEqual(clock.pending, []);
    } finally {
      await h.close();
    }
  });

  test("push hook over HTTP: a connection that never sends a byte does not hold the shutdown", async () => {
    const clock = new FakeClock(new Date());
    const hook = createHookServer({
      branch: "main",
      onPush: () => {},
      ready: () => true,
      registry: new Registry(),
      logger: captureLog().logger,
      clock,
      watch: false,
    });
    const { port } = await hook.listen(0, "127.0.0.1");
    const silent = tcp(port);
    try {
      await guardAgainstHang(once(silent, "connect"), "the connection");
      // The server has it once it answers on another connection opened after it.
      const probe = tcp(port);
      const probed = readUntilClose(probe);
      probe.end("GET /healthz HTTP/1.1\r\nHost: hooks\r\nConnection: close\r\n\r\n");
      assert.match(await guardAgainstHang(probed, "the probe"), /^HTTP\/1\.1 200 /);
      const closed = closeOf(silent);
      await guardAgainstHang(hook.close(), "the shutdown");
      await guardAgainstHang(closed, "the silent connection to close");
      assert.deepEqual(clock.pending, []);
    } finally {
      silent.destroy();
      await hook.close();
    }
  });
});
