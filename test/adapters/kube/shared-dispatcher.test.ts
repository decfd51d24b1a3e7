// One connection pool per client: client-node's `applySecurityAuthentication` builds a new undici Agent for each
// request it authenticates (checked here first, against the installed client-node, since the sharing exists for
// it); the REST client and every informer's watch share one instead. The watches through the shared pool still
// list, watch and deliver a change made on the simulated API server.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HttpMethod, RequestContext } from "@kubernetes/client-node";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import { SharedDispatcher } from "../../../adapters/kube/shared-dispatcher.ts";
import type { ClusterChange, ClusterObject } from "../../../api/index.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { node } from "../../support/sim-world.ts";

test("client-node builds a dispatcher per request; through the shared view every request gets the first one", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-shared-dispatcher-"));
  try {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, server.kubeconfig());
    const config = loadKubeConfig({ kubeconfig });
    const authenticated = async (c: typeof config) => {
      const context = new RequestContext(`${c.getCurrentCluster()?.server ?? ""}/api/v1/nodes`, HttpMethod.GET);
      await c.applySecurityAuthentication(context);
      return context.getDispatcher();
    };
    const [a, b] = [await authenticated(config), await authenticated(config)];
    assert.ok(a !== undefined && b !== undefined);
    assert.notEqual(a, b, "client-node's own way: one agent per request");

    const view = new SharedDispatcher().kubeConfig(config);
    const [c, d] = [await authenticated(view), await authenticated(view)];
    assert.ok(c !== undefined);
    assert.equal(c, d);
    assert.equal(view.getCurrentCluster()?.server, config.getCurrentCluster()?.server);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});

test("informers watching through the shared pool list, then deliver a change", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const server = await startKubeApiServer({ clock });
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-shared-dispatcher-"));
  const cluster = (() => {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, server.kubeconfig());
    return new KubeCluster({ kubeConfig: loadKubeConfig({ kubeconfig }), clock });
  })();
  try {
    const nodes = server.store.registry.get("", "v1", "nodes");
    server.store.create(nodes, undefined, node("before") as never);
    await cluster.start(["nodes", "pods", "nodeclaims"]);
    assert.deepEqual(
      cluster.list("nodes").map((n) => n.metadata.name),
      ["before"],
    );
    const added = new Promise<ClusterChange<ClusterObject>>((resolve) => {
      const stop = cluster.onChange("nodes", (change) => {
        if (change.object.metadata.name !== "after") return;
        stop();
        resolve(change as ClusterChange<ClusterObject>);
      });
    });
    server.store.create(nodes, undefined, node("after") as never);
    assert.equal((await added).type, "added");
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});
