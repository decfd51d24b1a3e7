// Push deliveries were limited only by coalescing: syncs do not pile up, but every delivery was read (up to 1 MiB),
// its signature computed over the body, logged and counted, however many one client sent. Now each client address
// has a token bucket (DEFAULT_HOOK_RATE_LIMIT: 20 at once, one every 3 s after): past it a delivery is answered 429
// with Retry-After before its body is read, counted, and logged at most once per interval. The bucket refills by the
// server's clock, which the test moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import http from "node:http";
import { connect } from "node:net";
import { Registry } from "prom-client";
import { createHookServer, DEFAULT_HOOK_RATE_LIMIT, type PushNotice } from "../../gitops/hook-server.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog } from "../support/log-capture.ts";
import { readUntilClose } from "../support/webhook-harness.ts";

const SECRET = "hook-secret";
const BODY = JSON.stringify({ ref: "refs/heads/main" });
const SIGNATURE = `sha256=${createHmac("sha256", SECRET).update(BODY).digest("hex")}`;

interface Reply {
  status: number;
  retryAfter?: string;
}

/** A signed push delivery from `localAddress` (an address of the loopback network). */
function deliver(port: number, localAddress = "127.0.0.1"): Promise<Reply> {
  return guardAgainstHang(
    new Promise<Reply>((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port,
        localAddress,
        method: "POST",
        path: "/hooks/git",
        agent: false,
        headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": SIGNATURE },
      });
      req.on("response", (res: http.IncomingMessage) => {
        res.resume();
        const retryAfter = res.headers["retry-after"];
        resolve({ status: res.statusCode ?? 0, ...(retryAfter === undefined ? {} : { retryAfter }) });
      });
      req.on("error", reject);
      req.end(BODY);
    }),
    "a delivery's answer",
  );
}

test("deliveries past a client's burst are answered 429 with Retry-After, until its bucket refills", async () => {
  const clock = new FakeClock(new Date("2026-11-25T10:00:00Z"));
  const log = captureLog();
  const registry = new Registry();
  const pushes: PushNotice[] = [];
  const hook = createHookServer({
    branch: "main",
    githubSecret: SECRET,
    onPush: (push) => pushes.push(push),
    ready: () => true,
    registry,
    logger: log.logger,
    clock,
    watch: false,
  });
  const { port } = await hook.listen(0, "127.0.0.1");
  try {
    const { burst, perSecond } = DEFAULT_HOOK_RATE_LIMIT;
    for (let i = 0; i < burst; i++) assert.equal((await deliver(port)).status, 202, `delivery ${i + 1}`);
    const refill = String(Math.ceil(1 / perSecond));
    assert.deepEqual(await deliver(port), { status: 429, retryAfter: refill });
    assert.deepEqual(await deliver(port), { status: 429, retryAfter: refill });
    assert.equal(pushes.length, burst, "the refused ones triggered nothing");

    // Refused before the body is read: headers announcing a body that never comes are answered at once.
    const socket = connect({ host: "127.0.0.1", port });
    const answer = readUntilClose(socket);
    socket.write(
      "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    assert.match(await guardAgainstHang(answer, "the answer"), /^HTTP\/1\.1 429 /);

    assert.equal((await deliver(port, "127.0.0.2")).status, 202, "another address has its own bucket");
    clock.step(1_000 / perSecond);
    assert.equal((await deliver(port)).status, 202, "one token back after its interval");
    assert.equal((await deliver(port)).status, 429);

    const lines = log.lines.filter((l) => l.msg === "git webhook delivery refused: rate limit");
    assert.equal(lines.length, 1, "one line for the flood");
    assert.equal(lines[0]?.remoteAddress, "127.0.0.1");
    const metrics = await registry.metrics();
    assert.match(metrics, /^poolkeeper_gitops_hook_deliveries_total\{result="rate-limited"\} 4$/m);
  } finally {
    await hook.close();
  }
});
