// `poolkeeper snapshot` against the simulated world's API server (over HTTPS, through the Cluster port's client):
// what it writes reads back as the same objects the world holds, cut down to what scheduling and disruption read
// (no env, no volume contents, no foreign annotations), and `plan` over it says what the fixture change does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterObject } from "../../api/index.ts";
import { type ClusterSnapshotDocument, parseClusterSnapshot } from "../../controller/index.ts";
import { startKubeApiServer } from "../../sim/index.ts";
import { clusterObjects, planRepo, poolkeeperIn as poolkeeper } from "../support/plan-fixture.ts";
import { PLAN_EDITS, PLAN_NODES, PLAN_PENDING } from "../support/plan-scenario.ts";
import { startTestWorld } from "../support/sim-world.ts";

const world = startTestWorld(new Date("2026-03-03T10:00:00Z"));
const server = await startKubeApiServer({ store: world.store, clock: world.clock });
const dir = mkdtempSync(join(tmpdir(), "poolkeeper-snapshot-"));
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, server.kubeconfig());
const repo = planRepo(PLAN_EDITS);
test.after(async () => {
  await server.close();
  world.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

const objects = clusterObjects(PLAN_NODES, PLAN_PENDING);
// What a snapshot must not carry: env (a secret's value among them), volumes' sources, foreign annotations.
const [firstPod] = objects.pods;
assert.ok(firstPod);
firstPod.metadata.annotations = {
  "karpenter.sh/do-not-disrupt": "true",
  "kubectl.kubernetes.io/last-applied-configuration": '{"secret":"s3cr3t"}',
};
Object.assign(firstPod.spec as object, {
  volumes: [
    { name: "config", configMap: { name: "app-config" } },
    { name: "token", secret: { secretName: "app-token" } },
    { name: "data", persistentVolumeClaim: { claimName: "data-0" } },
  ],
});
const [container] = (firstPod.spec as { containers: Record<string, unknown>[] }).containers;
Object.assign(container as object, {
  image: "registry.example/app:1",
  command: ["app", "--password=s3cr3t"],
  env: [{ name: "DB_PASSWORD", value: "s3cr3t" }],
  ports: [{ containerPort: 8080 }, { containerPort: 9100, hostPort: 9100, protocol: "TCP" }],
});
const pdb = {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "front", namespace: "web" },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: "front" } } },
};
const daemonSet = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: {
    name: "agent",
    namespace: "kube-system",
    annotations: { "deprecated.daemonset.template.generation": "1" },
  },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: {
        containers: [
          {
            name: "agent",
            image: "agent:1",
            env: [{ name: "TOKEN", value: "s3cr3t" }],
            resources: { requests: { cpu: "100m", memory: "128Mi" } },
          },
        ],
      },
    },
  },
};

function put(group: string, version: string, plural: string, body: ClusterObject): void {
  const kind = world.kind(group, version, plural);
  const created = world.store.create(kind, body.metadata.namespace, structuredClone(body) as never);
  if (body["status"] !== undefined && kind.subresources.includes("status")) {
    world.store.update(
      kind,
      body.metadata.namespace,
      body.metadata.name ?? "",
      { ...created, status: body["status"] },
      {
        subresource: "status",
      },
    );
  }
}
for (const namespace of ["default", "web", "batch", "kube-system"]) {
  if (world.store.find(world.kind("", "v1", "namespaces"), undefined, namespace) === undefined)
    put("", "v1", "namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
}
for (const node of objects.nodes) put("", "v1", "nodes", node);
for (const claim of objects.nodeClaims) put("karpenter.sh", "v1", "nodeclaims", claim as unknown as ClusterObject);
// The API server requires an image; the snapshot drops it, so what it reads back equals the fixture's spec.
for (const pod of objects.pods) {
  const stored = structuredClone(pod);
  for (const c of (stored.spec as { containers: Record<string, unknown>[] }).containers) c["image"] ??= "app:1";
  put("", "v1", "pods", stored);
}
put("policy", "v1", "poddisruptionbudgets", pdb);
put("apps", "v1", "daemonsets", daemonSet);

const byName = <T extends { metadata: { name?: string; namespace?: string } }>(list: readonly T[]) =>
  new Map(list.map((o) => [`${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`, o]));

test("snapshot writes the world's objects, cut down, and they read back the same", async () => {
  const file = join(dir, "snapshot.json");
  const { code, stderr } = await poolkeeper(
    dir,
    "snapshot",
    "--kubeconfig",
    kubeconfig,
    "--cluster",
    "sim",
    "-o",
    file,
  );
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^wrote .*snapshot\.json: 10 nodes, \d+ pods, 10 NodeClaims, \d+ offerings$/m);
  const text = readFileSync(file, "utf8");
  const document: ClusterSnapshotDocument = parseClusterSnapshot(JSON.parse(text), file);
  assert.equal(document.metadata.cluster, "sim");
  assert.equal(document.metadata.region, "us-east-1", "from the nodes' region label");

  for (const secret of ["s3cr3t", "DB_PASSWORD", "app-token", "app-config", "registry.example", "last-applied"])
    assert.ok(!text.includes(secret), `the snapshot carries no ${secret}`);

  // Round trip: every object the world holds is in the snapshot with what scheduling and disruption read.
  const nodes = byName(document.nodes);
  assert.equal(nodes.size, objects.nodes.length);
  for (const node of objects.nodes) {
    const read = nodes.get(`/${node.metadata.name}`);
    assert.deepEqual(read?.metadata.labels, node.metadata.labels);
    assert.deepEqual(read?.spec, node.spec);
    assert.deepEqual(read?.status?.allocatable, node.status?.allocatable);
    assert.deepEqual(read?.status?.capacity, node.status?.capacity);
  }
  const claims = byName(document.nodeClaims);
  for (const claim of objects.nodeClaims) {
    const read = claims.get(`/${claim.metadata.name}`);
    // As the world stores it (the CRD's defaults applied).
    const stored = world.store.find(
      world.kind("karpenter.sh", "v1", "nodeclaims"),
      undefined,
      claim.metadata.name ?? "",
    );
    assert.deepEqual(read?.spec, stored?.["spec"]);
    assert.deepEqual(read?.spec.requirements, claim.spec.requirements);
    assert.equal(read?.status?.providerID, claim.status?.providerID);
    assert.deepEqual(read?.status?.allocatable, claim.status?.allocatable);
  }
  const pods = byName(document.pods);
  // Besides the fixture's pods, the world's DaemonSet controller made the agent's.
  const fixture = new Set(objects.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  assert.deepEqual(
    [
      ...new Set(
        document.pods
          .filter((p) => !fixture.has(`${p.metadata.namespace}/${p.metadata.name}`))
          .map((p) => p.metadata.ownerReferences?.[0]?.name),
      ),
    ],
    ["agent"],
  );
  for (const pod of objects.pods.slice(1)) {
    const read = pods.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
    const spec = read?.spec as Record<string, unknown> | undefined;
    for (const field of ["nodeName", "nodeSelector", "containers"]) assert.deepEqual(spec?.[field], pod.spec?.[field]);
    assert.deepEqual(read?.metadata.ownerReferences, pod.metadata.ownerReferences);
    assert.equal(read?.status?.phase, pod.status?.phase);
  }
  const first = pods.get(`${firstPod.metadata.namespace}/${firstPod.metadata.name}`);
  assert.deepEqual(first?.metadata.annotations, { "karpenter.sh/do-not-disrupt": "true" });
  assert.deepEqual((first?.spec as Record<string, unknown>)["volumes"], [
    { name: "data", persistentVolumeClaim: { claimName: "data-0" } },
  ]);
  assert.deepEqual((first?.spec as { containers: unknown[] }).containers, [
    {
      name: "main",
      resources: { requests: { cpu: "3", memory: "1Gi" } },
      ports: [{ containerPort: 9100, hostPort: 9100, protocol: "TCP" }],
    },
  ]);
  assert.deepEqual(
    document.podDisruptionBudgets.map((p) => [p.metadata.name, p.spec]),
    [["front", pdb.spec]],
  );
  const [agent] = document.daemonSets;
  assert.deepEqual(agent?.spec, {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      // The API server's defaults for the two fields kept that it sets.
      spec: {
        schedulerName: "default-scheduler",
        terminationGracePeriodSeconds: 30,
        containers: [{ name: "agent", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
      },
    },
  });
  assert.equal(agent?.metadata.annotations, undefined);
  // The catalog's offerings in the nodes' zone: m5.large on-demand at the catalog's price.
  assert.deepEqual(
    document.offerings.filter((o) => o.instanceType === "m5.large"),
    [{ instanceType: "m5.large", zone: "us-east-1a", capacityType: "on-demand", price: 0.096, available: true }],
  );

  // The snapshot plans: the fixture change drifts default's four nodes and web's three.
  const planned = await poolkeeper(
    repo,
    "plan",
    "--base",
    "main",
    "--head",
    "change",
    "--snapshot",
    file,
    "--format",
    "json",
    "pools",
  );
  assert.equal(planned.code, 0, planned.stderr);
  const { cluster } = JSON.parse(planned.stdout).preview;
  assert.equal(cluster.cluster, "sim");
  assert.deepEqual(
    cluster.drift.map((d: { nodePool: string; drifting: number }) => [d.nodePool, d.drifting]),
    [
      ["default", 4],
      ["web", 3],
    ],
  );
  assert.equal(cluster.pendingPods, 1);
});

test("snapshot names what it cannot reach or write, exit 2", async () => {
  const missing = await poolkeeper(dir, "snapshot", "--kubeconfig", join(dir, "nope"));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^poolkeeper: .*nope/m);
  const unwritable = await poolkeeper(
    dir,
    "snapshot",
    "--kubeconfig",
    kubeconfig,
    "-o",
    join(dir, "no", "such", "dir.json"),
  );
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /^poolkeeper: .*dir\.json: cannot write the snapshot/m);
});
