// The scheduler, one constraint at a time. Expected values come from the catalog's own columns, which are
// Karpenter's published allocatable figures (data/SOURCE.md: allocCpuMilli, allocMemoryMiB, maxPods, onDemandUsd),
// with the arithmetic shown; orders and preferences follow Karpenter's scheduler tests
// (core:pkg/controllers/provisioning/scheduling/suite_test.go: "should schedule in weight order", "should not
// schedule if limits would be exceeded", "should prefer reserved, then spot, then on-demand").
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet, NodePool, Pod } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { catalogInstanceTypes } from "../../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog, InstanceType } from "../../../cloudprovider/index.ts";
import { newOffering } from "../../../cloudprovider/offering.ts";
import {
  type ClusterSnapshot,
  type ExistingCapacity,
  nodePoolTemplate,
  schedule,
  type ScheduleResult,
} from "../../../controller/provisioning/index.ts";
import { parseResourceList, RequirementSet } from "../../../scheduling/index.ts";

const catalog = defaultCatalog();
const ZONES = ["us-east-1a", "us-east-1b"];
const all = catalogInstanceTypes(catalog, { zones: ZONES, region: "us-east-1" });
const raw = (name: string) => {
  const found = catalog.types.find((t) => t.name === name);
  assert.ok(found, name);
  return found;
};
const types = (...names: string[]) => names.map((n) => all.find((t) => t.name === n) ?? assert.fail(n));
const NOW = new Date("2026-01-01T12:00:00Z");

function nodePool(name: string, spec: Record<string, unknown> = {}, template: Record<string, unknown> = {}): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      ...spec,
      template: {
        ...(template["labels"] ? { metadata: { labels: template["labels"] } } : {}),
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: [],
          ...template,
          labels: undefined,
        },
      },
    },
  } as NodePool;
}

let serial = 0;
function pod(requests: Record<string, string>, spec: Record<string, unknown> = {}): Pod {
  serial += 1;
  return {
    metadata: { name: `p${serial}`, namespace: "default" },
    spec: { containers: [{ name: "c", resources: { requests } }], ...spec },
  };
}

function run(
  pods: Pod[],
  pools: NodePool[],
  instanceTypes: readonly InstanceType[],
  extra: Partial<ClusterSnapshot> = {},
): ScheduleResult {
  const snapshot: ClusterSnapshot = { pendingPods: pods, existing: [], daemonSets: [], ...extra };
  const map = new Map(pools.map((p) => [p.metadata?.name ?? "", instanceTypes]));
  return schedule(snapshot, pools.map(nodePoolTemplate), map, fixedClock(NOW));
}
const claimTypes = (r: ScheduleResult) => r.newNodeClaims.map((c) => c.instanceTypes);
const messages = (r: ScheduleResult) => r.unschedulable.map((u) => u.explanations.map((e) => e.message));

describe("schedule: resource requests", () => {
  const pair = types("m5.large", "m5.xlarge");
  test("cpu: m5.large has 1930m allocatable (catalog allocCpuMilli), so 1930m fits it and 1931m needs m5.xlarge", () => {
    assert.equal(raw("m5.large").allocCpuMilli, 1930);
    assert.deepEqual(claimTypes(run([pod({ cpu: "1930m" })], [nodePool("default")], pair)), [
      ["m5.large", "m5.xlarge"],
    ]);
    assert.deepEqual(claimTypes(run([pod({ cpu: "1931m" })], [nodePool("default")], pair)), [["m5.xlarge"]]);
  });

  test("memory: m5.large has 6903Mi allocatable (catalog allocMemoryMiB)", () => {
    assert.equal(raw("m5.large").allocMemoryMiB, 6903);
    assert.deepEqual(claimTypes(run([pod({ memory: "6903Mi" })], [nodePool("default")], pair)), [
      ["m5.large", "m5.xlarge"],
    ]);
    assert.deepEqual(claimTypes(run([pod({ memory: "6904Mi" })], [nodePool("default")], pair)), [["m5.xlarge"]]);
  });

  test("pods: m5.large takes 29 pods (catalog maxPods = 3 ENIs × (10 − 1) + 2), so 30 tiny pods need two", () => {
    assert.equal(raw("m5.large").maxPods, 29);
    const pods = Array.from({ length: 30 }, () => pod({ cpu: "10m" }));
    const result = run(pods, [nodePool("default")], types("m5.large"));
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods.length),
      [29, 1],
    );
  });

  test("init containers and overhead count: 1800m init + 250m overhead = 2050m > 1930m", () => {
    const p = pod({ cpu: "500m" }, { initContainers: [{ name: "i", resources: { requests: { cpu: "1800m" } } }] });
    assert.deepEqual(claimTypes(run([p], [nodePool("default")], pair)), [["m5.large", "m5.xlarge"]]);
    const withOverhead = pod(
      { cpu: "500m" },
      { initContainers: [{ name: "i", resources: { requests: { cpu: "1800m" } } }], overhead: { cpu: "250m" } },
    );
    assert.deepEqual(claimTypes(run([withOverhead], [nodePool("default")], pair)), [["m5.xlarge"]]);
  });

  test("extended resources: nvidia.com/gpu only on the GPU type (g4dn.xlarge: 1 T4)", () => {
    assert.equal(raw("g4dn.xlarge").gpus, 1);
    const result = run(
      [pod({ cpu: "1", "nvidia.com/gpu": "1" })],
      [nodePool("default")],
      types("m5.xlarge", "g4dn.xlarge"),
    );
    assert.deepEqual(claimTypes(result), [["g4dn.xlarge"]]);
    const two = run([pod({ "nvidia.com/gpu": "2" })], [nodePool("default")], types("m5.xlarge", "g4dn.xlarge"));
    assert.deepEqual(messages(two), [
      ["pool default: no compatible instance type has 2 nvidia.com/gpu allocatable (the largest has 1)"],
    ]);
  });

  test("no type large enough: the explanation names the resource, the need and the largest", () => {
    // m5.xlarge: 14162Mi allocatable (catalog allocMemoryMiB) is the largest of the two.
    assert.equal(raw("m5.xlarge").allocMemoryMiB, 14162);
    assert.deepEqual(messages(run([pod({ memory: "600Gi" })], [nodePool("default")], pair)), [
      ["pool default: no compatible instance type has 600Gi memory allocatable (the largest has 14162Mi)"],
    ]);
  });
});

describe("schedule: node selection", () => {
  const mixed = types("m5.large", "m6g.large", "m5.xlarge");
  test("nodeSelector on a well-known label narrows the types", () => {
    const result = run(
      [pod({ cpu: "1" }, { nodeSelector: { "kubernetes.io/arch": "arm64" } })],
      [nodePool("default")],
      mixed,
    );
    assert.deepEqual(claimTypes(result), [["m6g.large"]]);
  });

  test("nodeSelector on a custom label needs a pool that sets it", () => {
    const p = () => pod({ cpu: "1" }, { nodeSelector: { team: "a" } });
    const without = run([p()], [nodePool("default")], mixed);
    assert.deepEqual(messages(without), [
      ["pool default: the pod requires label team, which the pool's nodes would not have"],
    ]);
    const withLabel = run([p()], [nodePool("default", {}, { labels: { team: "a" } })], mixed);
    assert.equal(withLabel.newNodeClaims.length, 1);
    assert.deepEqual(withLabel.newNodeClaims[0]?.nodePool.labels, { team: "a", "karpenter.sh/nodepool": "default" });
  });

  test("required node affinity: terms are OR-ed, expressions AND-ed", () => {
    const affinity = (terms: unknown[]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
    });
    const orTerms = affinity([
      { matchExpressions: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["x9.huge"] }] },
      { matchExpressions: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge"] }] },
    ]);
    assert.deepEqual(claimTypes(run([pod({ cpu: "1" }, orTerms)], [nodePool("default")], mixed)), [["m5.xlarge"]]);
    const andExpressions = affinity([
      {
        matchExpressions: [
          { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
          { key: "karpenter.k8s.aws/instance-size", operator: "NotIn", values: ["xlarge"] },
        ],
      },
    ]);
    assert.deepEqual(claimTypes(run([pod({ cpu: "1" }, andExpressions)], [nodePool("default")], mixed)), [
      ["m5.large"],
    ]);
  });

  test("Gt and Lt on karpenter.k8s.aws/instance-cpu (m5.large 2, m5.xlarge 4 vCPU)", () => {
    const gt = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["2"] }] },
            ],
          },
        },
      },
    };
    assert.deepEqual(claimTypes(run([pod({ cpu: "100m" }, gt)], [nodePool("default")], mixed)), [["m5.xlarge"]]);
    const lt = JSON.parse(JSON.stringify(gt).replace('"Gt"', '"Lt"').replace('["2"]', '["4"]')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(claimTypes(run([pod({ cpu: "100m" }, lt)], [nodePool("default")], mixed)), [
      ["m6g.large", "m5.large"],
    ]);
  });

  test("a pod's requirement that conflicts with the pool's is explained", () => {
    const pool = nodePool(
      "arm",
      {},
      { requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["arm64"] }] },
    );
    const result = run([pod({ cpu: "1" }, { nodeSelector: { "kubernetes.io/arch": "amd64" } })], [pool], mixed);
    assert.equal(result.newNodeClaims.length, 0);
    assert.match(
      messages(result)[0]?.[0] ?? "",
      /^pool arm: the pod's node selector or affinity conflicts .*kubernetes\.io\/arch/,
    );
  });
});

describe("schedule: taints and tolerations", () => {
  const gpuPool = nodePool(
    "gpu",
    {},
    {
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
      startupTaints: [{ key: "example.com/agent-not-ready", effect: "NoSchedule" }],
    },
  );
  test("an untolerated taint rules the pool out, in words", () => {
    assert.deepEqual(messages(run([pod({ cpu: "1" })], [gpuPool], types("g4dn.xlarge"))), [
      ["pool gpu: taint nvidia.com/gpu=true:NoSchedule not tolerated"],
    ]);
  });
  test("a toleration admits the pod; startup taints need none", () => {
    const tolerating = pod({ cpu: "1" }, { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }] });
    const result = run([tolerating], [gpuPool], types("g4dn.xlarge"));
    assert.deepEqual(claimTypes(result), [["g4dn.xlarge"]]);
    assert.deepEqual(result.newNodeClaims[0]?.startupTaints, [
      { key: "example.com/agent-not-ready", effect: "NoSchedule" },
    ]);
  });
});

describe("schedule: NodePool order, existing capacity, pod order", () => {
  test("the heavier pool first; equal weights by name", () => {
    const heavy = run(
      [pod({ cpu: "1" })],
      [nodePool("a", { weight: 10 }), nodePool("b", { weight: 50 })],
      types("m5.large"),
    );
    assert.deepEqual(
      heavy.newNodeClaims.map((c) => c.nodePool.name),
      ["b"],
    );
    const tie = run(
      [pod({ cpu: "1" })],
      [nodePool("zeta", { weight: 5 }), nodePool("alpha", { weight: 5 })],
      types("m5.large"),
    );
    assert.deepEqual(
      tie.newNodeClaims.map((c) => c.nodePool.name),
      ["alpha"],
    );
  });

  const node = (name: string, cpu: string, requested = "0"): ExistingCapacity => ({
    name,
    nodePool: "default",
    labels: { "kubernetes.io/arch": "amd64", "karpenter.sh/nodepool": "default" },
    taints: [],
    capacity: parseResourceList({ cpu: "2", pods: "29" }),
    allocatable: parseResourceList({ cpu, memory: "6903Mi", pods: "29" }),
    requested: parseResourceList({ cpu: requested }),
  });

  test("existing and in-flight capacity is used before a new NodeClaim", () => {
    const result = run([pod({ cpu: "1" })], [nodePool("default")], types("m5.large"), {
      existing: [node("n1", "1930m")],
    });
    assert.deepEqual(result.placementsOnExisting, [{ pod: result.placementsOnExisting[0]?.pod, node: "n1" }]);
    assert.equal(result.newNodeClaims.length, 0);
    const full = run([pod({ cpu: "1" })], [nodePool("default")], types("m5.large"), {
      existing: [node("n1", "1930m", "1")],
    });
    assert.deepEqual([full.placementsOnExisting.length, full.newNodeClaims.length], [0, 1]);
  });

  test("a node selector finds, in name order, the existing nodes whose label (a deprecated key too) it names", () => {
    // Karpenter reads failure-domain.beta.kubernetes.io/zone as topology.kubernetes.io/zone (v1.NormalizedLabels).
    const zoned = (name: string, labels: Record<string, string>) => {
      const n = node(name, "1930m");
      return { ...n, labels: { ...n.labels, ...labels } };
    };
    const existing = [
      zoned("n0", {}),
      zoned("n1", { "topology.kubernetes.io/zone": "us-east-1b" }),
      zoned("n2", { "failure-domain.beta.kubernetes.io/zone": "us-east-1a" }),
      zoned("n3", { "topology.kubernetes.io/zone": "us-east-1a" }),
    ];
    const p = pod({ cpu: "1" }, { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } });
    const result = run([p], [nodePool("default")], types("m5.large"), { existing });
    assert.deepEqual(result.placementsOnExisting, [{ pod: `default/${p.metadata.name}`, node: "n2" }]);
  });

  test("a pod pinned to a pool by karpenter.sh/nodepool opens a NodeClaim there, whatever the other pools' weight", () => {
    const p = pod({ cpu: "1" }, { nodeSelector: { "karpenter.sh/nodepool": "batch" } });
    const pools = [nodePool("default", { weight: 50 }), nodePool("batch"), nodePool("web", { weight: 10 })];
    const result = run([p], pools, types("m5.large"), { existing: [node("n1", "1930m")] });
    assert.deepEqual(result.placementsOnExisting, [], "n1 is default's");
    assert.deepEqual(
      result.newNodeClaims.map((c) => [c.nodePool.name, c.pods]),
      [["batch", [`default/${p.metadata.name}`]]],
    );
  });

  test("pods go largest CPU first, so the big one takes the room left on the node", () => {
    const small = pod({ cpu: "500m" });
    const big = pod({ cpu: "1500m" });
    const result = run([small, big], [nodePool("default")], types("m5.large"), { existing: [node("n1", "1500m")] });
    assert.deepEqual(result.placementsOnExisting, [{ pod: `default/${big.metadata.name}`, node: "n1" }]);
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods),
      [[`default/${small.metadata.name}`]],
    );
  });
});

describe("schedule: limits", () => {
  const pair = types("m5.large", "m5.xlarge");
  test("limits.cpu: each NodeClaim counts the largest capacity of its types; the next is refused, explained", () => {
    // m5.xlarge has 4 vCPU capacity; 3 × 1500m: two share an m5.xlarge (3000m ≤ 3920m), the third would need
    // another node of at least 2 vCPU (m5.large) when 4 of 4 are used.
    const pool = nodePool("general", { limits: { cpu: "4" } });
    const result = run([pod({ cpu: "1500m" }), pod({ cpu: "1500m" }), pod({ cpu: "1500m" })], [pool], pair);
    assert.deepEqual(claimTypes(result), [["m5.xlarge"]]);
    assert.deepEqual(messages(result), [
      ["pool general: limits.cpu would be exceeded (4 of 4 used, the smallest fitting type needs 2)"],
    ]);
  });

  test("in-flight and existing capacity of the pool counts against its limits", () => {
    const pool = nodePool("general", { limits: { cpu: "100" } });
    const existing: ExistingCapacity = {
      name: "n1",
      nodePool: "general",
      labels: {},
      taints: [{ key: "full", effect: "NoSchedule" }],
      capacity: parseResourceList({ cpu: "96" }),
      allocatable: parseResourceList({ cpu: "95" }),
      requested: {},
    };
    const result = run([pod({ cpu: "3" })], [pool], types("m5.xlarge", "m5.2xlarge"), { existing: [existing] });
    assert.deepEqual(claimTypes(result), [["m5.xlarge"]]);
    const tooBig = run([pod({ cpu: "5" })], [pool], types("m5.xlarge", "m5.2xlarge"), { existing: [existing] });
    assert.deepEqual(messages(tooBig), [
      ["pool general: limits.cpu would be exceeded (96 of 100 used, the smallest fitting type needs 8)"],
    ]);
  });

  test("limits.nodes", () => {
    const pool = nodePool("one", { limits: { nodes: "1" } });
    const result = run([pod({ cpu: "1500m" }), pod({ cpu: "1500m" })], [pool], types("m5.large"));
    assert.equal(result.newNodeClaims.length, 1);
    assert.deepEqual(messages(result), [["pool one: limits.nodes reached (1 of 1)"]]);
  });
});

describe("schedule: daemonset overhead", () => {
  const ds = (tolerations: unknown[] = []): DaemonSet => ({
    metadata: { name: "agent", namespace: "kube-system" },
    spec: {
      template: { spec: { containers: [{ name: "a", resources: { requests: { cpu: "500m" } } }], tolerations } },
    },
  });
  test("a daemonset that will run on the pool's nodes is reserved on each new NodeClaim", () => {
    // 1500m + 500m = 2000m > 1930m (m5.large), ≤ 3920m (m5.xlarge).
    const result = run([pod({ cpu: "1500m" })], [nodePool("default")], types("m5.large", "m5.xlarge"), {
      daemonSets: [ds()],
    });
    assert.deepEqual(claimTypes(result), [["m5.xlarge"]]);
    assert.deepEqual(
      Object.fromEntries(Object.entries(result.newNodeClaims[0]?.requests ?? {}).map(([k, v]) => [k, v.toString()])),
      {
        cpu: "2",
        pods: "2",
      },
    );
  });
  test("one that does not tolerate the pool's taints is not", () => {
    const pool = nodePool("tainted", {}, { taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }] });
    const tolerating = pod({ cpu: "1500m" }, { tolerations: [{ key: "dedicated", operator: "Exists" }] });
    const result = run([tolerating], [pool], types("m5.large", "m5.xlarge"), { daemonSets: [ds()] });
    assert.deepEqual(claimTypes(result), [["m5.large", "m5.xlarge"]]);
  });
});

describe("schedule: offerings, capacity type and price order", () => {
  const requirements = RequirementSet.fromRequirements([]);
  const handMade = (name: string, offerings: Parameters<typeof newOffering>[0][]) => {
    const base = all.find((t) => t.name === name) ?? assert.fail(name);
    return new InstanceType({
      name,
      requirements: base.requirements,
      offerings: offerings.map(newOffering),
      capacity: base.capacity,
      overhead: base.overhead,
    });
  };
  test("reserved over spot over on-demand; the pool's capacity-type requirement is respected", () => {
    const it = handMade("m5.large", [
      { zone: "us-east-1a", capacityType: "on-demand", price: 0.096, available: true },
      { zone: "us-east-1a", capacityType: "spot", price: 0.04, available: true },
      {
        zone: "us-east-1b",
        capacityType: "reserved",
        price: 0.05,
        available: true,
        reservation: { id: "cr-1", type: "default", interruptible: false, capacity: 1 },
      },
    ]);
    assert.equal(requirements.keys().length, 0);
    const first = run([pod({ cpu: "1" })], [nodePool("default")], [it]);
    assert.deepEqual(
      first.newNodeClaims.map((c) => [c.capacityType, c.price]),
      [["reserved", 0.05]],
    );
    const noReserved = nodePool(
      "default",
      {},
      {
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] }],
      },
    );
    assert.deepEqual(
      run([pod({ cpu: "1" })], [noReserved], [it]).newNodeClaims.map((c) => [c.capacityType, c.price]),
      [["spot", 0.04]],
    );
    const onDemand = nodePool(
      "default",
      {},
      {
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] }],
      },
    );
    assert.deepEqual(
      run([pod({ cpu: "1" })], [onDemand], [it]).newNodeClaims.map((c) => [c.capacityType, c.price]),
      [["on-demand", 0.096]],
    );
  });

  test("unavailable offerings are skipped; none left is explained", () => {
    const unavailable = handMade("m5.large", [
      { zone: "us-east-1a", capacityType: "on-demand", price: 0.096, available: false },
    ]);
    const ok = handMade("m5.xlarge", [
      { zone: "us-east-1a", capacityType: "on-demand", price: 0.192, available: true },
    ]);
    assert.deepEqual(claimTypes(run([pod({ cpu: "1" })], [nodePool("default")], [unavailable, ok])), [["m5.xlarge"]]);
    const none = run([pod({ cpu: "1" })], [nodePool("default")], [unavailable]);
    assert.match(
      messages(none)[0]?.[0] ?? "",
      /^pool default: no available offering \(zone and capacity type\) satisfies /,
    );
  });

  test("instance types cheapest first, at most 60 (the whole catalog)", () => {
    const result = run([pod({ cpu: "100m" })], [nodePool("default")], all);
    const names = result.newNodeClaims[0]?.instanceTypes ?? [];
    assert.equal(names.length, 60);
    const prices = names.map((n) => raw(n).onDemandUsd);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
    // The cheapest type of the catalog's own price column (every type fits a 100m pod).
    const cheapest = Math.min(...catalog.types.map((t) => t.onDemandUsd));
    assert.equal(prices[0], cheapest);
    assert.equal(result.newNodeClaims[0]?.price, cheapest);
  });
});

describe("schedule: no pools", () => {
  test("a pod with no pool to try says so", () => {
    const result = run([pod({ cpu: "1" })], [], types("m5.large"));
    assert.deepEqual(
      result.unschedulable.map((u) => u.message),
      ["no NodePool can provision nodes (none exist, or all are static)"],
    );
    assert.deepEqual(result.decidedAt, NOW);
  });
});

describe("schedule: bad input", () => {
  test("a pod whose spec cannot be read is reported by name and field; the others are still scheduled", () => {
    const bad = pod({ cpu: "lots" });
    const good = pod({ cpu: "1" });
    const result = run([bad, good], [nodePool("default")], types("m5.large"));
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods),
      [[`default/${good.metadata.name}`]],
    );
    assert.equal(result.unschedulable.length, 1);
    assert.match(
      result.unschedulable[0]?.message ?? "",
      new RegExp(`^pod default/${bad.metadata.name} spec\\.containers\\[0\\]\\.resources\\.requests\\.cpu: `),
    );
  });
});
