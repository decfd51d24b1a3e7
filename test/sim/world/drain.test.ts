// kubectl drain against the simulated cluster with the world's controllers running: evictions go through
// pods/eviction, which honours PodDisruptionBudgets as kubernetes pkg/registry/core/pod/storage/eviction.go does.
// Expected words come from upstream: the 429 and 500 messages of eviction.go, kubectl drain's
// "error when evicting pods/… (will retry after 5s)" retry line and "node/… drained", and the
// `kubectl get pdb` columns of the built-in printer (NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE).
import assert from "node:assert/strict";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { WorldControllers, type KubeObject } from "../../../sim/index.ts";
import { guardAgainstHang } from "../../support/hang-guard.ts";
import { cells, startSimKube, waitForLine, type SimKube } from "../../support/sim-kube.ts";
import { deploymentBody, kindOf, node, pdbBody, runPod, waitForObjects } from "../../support/sim-world.ts";

let sim: SimKube;
let controllers: WorldControllers;
const kind = (group: string, version: string, plural: string) => kindOf(sim.server.store, group, version, plural);
const pods = () => kind("", "v1", "pods");
const nodeOf = (p: KubeObject): string | undefined => (p.spec as { nodeName?: string }).nodeName;
const app = (p: KubeObject): string | undefined => (p.metadata?.labels as Record<string, string> | undefined)?.app;

function exited(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  return guardAgainstHang(
    new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))),
    "kubectl drain to exit",
  );
}

/** A Deployment whose pods all run (bound and Ready) on `nodeName`, once the controllers have made them. */
async function runningDeployment(name: string, replicas: number, nodeName: string): Promise<void> {
  const store = sim.server.store;
  const deployment = deploymentBody(name, replicas, { app: name });
  // Local storage: drain refuses such pods unless told --delete-emptydir-data.
  const podSpec = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  podSpec.volumes = [{ name: "cache", emptyDir: {} }];
  store.create(kind("apps", "v1", "deployments"), "default", deployment);
  const made = await waitForObjects(
    store,
    pods(),
    (items) => items.filter((p) => app(p) === name).length === replicas,
    `${replicas} pods of ${name}`,
  );
  for (const p of made.filter((p) => app(p) === name)) runPod(store, p, nodeName);
}

before(async () => {
  sim = await startSimKube();
  controllers = new WorldControllers(sim.server.store).start();
  const store = sim.server.store;
  for (const n of ["n1", "n2", "n3"]) store.create(kind("", "v1", "nodes"), undefined, node(n));
  store.create(kind("apps", "v1", "daemonsets"), "kube-system", {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: {
          containers: [{ name: "a", image: "agent:1" }],
          volumes: [{ name: "scratch", emptyDir: {} }],
        },
      },
    },
  });
});

after(async () => {
  controllers.stop();
  await sim.stop();
});

describe("kubectl drain", () => {
  test("evicts the node's Deployment pods, which are recreated Pending, waiting on a PDB until replacements are Ready", async () => {
    const store = sim.server.store;
    await runningDeployment("web", 2, "n1");
    store.create(
      kind("policy", "v1", "poddisruptionbudgets"),
      "default",
      pdbBody("web", { minAvailable: 1, selector: { matchLabels: { app: "web" } } }),
    );
    await waitForObjects(
      store,
      kind("policy", "v1", "poddisruptionbudgets"),
      (items) =>
        (items.find((p) => p.metadata?.name === "web")?.status as { disruptionsAllowed?: number })
          ?.disruptionsAllowed === 1,
      "the web budget to allow one disruption",
    );
    const listed = await sim.kubectl(["get", "pdb", "web"]);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row] = listed.stdout.trim().split("\n");
    assert.deepEqual(cells(header ?? ""), ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]);
    assert.deepEqual(cells(row ?? "").slice(0, 4), ["web", "1", "N/A", "1"]);

    // Without --delete-emptydir-data kubectl refuses pods with local storage before it evicts anything.
    const local = await sim.kubectl(["drain", "n1", "--ignore-daemonsets", "--timeout=60s"]);
    assert.notEqual(local.code, 0);
    assert.match(local.stdout, /^node\/n1 cordoned$/m);
    assert.match(local.stderr, /cannot delete Pods with local storage \(use --delete-emptydir-data to override\)/);
    assert.equal(store.list(pods()).items.filter((p) => app(p) === "web" && nodeOf(p) === "n1").length, 2);

    const drain = await sim.spawnKubectl([
      "drain",
      "n1",
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--timeout=120s",
    ]);
    const done = exited(drain);
    // One eviction spends the budget; the other is refused with 429 and kubectl retries it every 5 s.
    const refused = await waitForLine(drain.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.match(refused.line, /^error when evicting pods\/"web-[a-z0-9-]+" -n "default" \(will retry after 5s\): /);
    const [replacement] = (
      await waitForObjects(
        store,
        pods(),
        (items) => items.some((p) => app(p) === "web" && !nodeOf(p)),
        "a replacement web pod",
      )
    ).filter((p) => app(p) === "web" && !nodeOf(p));
    assert.ok(replacement);
    assert.equal((replacement.status as { phase: string }).phase, "Pending");
    // The replacement starts on n2: the disruption controller sees two Ready pods again, and the retry succeeds.
    runPod(store, replacement, "n2");
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^node\/n1 already cordoned$/m);
    assert.match(result.stdout, /^pod\/web-[a-z0-9-]+ evicted$/m);
    assert.match(result.stdout, /^node\/n1 drained$/m);
    assert.match(result.stderr, /Warning: ignoring DaemonSet-managed Pods: kube-system\/agent-/);

    const after = store.list(pods()).items;
    const web = after.filter((p) => app(p) === "web");
    assert.equal(web.length, 2, "the ReplicaSet recreated both evicted pods");
    assert.deepEqual(web.map(nodeOf).sort(), ["n2", undefined]);
    assert.ok(
      after.some((p) => app(p) === "agent" && nodeOf(p) === "n1"),
      "the DaemonSet pod stays on n1",
    );
    assert.equal(
      (store.get(kind("", "v1", "nodes"), undefined, "n1").spec as { unschedulable?: boolean }).unschedulable,
      true,
    );
    const status = store.get(kind("policy", "v1", "poddisruptionbudgets"), "default", "web").status as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      [status.currentHealthy, status.desiredHealthy, status.expectedPods, status.disruptionsAllowed],
      [1, 1, 2, 0],
    );
  });

  test("a pod under two PodDisruptionBudgets cannot be evicted: 500, and drain gives up", async () => {
    const store = sim.server.store;
    await runningDeployment("api", 1, "n3");
    for (const name of ["api-a", "api-b"]) {
      store.create(
        kind("policy", "v1", "poddisruptionbudgets"),
        "default",
        pdbBody(name, { maxUnavailable: 1, selector: { matchLabels: { app: "api" } } }),
      );
    }
    const result = await sim.kubectl(["drain", "n3", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /error when evicting pods\/"api-[a-z0-9-]+" -n "default": This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./,
    );
    assert.ok(
      store.list(pods()).items.some((p) => app(p) === "api" && nodeOf(p) === "n3"),
      "the pod stays",
    );
  });
});
