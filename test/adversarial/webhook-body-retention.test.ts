// Reviews held in memory while nothing was done with them: the JSON body parser parsed each review as it arrived
// and kept it on the request (req.body) while the decision waited for the cluster view — up to its 2 s timeout — so
// a burst of large reviews held all of them parsed at once, up to 3 MiB of JSON and its objects each. Now a review stays
// bytes (outside the V8 heap) until nothing is left to wait for, is parsed, judged and answered in one go, and
// nothing keeps it after its answer. Measured by the V8 heap after forced collections, while the decisions wait and
// after they are answered, with the keep-alive connections still open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:https";
import type { IncomingMessage } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { ClusterView } from "../../api/ports.ts";
import { createReview, upstream } from "../support/admission-fixtures.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { startWebhook } from "../support/webhook-harness.ts";

type Json = Record<string, unknown>;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The V8 heap in use after full collections, in MiB. */
function heapMiB(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const CONNECTIONS = 4;
/** An annotation this long: each review is a 1 MiB string once parsed. */
const ANNOTATION = 1024 * 1024;
const VIEW_TIMEOUT_MS = 1_000;

/** A cluster view that never answers: every decision waits for the view's timeout, which the test's clock runs. */
const silent: ClusterView = {
  listNodePools: () => new Promise(() => {}),
  listNodeClasses: () => new Promise(() => {}),
};

test("no review is held parsed while its decision waits, nor once it is answered", async () => {
  const clock = new FakeClock(new Date(Date.now() + 60_000));
  const h = await startWebhook({ cluster: silent, clock, timeouts: { clusterViewMs: VIEW_TIMEOUT_MS } });
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  /** Resolves once `count` more request bodies have been received in full by the server. */
  const bodiesReceived = (count: number) => {
    let seen = 0;
    return guardAgainstHang(
      new Promise<void>((resolve) => {
        const onRequest = (req: IncomingMessage) =>
          req.on("end", () => {
            if (++seen < count) return;
            h.server.server.off("request", onRequest);
            resolve();
          });
        h.server.server.on("request", onRequest);
      }),
      `${count} request bodies`,
    );
  };
  /** Sends the bodies, one per connection, and answers them by moving the clock past the view's timeout. */
  const round = async (bodies: Buffer[], whileWaiting: () => void = () => {}) => {
    const received = bodiesReceived(bodies.length);
    const replies = Promise.all(bodies.map((body) => h.call("/validate", body, agent)));
    await received;
    await clock.untilPending();
    // Let the handlers run up to their wait for the view.
    await new Promise((resolve) => setImmediate(resolve));
    whileWaiting();
    clock.step(VIEW_TIMEOUT_MS);
    return replies;
  };
  try {
    const pool = upstream("general-purpose.yaml", "NodePool");
    const small = Buffer.from(JSON.stringify(createReview(pool)));
    const large = (i: number) => {
      const object = structuredClone(pool) as Json;
      (object.metadata as Json).annotations = { "example.com/blob": String(i).repeat(ANNOTATION) };
      // A Buffer, so the client's copy is outside the V8 heap this test measures.
      return Buffer.from(JSON.stringify(createReview(object)));
    };
    const bodies = Array.from({ length: CONNECTIONS }, (_, i) => large(i));
    // Every connection opened and used once with a small review, so what is measured is what the large ones add.
    const warm = await round(Array(CONNECTIONS).fill(small));
    assert.deepEqual(
      warm.map((r) => r.status),
      Array(CONNECTIONS).fill(200),
    );
    const held = (CONNECTIONS * ANNOTATION) / 2 ** 20;
    const before = heapMiB();
    let waiting = Number.NaN;
    const replies = await round(bodies, () => (waiting = heapMiB() - before));
    assert.deepEqual(
      replies.map((r) => [r.status, r.reusedSocket]),
      Array(CONNECTIONS).fill([200, true]),
    );
    assert.ok(
      waiting < held / 4,
      `while waiting the heap held ${waiting.toFixed(1)} MiB more; the reviews: ${held} MiB`,
    );
    assert.equal(Object.values(agent.freeSockets).flat().length, CONNECTIONS, "the connections are still open");
    const after = heapMiB() - before;
    assert.ok(after < held / 4, `answered, the heap held ${after.toFixed(1)} MiB more; the reviews: ${held} MiB`);
  } finally {
    agent.destroy();
    await h.close();
  }
});
