// The informer under a failing network, through a TCP proxy in front of the simulated API server: a watch cut
// mid-stream is resumed from the last resource version seen, and every change made meanwhile reaches the handlers
// one by one, in order, without a relist; a watch that cannot resume because the server no longer holds that
// version (410 Gone, forced with a 20-change retention window) relists, and what the handlers saw, replayed, is
// exactly the store's final state — nothing lost, nothing left behind. Retries wait on the fake clock.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import type { ClusterChange, ClusterObject } from "../../../api/index.ts";
import { kubeconfigYaml, startKubeApiServer, type KubeApiServer, type KubeObject } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { guardAgainstHang } from "../../support/hang-guard.ts";
import { kindOf } from "../../support/sim-world.ts";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy.ts";

interface Setup {
  server: KubeApiServer;
  proxy: TcpProxy;
  clock: FakeClock;
  cluster: KubeCluster;
  registry: Registry;
  changes: ClusterChange<ClusterObject>[];
  stop(): Promise<void>;
}

async function setup(eventWindow: number): Promise<Setup> {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock, limits: { eventWindow } });
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: server.port });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-informer-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    kubeconfigYaml({ server: `https://127.0.0.1:${proxy.port}`, ca: server.ca, token: server.token }),
  );
  const registry = new Registry();
  const cluster = new KubeCluster({ kubeConfig: loadKubeConfig({ kubeconfig }), clock, registry, resyncPeriodMs: 0 });
  const pods = kindOf(server.store, "", "v1", "pods");
  for (let i = 0; i < 3; i++) server.store.create(pods, "default", pod(`before-${i}`));
  await cluster.start(["pods"]);
  // start() resolves once the list is in the cache; a change arriving shows the watch is open too.
  const watching = new Promise<void>((resolve) => {
    const off = cluster.onChange("pods", () => {
      off();
      resolve();
    });
  });
  server.store.create(pods, "default", pod("marker"));
  await guardAgainstHang(watching, "the watch to deliver a change");
  const changes: ClusterChange<ClusterObject>[] = [];
  cluster.onChange("pods", (change) => changes.push(change as ClusterChange<ClusterObject>));
  return {
    server,
    proxy,
    clock,
    cluster,
    registry,
    changes,
    stop: async () => {
      await cluster.stop();
      await proxy.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pod(name: string): KubeObject {
  return { metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }] } };
}

/** name → resourceVersion of every pod the store holds. */
function storeState(server: KubeApiServer): Map<string, string> {
  const items = server.store.list(kindOf(server.store, "", "v1", "pods"), { namespace: "default" }).items;
  return new Map(items.map((o) => [String(o.metadata?.name), String(o.metadata?.resourceVersion)]));
}

function cacheState(cluster: KubeCluster): Map<string, string> {
  return new Map(
    cluster.list("pods", "default").map((o) => [String(o.metadata.name), String(o.metadata.resourceVersion)]),
  );
}

/**
 * Lets the informer recover: whenever it waits on a timer (a retry or reconnect backoff), the clock is moved to
 * it; resolves once the cache holds exactly the store's pods at their versions. Waits on events only.
 */
async function recovered(s: Setup): Promise<void> {
  const matches = (): boolean => {
    const cache = cacheState(s.cluster);
    const store = storeState(s.server);
    return cache.size === store.size && [...store].every(([name, rv]) => cache.get(name) === rv);
  };
  await guardAgainstHang(
    (async () => {
      while (!matches()) {
        const change = new Promise<void>((resolve) => {
          const off = s.cluster.onChange("pods", () => {
            off();
            resolve();
          });
        });
        await Promise.race([change, s.clock.untilPending(1)]);
        const [soonest] = s.clock.pending;
        if (soonest !== undefined && !matches()) s.clock.step(soonest);
      }
    })(),
    "the informer's cache to match the store",
  );
}

async function requests(registry: Registry, verb: string): Promise<number> {
  const metric = await registry.getSingleMetric("poolkeeper_kube_client_requests_total")?.get();
  return (metric?.values ?? []).filter((v) => v.labels.verb === verb).reduce((sum, v) => sum + v.value, 0);
}

test("a dropped watch resumes from its resource version: every change arrives, in order, without a relist", async () => {
  const s = await setup(10_000);
  try {
    assert.equal(await requests(s.registry, "list"), 1);
    const pods = kindOf(s.server.store, "", "v1", "pods");
    s.proxy.drop();
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = s.server.store.create(pods, "default", pod(`during-${i}`));
      written.push(String(created.metadata?.resourceVersion));
    }
    const updated = s.server.store.get(pods, "default", "before-0");
    const next = s.server.store.update(pods, "default", "before-0", {
      ...updated,
      metadata: { ...updated.metadata, labels: { v: "2" } },
    });
    written.push(String(next.metadata?.resourceVersion));
    s.server.store.delete(pods, "default", "before-1");
    await recovered(s);
    const seen = s.changes.map((c) => `${c.type} ${String(c.object.metadata.name)}`);
    assert.deepEqual(seen, [
      "added during-0",
      "added during-1",
      "added during-2",
      "added during-3",
      "added during-4",
      "updated before-0",
      "deleted before-1",
    ]);
    assert.deepEqual(
      s.changes.slice(0, 6).map((c) => String(c.object.metadata.resourceVersion)),
      written,
    );
    assert.equal(await requests(s.registry, "list"), 1, "resumed, not relisted");
    assert.ok((await requests(s.registry, "watch")) >= 2, "watched again");
  } finally {
    await s.stop();
  }
});

test("410 Gone: the watch's version left the server's window while it was away; a relist makes the cache whole", async () => {
  const s = await setup(20);
  try {
    const pods = kindOf(s.server.store, "", "v1", "pods");
    const replay = new Map(
      s.cluster.list("pods", "default").map((o) => [String(o.metadata.name), String(o.metadata.resourceVersion)]),
    );
    s.cluster.onChange("pods", (change) => {
      const name = String(change.object.metadata.name);
      if (change.type === "deleted") replay.delete(name);
      else replay.set(name, String(change.object.metadata.resourceVersion));
    });
    s.proxy.hold();
    s.proxy.drop();
    // 40 changes while the server is unreachable: twice the retained window.
    for (let i = 0; i < 15; i++) s.server.store.create(pods, "default", pod(`away-${i}`));
    for (let i = 0; i < 15; i++) {
      const current = s.server.store.get(pods, "default", `away-${i}`);
      s.server.store.update(pods, "default", `away-${i}`, {
        ...current,
        metadata: { ...current.metadata, labels: { v: "2" } },
      });
    }
    for (let i = 0; i < 10; i++) s.server.store.delete(pods, "default", `away-${i}`);
    s.server.store.delete(pods, "default", "before-2");
    s.proxy.release();
    await recovered(s);
    assert.deepEqual(replay, storeState(s.server), "the changes the handlers saw add up to the store's state");
    assert.deepEqual([...replay.keys()].sort(), [
      "away-10",
      "away-11",
      "away-12",
      "away-13",
      "away-14",
      "before-0",
      "before-1",
      "marker",
    ]);
    assert.equal(await requests(s.registry, "list"), 2, "relisted once, after the 410");
  } finally {
    await s.stop();
  }
});
