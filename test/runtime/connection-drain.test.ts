// ConnectionDrain on its own, over plain HTTP: the graceful shutdown both the admission webhook and the push-hook
// endpoint rely on. Checks what a server cannot easily show through its routes: the callback runs once and close()
// is idempotent, the progress and timeout log lines with their counts, and destroyAll() cutting a request at once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ConnectionDrain } from "../../runtime/connection-drain.ts";
import { createLogger } from "../../runtime/log.ts";
import { FakeClock } from "../support/fake-clock.ts";

type Json = Record<string, unknown>;

interface Harness {
  server: http.Server;
  drain: ConnectionDrain;
  /** The drain's clock: the shutdown deadline passes only when the test moves it. */
  clock: FakeClock;
  logs: Json[];
  port: number;
  /** Resolves the request handler's wait: every request is answered only once this is called. */
  release(): void;
  /** Resolves when a request has reached the handler. */
  entered: Promise<void>;
}

async function start(options: { shutdownMs?: number; logProgress?: boolean } = {}): Promise<Harness> {
  const logs: Json[] = [];
  const logger = createLogger({ destination: { write: (line: string) => logs.push(JSON.parse(line)) } });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let enter: () => void = () => {};
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const clock = new FakeClock(new Date("2026-11-25T10:00:00Z"));
  const server = http.createServer((_req, res) => {
    drain.track(res);
    enter();
    void released.then(() => res.end(drain.draining ? "draining\n" : "ok\n"));
  });
  const drain = new ConnectionDrain({
    server,
    logger,
    shutdownMs: options.shutdownMs ?? 5_000,
    logProgress: options.logProgress,
    clock,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, drain, clock, logs, port, release, entered };
}

function get(port: number): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

describe("ConnectionDrain", () => {
  test("close() on a server that never listened resolves at once, runs its callback once, and logs nothing", async () => {
    const logs: Json[] = [];
    const logger = createLogger({ destination: { write: (line: string) => logs.push(JSON.parse(line)) } });
    const drain = new ConnectionDrain({ server: http.createServer(), logger, shutdownMs: 5_000, logProgress: true });
    let calls = 0;
    assert.equal(drain.draining, false);
    const first = drain.close(() => calls++);
    const second = drain.close(() => calls++);
    assert.equal(first, second, "the same promise");
    await first;
    assert.equal(calls, 1);
    assert.equal(drain.draining, true);
    assert.deepEqual(logs, []);
  });

  test("a request in flight is answered with Connection: close, and the progress is logged with the counts", async () => {
    const h = await start({ logProgress: true });
    const reply = get(h.port);
    await h.entered;
    const closed = h.drain.close();
    assert.equal(h.drain.draining, true);
    assert.equal(h.server.listening, false, "close() stops accepting before it returns");
    await assert.rejects(get(h.port), /ECONNREFUSED/);
    h.release();
    assert.deepEqual(await reply, { status: 200, connection: "close", body: "draining\n" });
    await closed;
    assert.deepEqual(h.clock.pending, [], "the deadline was cancelled: the drain ended because the request did");
    const shuttingDown = h.logs.find((l) => l.msg === "shutting down");
    assert.equal(shuttingDown?.inFlight, 1);
    assert.equal(shuttingDown?.connections, 1);
    assert.ok(h.logs.some((l) => l.msg === "shut down"));
    assert.ok(!h.logs.some((l) => l.msg === "shutdown timed out; closing connections"));
  });

  test("without logProgress only the timeout is logged; a stuck request is cut after shutdownMs", async () => {
    const h = await start({ shutdownMs: 200 });
    const reply = get(h.port).catch((error: Error) => error);
    await h.entered;
    const closed = h.drain.close();
    assert.deepEqual(h.clock.pending, [200], "the deadline is armed");
    h.clock.step(199);
    assert.deepEqual(h.clock.pending, [1], "nothing is cut before shutdownMs");
    assert.equal(h.logs.length, 0, "nor logged");
    h.clock.step(1);
    await closed;
    assert.ok((await reply) instanceof Error, "the stuck request's connection was closed");
    assert.deepEqual(
      h.logs.map((l) => [l.level, l.msg, l.inFlight, l.connections]),
      [["warn", "shutdown timed out; closing connections", 1, 1]],
    );
    h.release();
  });

  test("destroyAll() cuts a request in flight at once", async () => {
    const h = await start({ shutdownMs: 60_000 });
    const reply = get(h.port).catch((error: Error) => error);
    await h.entered;
    const closed = h.drain.close();
    h.drain.destroyAll();
    assert.ok((await reply) instanceof Error);
    await closed;
    assert.deepEqual(h.clock.pending, [], "closed by destroyAll(), not by the deadline, which was cancelled");
    assert.ok(!h.logs.some((l) => l.msg === "shutdown timed out; closing connections"));
    h.release();
  });
});
