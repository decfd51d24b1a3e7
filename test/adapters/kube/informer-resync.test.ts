// Periodic resync, as client-go's shared informer does it: every resync period each cached object is delivered
// again as an update whose previous object is itself, so a handler that dropped work gets another chance. The period
// runs on the fake clock.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import type { ClusterChange, Node } from "../../../api/index.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { kindOf, node } from "../../support/sim-world.ts";

test("every resync period re-delivers each cached object as an unchanged update", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-resync-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, server.kubeconfig());
  const cluster = new KubeCluster({ kubeConfig: loadKubeConfig({ kubeconfig }), clock, resyncPeriodMs: 60_000 });
  try {
    for (const name of ["n1", "n2"])
      server.store.create(kindOf(server.store, "", "v1", "nodes"), undefined, node(name));
    await cluster.start(["nodes"]);
    const seen: ClusterChange<Node>[] = [];
    cluster.onChange("nodes", (change) => seen.push(change));
    assert.deepEqual(clock.pending, [60_000]);
    clock.step(59_999);
    assert.equal(seen.length, 0);
    clock.step(1);
    assert.deepEqual(
      seen.map((c) => [
        c.type,
        c.object.metadata.name,
        c.type === "updated" && c.resync,
        c.type === "updated" && c.previous === c.object,
      ]),
      [
        ["updated", "n1", true, true],
        ["updated", "n2", true, true],
      ],
    );
    assert.deepEqual(clock.pending, [60_000], "re-armed");
  } finally {
    await cluster.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
