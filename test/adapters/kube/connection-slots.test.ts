// The client's bound on requests on the wire, and its kept connections. client-node builds a new HTTP agent (so a new
// TLS connection) for every request; a burst of 400 writes through the adapter, counted at a TCP proxy in front of
// the API server, opens about the DEFAULT_MAX_CONNECTIONS (32) the bound allows and reuses them — not 400 (before, a burst of
// 1,500 after one scheduling run timed out connecting). A request waiting for its turn is not built yet: a burst of
// Events waits as descriptions, not as built requests with an agent each (the e2e bench's burst).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { ClientRateLimiter, KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import { kubeClientMetrics } from "../../../adapters/kube/metrics.ts";
import { DEFAULT_MAX_CONNECTIONS, KubeRestClient } from "../../../adapters/kube/rest-client.ts";
import { ConnectionSlots } from "../../../adapters/kube/connection-slots.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { node } from "../../support/sim-world.ts";
import { startTcpProxy } from "../../support/tcp-proxy.ts";

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test("slots: the third of two waits for a release, in order; a release counts once", async () => {
  const slots = new ConnectionSlots(2);
  const first = await slots.acquire();
  const second = await slots.acquire();
  const third = slots.acquire();
  const fourth = slots.acquire();
  assert.equal(await settled(third), false);
  first();
  first(); // twice: still one slot
  assert.equal(await settled(third), true);
  assert.equal(await settled(fourth), false);
  second();
  assert.equal(await settled(fourth), true);
  assert.throws(() => new ConnectionSlots(0), /expected an integer ≥ 1, got 0/);
});

test("a burst of 400 writes opens about DEFAULT_MAX_CONNECTIONS connections, not one each, and every write succeeds", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: server.port });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-connection-slots-"));
  try {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, server.kubeconfig().replace(`:${server.port}`, `:${proxy.port}`));
    const cluster = new KubeCluster({
      kubeConfig: loadKubeConfig({ kubeconfig }),
      clock,
      rateLimit: { qps: 1_000, burst: 1_000 },
    });
    const created = await Promise.all(
      Array.from({ length: 400 }, (_, i) => cluster.create("nodes", node(`n${i}`) as never)),
    );
    assert.equal(created.length, 400);
    assert.equal(server.store.list(server.store.registry.get("", "v1", "nodes")).items.length, 400);
    // A slot passes to the next request a moment before undici has its socket back in the pool, so a few more than
    // the bound may open; far fewer than one per request.
    assert.ok(
      proxy.connections >= 1 && proxy.connections <= 2 * DEFAULT_MAX_CONNECTIONS,
      `${proxy.connections} connections`,
    );
  } finally {
    await proxy.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a request is built (authenticated, its body serialized) only once it has its turn: a burst waits unbuilt", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-connection-slots-"));
  try {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, server.kubeconfig());
    const config = loadKubeConfig({ kubeconfig });
    // client-node's authentication of a request is where it builds the request's agent: count the requests built
    // and not yet answered.
    let built = 0;
    let mostBuilt = 0;
    const counted = Object.create(config) as typeof config;
    counted.applySecurityAuthentication = async (context) => {
      built++;
      mostBuilt = Math.max(mostBuilt, built);
      await config.applySecurityAuthentication(context);
    };
    const slots = 4;
    const rest = new KubeRestClient(counted, {
      limiter: new ClientRateLimiter({ qps: 1_000, burst: 1_000 }, clock),
      metrics: kubeClientMetrics(new Registry()),
      timeoutMs: 30_000,
      maxResponseBytes: 1024 * 1024,
      clock,
      maxConnections: slots,
    });
    const answered = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        rest
          .request({ verb: "create", resource: "nodes", method: "POST", path: "/api/v1/nodes", body: node(`n${i}`) })
          .finally(() => built--),
      ),
    );
    assert.equal(answered.length, 200);
    assert.equal(server.store.list(server.store.registry.get("", "v1", "nodes")).items.length, 200);
    // A slot passes to the next request a moment before the answered one's promise settles: one or two over.
    assert.ok(mostBuilt >= 1 && mostBuilt <= 2 * slots, `${mostBuilt} requests built at once`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
