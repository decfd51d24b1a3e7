// adapters/kube over HTTPS to the simulated API server (its kubeconfig, its CA, its admin token): the contract
// suite every implementation of the Cluster port passes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import type { Cluster } from "../../../api/index.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { clusterContract } from "../../support/cluster-contract.ts";
import { FakeClock } from "../../support/fake-clock.ts";

clusterContract("adapters/kube over HTTPS", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-kube-adapter-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, server.kubeconfig());
  const clusters: Cluster[] = [];
  return {
    store: server.store,
    clock,
    connect: (options = {}) => {
      const cluster = new KubeCluster({
        kubeConfig: loadKubeConfig({ kubeconfig }),
        clock,
        resyncPeriodMs: 0,
        ...options,
      });
      clusters.push(cluster);
      return cluster;
    },
    stop: async () => {
      await Promise.all(clusters.map((cluster) => cluster.stop()));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
