// Cluster state built from plain objects: Nodes and NodeClaims paired by provider ID, bound and nominated pods'
// requests, resources of a claim before its node registers, startup and ephemeral taints of a node still
// initializing, nominations holding pods out of the batch until they lapse; the scheduler's snapshot with what
// bound pods take and what volumes require. Expected values are the objects' own numbers added by hand, the taint
// names Karpenter lists (pkg/scheduling/taints.go KnownEphemeralTaints) and AWS's on-demand price of m5.large in
// us-east-1 ($0.096 per hour).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, NodeClaim, Pod } from "../../../api/index.ts";
import { formatResourceList, parseResourceList as parse } from "../../../scheduling/index.ts";
import { buildClusterState, Nominations } from "../../../controller/state/index.ts";
import { catalogTypes } from "../../support/scheduling-fixtures.ts";

const NOW = new Date("2026-03-01T12:00:00Z");

function pod(name: string, options: { cpu?: string; memory?: string; node?: string; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: "default", uid: `${name}-uid` },
    spec: {
      ...(options.node === undefined ? {} : { nodeName: options.node }),
      containers: [
        { name: "app", resources: { requests: { cpu: options.cpu ?? "500m", memory: options.memory ?? "1Gi" } } },
      ],
    },
    status: {
      phase: options.phase ?? "Pending",
      ...(options.node === undefined
        ? { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }
        : {}),
    },
  };
}

function claim(
  name: string,
  options: { providerID?: string; initializedAt?: string; deleting?: boolean } = {},
): NodeClaim {
  const conditions = [
    ...(options.providerID === undefined
      ? []
      : [{ type: "Launched", status: "True" as const, lastTransitionTime: "2026-03-01T11:50:00Z" }]),
    ...(options.initializedAt === undefined
      ? []
      : [{ type: "Initialized", status: "True" as const, lastTransitionTime: options.initializedAt }]),
  ];
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name,
      uid: `${name}-uid`,
      labels: { "karpenter.sh/nodepool": "default", "node.kubernetes.io/instance-type": "m5.large" },
      ...(options.deleting ? { deletionTimestamp: "2026-03-01T11:59:00Z" } : {}),
    },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["us-west-2a"] }],
      resources: { requests: { cpu: "1", memory: "2Gi", pods: "2" } },
      startupTaints: [{ key: "example.com/warming", effect: "NoExecute" }],
    },
    status: {
      ...(options.providerID === undefined
        ? {}
        : {
            providerID: options.providerID,
            capacity: { cpu: "2", memory: "8Gi", pods: "29" },
            allocatable: { cpu: "1930m", memory: "7Gi", pods: "29" },
          }),
      conditions,
    },
  };
}

function node(name: string, providerID: string, options: { ready?: boolean; cordoned?: boolean } = {}): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {
      providerID,
      ...(options.cordoned ? { unschedulable: true } : {}),
      taints: [
        { key: "karpenter.sh/unregistered", effect: "NoExecute" },
        { key: "example.com/warming", effect: "NoExecute" },
        { key: "example.com/dedicated", value: "ml", effect: "NoSchedule" },
      ],
    },
    status: {
      capacity: { cpu: "2", memory: "8000Mi", pods: "29" },
      allocatable: { cpu: "1900m", memory: "7000Mi", pods: "29" },
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  };
}

const base = { daemonSets: [], now: NOW };

describe("pairing and resources", () => {
  test("a node and its NodeClaim are one StateNode, keyed by the claim, with bound pods' requests summed", () => {
    const state = buildClusterState({
      ...base,
      nodes: [node("ip-1", "aws:///us-west-2a/i-1")],
      nodeClaims: [claim("default-a", { providerID: "aws:///us-west-2a/i-1", initializedAt: "2026-03-01T11:55:00Z" })],
      pods: [
        pod("a", { node: "ip-1", cpu: "250m", memory: "512Mi" }),
        pod("b", { node: "ip-1", cpu: "500m", memory: "1Gi" }),
        pod("done", { node: "ip-1", cpu: "4", phase: "Succeeded" }),
      ],
      nominations: new Map(),
    });
    assert.equal(state.nodes.length, 1);
    const [only] = state.nodes;
    assert.equal(only?.key, "default-a");
    assert.equal(only?.node?.metadata.name, "ip-1");
    assert.deepEqual(
      only?.pods.map((p) => p.metadata.name),
      ["a", "b"],
    );
    assert.equal(
      formatResourceList(only?.requested ?? {}),
      formatResourceList(parse({ cpu: "750m", memory: "1536Mi", pods: "2" })),
    );
    // Initialized: the node's own allocatable, not the claim's.
    assert.equal(only?.allocatable["memory"]?.toString(), "7000Mi");
  });

  test("a launched claim without a node counts its own requests and the allocatable it launched with", () => {
    const state = buildClusterState({
      ...base,
      nodes: [],
      nodeClaims: [claim("default-b", { providerID: "aws:///us-west-2a/i-2" })],
      pods: [],
      nominations: new Map(),
    });
    const [only] = state.snapshot.existing;
    assert.equal(only?.name, "default-b");
    assert.equal(only?.allocatable["cpu"]?.toString(), "1930m");
    assert.equal(
      formatResourceList(only?.requested ?? {}),
      formatResourceList(parse({ cpu: "1", memory: "2Gi", pods: "2" })),
    );
    assert.equal(
      only?.labels["topology.kubernetes.io/zone"],
      "us-west-2a",
      "a requirement pinning one value is a label",
    );
    assert.equal(only?.labels["kubernetes.io/hostname"], "default-b");
  });

  test("a claim not yet launched is no capacity, and one being deleted is none either", () => {
    const state = buildClusterState({
      ...base,
      nodes: [],
      nodeClaims: [claim("default-c"), claim("default-d", { providerID: "aws:///us-west-2a/i-4", deleting: true })],
      pods: [],
      nominations: new Map(),
    });
    assert.equal(state.nodes.length, 2);
    assert.deepEqual(state.snapshot.existing, []);
    assert.equal(state.nodes.find((n) => n.key === "default-d")?.markedForDeletion, true);
  });
});

describe("taints", () => {
  test("until initialized, the unregistered and startup taints are left out; the pool's taint stays", () => {
    const state = buildClusterState({
      ...base,
      nodes: [node("ip-1", "aws:///us-west-2a/i-1")],
      nodeClaims: [claim("default-a", { providerID: "aws:///us-west-2a/i-1" })],
      pods: [],
      nominations: new Map(),
    });
    assert.deepEqual(
      state.nodes[0]?.taints.map((t) => t.key),
      ["example.com/dedicated"],
    );
    assert.equal(state.nodes[0]?.allocatable["memory"]?.toString(), "7Gi", "the claim's allocatable until initialized");
  });

  test("once initialized every taint counts, and a cordon is the unschedulable taint", () => {
    const state = buildClusterState({
      ...base,
      nodes: [node("ip-1", "aws:///us-west-2a/i-1", { cordoned: true })],
      nodeClaims: [claim("default-a", { providerID: "aws:///us-west-2a/i-1", initializedAt: "2026-03-01T11:55:00Z" })],
      pods: [],
      nominations: new Map(),
    });
    assert.deepEqual(
      state.nodes[0]?.taints.map((t) => `${t.key}:${t.effect}`),
      [
        "karpenter.sh/unregistered:NoExecute",
        "example.com/warming:NoExecute",
        "example.com/dedicated:NoSchedule",
        "node.kubernetes.io/unschedulable:NoSchedule",
      ],
    );
  });
});

describe("nominations", () => {
  test("a pod nominated to a launching claim is not pending, and only a pod added later adds to its requests", () => {
    const nominations = new Nominations();
    nominations.nominate("default/p1", "default-b", NOW, { createdFor: true });
    nominations.nominate("default/p2", "default-b", NOW);
    const state = buildClusterState({
      ...base,
      nodes: [],
      nodeClaims: [claim("default-b", { providerID: "aws:///us-west-2a/i-2" })],
      pods: [pod("p1"), pod("p2", { cpu: "250m", memory: "256Mi" }), pod("p3")],
      nominations: nominations.snapshot(),
    });
    assert.deepEqual(
      state.snapshot.pendingPods.map((p) => p.metadata.name),
      ["p3"],
    );
    // Its own requests (1 cpu, 2Gi, 2 pods, p1 among them) plus p2's.
    assert.equal(
      formatResourceList(state.snapshot.existing[0]?.requested ?? {}),
      formatResourceList(parse({ cpu: "1250m", memory: "2304Mi", pods: "3" })),
    );
    assert.deepEqual(state.lapsed, []);
  });

  test("a nomination lapses when its target is not seen for the window, or the window after it initialized has passed", () => {
    const nominations = new Nominations();
    nominations.nominate("default/gone", "default-x", new Date("2026-03-01T11:59:40Z"), { createdFor: true });
    nominations.nominate("default/late", "default-a", new Date("2026-03-01T11:59:40Z"), { createdFor: true });
    nominations.nominate("default/coming", "default-y", new Date("2026-03-01T11:59:55Z"), { createdFor: true });
    const input = {
      ...base,
      nodes: [node("ip-1", "aws:///us-west-2a/i-1")],
      nodeClaims: [claim("default-a", { providerID: "aws:///us-west-2a/i-1", initializedAt: "2026-03-01T11:59:50Z" })],
      pods: [pod("gone"), pod("late"), pod("coming")],
      nominations: nominations.snapshot(),
    };
    const within = buildClusterState(input);
    assert.deepEqual(within.lapsed, ["default/gone"]);
    assert.deepEqual(
      within.snapshot.pendingPods.map((p) => p.metadata.name),
      ["gone"],
    );
    assert.equal(within.nextLapse?.toISOString(), "2026-03-01T12:00:10.000Z", "20 s after the claim initialized");
    const after = buildClusterState({ ...input, now: new Date("2026-03-01T12:00:10Z") });
    assert.deepEqual(after.lapsed, ["default/gone", "default/late"], "a claim not in the cache yet holds its pod 20 s");
    const later = buildClusterState({ ...input, now: new Date("2026-03-01T12:00:15Z") });
    assert.deepEqual(later.lapsed, ["default/gone", "default/late", "default/coming"]);
  });
});

describe("the scheduler's snapshot", () => {
  // Not initialized yet, so the nomination to it holds.
  const launched = claim("default-a", { providerID: "aws:///us-east-1a/i-1" });
  Object.assign(launched.metadata.labels ?? {}, {
    "topology.kubernetes.io/zone": "us-east-1a",
    "karpenter.sh/capacity-type": "on-demand",
  });
  const withPort: Pod = pod("web", { node: "ip-1" });
  Object.assign(withPort.spec ?? {}, {
    containers: [{ name: "app", ports: [{ containerPort: 80, hostPort: 8080 }], resources: { requests: {} } }],
  });
  const nominations = new Nominations();
  nominations.nominate("default/coming", "default-a", NOW);
  const state = buildClusterState({
    ...base,
    nodes: [node("ip-1", "aws:///us-east-1a/i-1")],
    nodeClaims: [launched],
    pods: [withPort, pod("coming"), pod("waiting")],
    nominations: nominations.snapshot(),
    instanceTypeOf: () => catalogTypes("m5.large")[0],
    volumes: {
      persistentVolumeClaims: [
        { metadata: { name: "data", namespace: "default" }, spec: { storageClassName: "zonal" } },
      ],
      persistentVolumes: [],
      storageClasses: [
        {
          metadata: { name: "zonal" },
          volumeBindingMode: "WaitForFirstConsumer",
          allowedTopologies: [
            { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["us-east-1b"] }] },
          ],
        },
      ],
    },
  });

  test("bound and nominated pods are counted for topology, on the capacity they are placed on", () => {
    assert.deepEqual(
      state.snapshot.boundPods?.map((b) => [b.pod.metadata.name, b.node]),
      [
        ["web", "default-a"],
        ["coming", "default-a"],
      ],
    );
    assert.deepEqual(
      state.snapshot.pendingPods.map((p) => p.metadata.name),
      ["waiting"],
    );
  });

  test("existing capacity carries its pods' host ports and its launched offering's price", () => {
    const [existing] = state.snapshot.existing;
    assert.deepEqual(existing?.hostPorts, [{ ip: "0.0.0.0", port: 8080, protocol: "TCP" }]);
    assert.equal(existing?.hourlyPrice, 0.096);
  });

  test("an unbound claim of a zonal class requires its zones", () => {
    assert.deepEqual(state.snapshot.volumeRequirements, {
      "default/data": [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1b"] }],
    });
  });
});
