// The client's retries as client-go's rest.Request makes them (rest/with_retry.go: IsNextRetry, checkWait), against
// the simulated API server's 429s: a throttled create is sent again after the server's Retry-After, waited on the
// clock, and succeeds, one object made; the retries are bounded (client-go's maxRetries, 10); a 500 — which may
// have been half done — is not retried for a create, and neither is a 5xx without Retry-After for anything. The
// expected rules are client-go's (and the brief's stricter one for a non-idempotent call after a 5xx), written out
// below from the upstream source, not taken from the code under test.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import { retryAfterSeconds } from "../../../adapters/kube/request-retry.ts";
import { startKubeApiServer, type KubeApiServer } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { node } from "../../support/sim-world.ts";

let clock: FakeClock;
let server: KubeApiServer;
let dir: string;
let cluster: KubeCluster;

before(async () => {
  clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  server = await startKubeApiServer({ clock });
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-request-retry-"));
  writeFileSync(join(dir, "kubeconfig"), server.kubeconfig());
  cluster = new KubeCluster({ kubeConfig: loadKubeConfig({ kubeconfig: join(dir, "kubeconfig") }), clock });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const nodes = () => server.store.list(server.registry.get("", "v1", "nodes"), {}).items.map((n) => n.metadata?.name);

/** Steps the clock by each retry's wait (an armed timer is the event) until `work` settles. */
async function stepThroughRetries<T>(work: Promise<T>): Promise<{ waits: number[]; outcome: PromiseSettledResult<T> }> {
  const waits: number[] = [];
  let settled = false;
  const outcome = Promise.allSettled([work]).then(([result]) => {
    settled = true;
    return result as PromiseSettledResult<T>;
  });
  for (;;) {
    await Promise.race([clock.untilPending(1), outcome]);
    if (settled) return { waits, outcome: await outcome };
    const [wait] = clock.pending;
    waits.push(wait as number);
    clock.step(wait as number);
  }
}

describe("retries after 429 and 5xx", () => {
  test("a create throttled twice with Retry-After: 2 is sent again after 2 s each time and makes one object", async () => {
    const throttle = server.faults.add({
      verbs: ["create"],
      resources: ["nodes"],
      times: 2,
      fault: { type: "throttle", retryAfterSeconds: 2 },
    });
    const { waits, outcome } = await stepThroughRetries(cluster.create("nodes", node("throttled") as never));
    assert.equal(outcome.status, "fulfilled", String((outcome as PromiseRejectedResult).reason));
    assert.deepEqual(waits, [2_000, 2_000]);
    assert.equal(throttle.hits, 2);
    assert.deepEqual(
      nodes().filter((name) => name === "throttled"),
      ["throttled"],
    );
  });

  test("the retries are bounded: after 10 the 429 is the caller's error", async () => {
    const throttle = server.faults.add({
      verbs: ["get"],
      resources: ["nodes"],
      times: 50,
      fault: { type: "throttle", retryAfterSeconds: 1 },
    });
    try {
      const { waits, outcome } = await stepThroughRetries(cluster.read("nodes", { name: "throttled" }));
      assert.equal(outcome.status, "rejected");
      assert.equal((outcome as PromiseRejectedResult).reason.code, 429);
      assert.equal(waits.length, 10, "client-go's maxRetries");
      assert.equal(throttle.hits, 11, "the first try and ten retries");
    } finally {
      throttle.remove();
    }
  });

  test("a create answered 500 is not sent again; nor is a read answered 503 without Retry-After", async () => {
    const failing = server.faults.add({
      verbs: ["create"],
      resources: ["nodes"],
      times: 1,
      fault: { type: "error", code: 500 },
    });
    const { waits, outcome } = await stepThroughRetries(cluster.create("nodes", node("half-done") as never));
    assert.equal(outcome.status, "rejected");
    assert.equal((outcome as PromiseRejectedResult).reason.code, 500);
    assert.deepEqual(waits, []);
    assert.equal(failing.hits, 1);
    const unavailable = server.faults.add({
      verbs: ["get"],
      resources: ["nodes"],
      times: 1,
      fault: { type: "error", code: 503 },
    });
    const read = await stepThroughRetries(cluster.read("nodes", { name: "throttled" }));
    assert.equal(read.outcome.status, "rejected");
    assert.deepEqual(read.waits, []);
    assert.equal(unavailable.hits, 1);
  });

  test("which answers are retried, and after how long (client-go's checkWait, idempotent methods only after a 5xx)", () => {
    const after1 = { "Retry-After": "1" };
    const cases: [method: string, status: number, headers: Record<string, string>, expected: number | undefined][] = [
      ["POST", 429, after1, 1],
      ["PATCH", 429, { "retry-after": "3" }, 3],
      ["GET", 503, after1, 1],
      ["PUT", 500, after1, 1],
      ["DELETE", 504, after1, 1],
      ["POST", 503, after1, undefined],
      ["PATCH", 500, after1, undefined],
      ["GET", 429, {}, undefined],
      ["GET", 503, {}, undefined],
      ["GET", 409, after1, undefined],
      ["GET", 429, { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }, undefined],
      ["GET", 429, { "Retry-After": "3600" }, 60],
    ];
    for (const [method, status, headers, expected] of cases)
      assert.equal(
        retryAfterSeconds(method, status, headers),
        expected,
        `${method} ${status} ${JSON.stringify(headers)}`,
      );
  });
});
