// The client's rate limit and metrics. The limit is golang.org/x/time/rate's token bucket as client-go's
// flowcontrol uses it, with Karpenter's defaults (KUBE_CLIENT_QPS 200, KUBE_CLIENT_BURST 300): 300 requests at once,
// then one every 5 ms, each waiting its turn — on the fake clock, so nothing here depends on the machine's speed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import {
  ClientRateLimiter,
  KARPENTER_CLIENT_RATE_LIMIT,
  KubeCluster,
  loadKubeConfig,
} from "../../../adapters/kube/index.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { node } from "../../support/sim-world.ts";

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test("Karpenter's defaults: a burst of 300, then one request every 5 ms, in order", async () => {
  assert.deepEqual(KARPENTER_CLIENT_RATE_LIMIT, { qps: 200, burst: 300 });
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const limiter = new ClientRateLimiter(KARPENTER_CLIENT_RATE_LIMIT, clock);
  const burst = Array.from({ length: 300 }, () => limiter.wait());
  assert.equal(await settled(Promise.all(burst)), true, "the burst goes at once");
  const next = limiter.wait();
  const after = limiter.wait();
  assert.equal(await settled(next), false);
  assert.deepEqual(clock.pending, [5, 10], "the 301st waits 5 ms, the 302nd 10 ms");
  clock.step(5);
  assert.equal(await settled(next), true);
  assert.equal(await settled(after), false);
  clock.step(5);
  assert.equal(await settled(after), true);
  // Quiet for 1.5 s refills the bucket to its size, not beyond.
  clock.step(1500);
  assert.equal(await settled(Promise.all(Array.from({ length: 300 }, () => limiter.wait()))), true);
  const past = limiter.wait();
  assert.equal(await settled(past), false);
  clock.step(5);
  assert.equal(await settled(past), true);
  assert.throws(() => new ClientRateLimiter({ qps: 0, burst: 1 }, clock), RangeError);
});

test("the client waits on its limit and counts every request by verb, resource and code", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-client-limits-"));
  try {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, server.kubeconfig());
    const registry = new Registry();
    const cluster = new KubeCluster({
      kubeConfig: loadKubeConfig({ kubeconfig }),
      clock,
      registry,
      rateLimit: { qps: 1, burst: 2 },
    });
    await cluster.create("nodes", node("n1") as never);
    await assert.rejects(cluster.read("nodes", { name: "absent" }), { code: 404 });
    const third = cluster.read("nodes", { name: "n1" });
    await clock.untilPending(1);
    assert.deepEqual(clock.pending, [1000], "the third request waits a second for its token");
    clock.step(1000);
    assert.equal((await third).metadata.name, "n1");
    const requests = await registry.getSingleMetric("poolkeeper_kube_client_requests_total")?.get();
    assert.deepEqual(
      requests?.values.map((v) => [v.labels.verb, v.labels.resource, v.labels.code, v.value]),
      [
        ["create", "nodes", "201", 1],
        ["get", "nodes", "404", 1],
        ["get", "nodes", "200", 1],
      ],
    );
    const duration = await registry.getSingleMetric("poolkeeper_kube_client_request_duration_seconds")?.get();
    const counts = duration?.values.filter((v) => (v as { metricName?: string }).metricName?.endsWith("_count"));
    assert.deepEqual(
      counts?.map((v) => [v.labels.verb, v.labels.resource, v.value]),
      [
        ["create", "nodes", 1],
        ["get", "nodes", 2],
      ],
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
