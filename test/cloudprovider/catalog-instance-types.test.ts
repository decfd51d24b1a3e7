// The static source: the catalog as the cloud provider's InstanceTypes. Expected values: the catalog data (labels
// and prices read from Karpenter's docs and pricing file, data/SOURCE.md), Karpenter's computeRequirements
// (aws:pkg/providers/instancetype/types.go) for what each key must say, and the catalog's own `matching` (an
// independent, bitset implementation of requirement compatibility) for which types a NodePool allows.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CAPACITY_SETTINGS, capacitySettingsOf } from "../../cloudprovider/capacity-settings.ts";
import { InstanceType } from "../../cloudprovider/instance-type.ts";
import { catalogInstanceTypes } from "../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog } from "../../cloudprovider/index.ts";
import { instanceTypeCapacity, instanceTypeOverhead } from "../../cloudprovider/capacity.ts";
import type { CapacityType } from "../../cloudprovider/offering.ts";
import { formatQuantity, parseQuantity } from "../../api/quantity.ts";
import type { EC2NodeClass } from "../../api/types.ts";
import { RequirementSet, type NodeSelectorRequirement } from "../../scheduling/requirements.ts";
import type { ResourceList } from "../../scheduling/resources.ts";

const catalog = defaultCatalog();
const ZONES = ["us-east-1a", "us-east-1b"];
const types = catalogInstanceTypes(catalog, {
  zones: ZONES,
  region: "us-east-1",
  zoneIds: { "us-east-1a": "use1-az1" },
});
const byName = new Map(types.map((t) => [t.name, t]));

function it(name: string): InstanceType {
  const found = byName.get(name);
  assert.ok(found, `${name} is listed`);
  return found;
}

function show(list: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([name, q]) => [name, formatQuantity(q)]));
}

const windowsClass: EC2NodeClass = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "windows" },
  spec: {
    amiSelectorTerms: [{ alias: "windows2022@latest" }],
    subnetSelectorTerms: [{ id: "subnet-1" }],
    securityGroupSelectorTerms: [{ id: "sg-1" }],
    role: "Node",
  },
};

describe("catalogInstanceTypes", () => {
  test("every catalog type, in order, with an on-demand offering per zone at the catalog's price", () => {
    assert.deepEqual(
      types.map((t) => t.name),
      catalog.types.map((t) => t.name),
    );
    const m5 = it("m5.large");
    // us-east-1 on-demand, Linux, shared tenancy (pricing_aws.go): $0.096 per hour.
    assert.deepEqual(
      [...m5.offerings].map((o) => [o.zone, o.zoneId, o.capacityType, o.price, o.available]),
      [
        ["us-east-1a", "use1-az1", "on-demand", 0.096, true],
        ["us-east-1b", undefined, "on-demand", 0.096, true],
      ],
    );
  });

  test("requirements: the catalog's labels, DoesNotExist for what the type lacks, launch-time keys", () => {
    const m5 = it("m5.large").requirements;
    const one = (key: string) => {
      const allowed = m5.valuesFor(key);
      return allowed.complement
        ? "any"
        : allowed.values.length === 0
          ? allowed.allowsAbsent
            ? "absent"
            : "none"
          : allowed.values.join(" ");
    };
    assert.deepEqual(
      Object.fromEntries(
        [
          "node.kubernetes.io/instance-type",
          "kubernetes.io/arch",
          "kubernetes.io/os",
          "karpenter.k8s.aws/instance-family",
          "karpenter.k8s.aws/instance-category",
          "karpenter.k8s.aws/instance-generation",
          "karpenter.k8s.aws/instance-size",
          "karpenter.k8s.aws/instance-cpu",
          "karpenter.k8s.aws/instance-cpu-manufacturer",
          "karpenter.k8s.aws/instance-memory",
          "karpenter.k8s.aws/instance-network-bandwidth",
          "karpenter.k8s.aws/instance-capability-flex",
          "karpenter.k8s.aws/instance-gpu-count",
          "karpenter.k8s.aws/instance-local-nvme",
          "karpenter.k8s.aws/instance-tenancy",
          "karpenter.sh/capacity-type",
          "topology.kubernetes.io/zone",
          "topology.kubernetes.io/region",
          "topology.k8s.aws/zone-id",
          "node.kubernetes.io/windows-build",
          "karpenter.k8s.aws/capacity-reservation-id",
          // Not in the catalog: left unconstrained, so a NodePool requiring it is not refused every type.
          "karpenter.k8s.aws/instance-hypervisor",
        ].map((key) => [key, one(key)]),
      ),
      {
        "node.kubernetes.io/instance-type": "m5.large",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "karpenter.k8s.aws/instance-family": "m5",
        "karpenter.k8s.aws/instance-category": "m",
        "karpenter.k8s.aws/instance-generation": "5",
        "karpenter.k8s.aws/instance-size": "large",
        "karpenter.k8s.aws/instance-cpu": "2",
        "karpenter.k8s.aws/instance-cpu-manufacturer": "intel",
        "karpenter.k8s.aws/instance-memory": "8192",
        "karpenter.k8s.aws/instance-network-bandwidth": "750",
        "karpenter.k8s.aws/instance-capability-flex": "false",
        "karpenter.k8s.aws/instance-gpu-count": "absent",
        "karpenter.k8s.aws/instance-local-nvme": "absent",
        "karpenter.k8s.aws/instance-tenancy": "dedicated default",
        "karpenter.sh/capacity-type": "on-demand spot",
        "topology.kubernetes.io/zone": "us-east-1a us-east-1b",
        "topology.kubernetes.io/region": "us-east-1",
        "topology.k8s.aws/zone-id": "use1-az1",
        "node.kubernetes.io/windows-build": "absent",
        "karpenter.k8s.aws/capacity-reservation-id": "absent",
        "karpenter.k8s.aws/instance-hypervisor": "any",
      },
    );
    assert.equal(it("g5.xlarge").requirements.valuesFor("karpenter.k8s.aws/instance-gpu-name").values.join(), "a10g");
  });

  test("capacity, overhead and allocatable() from the capacity math", () => {
    const m5 = it("m5.large");
    const record = catalog.byName("m5.large");
    assert.ok(record);
    assert.deepEqual(show(m5.capacity), show(instanceTypeCapacity(record, DEFAULT_CAPACITY_SETTINGS)));
    assert.deepEqual(m5.overhead, instanceTypeOverhead(record, DEFAULT_CAPACITY_SETTINGS));
    // Karpenter's published allocatable for m5.large (data: allocCpuMilli 1930, allocMemoryMiB 6903; docs 17Gi).
    assert.deepEqual(show(m5.allocatable()), {
      cpu: "1930m",
      memory: "6903Mi",
      "ephemeral-storage": "17Gi",
      pods: "29",
    });
    assert.equal(m5.allocatable(), m5.allocatable(), "computed once");
  });

  test("allocatable() subtracts only resources the node has (resources.Subtract)", () => {
    const base = it("m5.large");
    const withPid = new InstanceType({
      ...base,
      overhead: { ...base.overhead, systemReserved: { pid: parseQuantity("1000"), memory: parseQuantity("1Gi") } },
    });
    assert.deepEqual(show(withPid.allocatable()), {
      cpu: "1930m",
      memory: "5879Mi",
      "ephemeral-storage": "17Gi",
      pods: "29",
    });
  });

  test("the unavailable-offerings hook marks offerings unavailable, nothing else", () => {
    const marked = catalogInstanceTypes(catalog, {
      zones: ZONES,
      isUnavailable: (name: string, zone: string, capacityType: CapacityType) =>
        name === "m5.large" && zone === "us-east-1b" && capacityType === "on-demand",
    });
    const m5 = marked.find((t) => t.name === "m5.large");
    assert.deepEqual(m5 && [...m5.offerings].map((o) => o.available), [true, false]);
    assert.deepEqual(m5?.offerings.available().cheapest()?.zone, "us-east-1a");
    assert.equal(marked.filter((t) => t.offerings.available().length < 2).length, 1);
  });

  test("Windows: os windows on amd64 and a requirement nothing satisfies on arm64; the build label", () => {
    const windows = catalogInstanceTypes(catalog, { zones: ZONES, settings: capacitySettingsOf(windowsClass) });
    const m5 = windows.find((t) => t.name === "m5.large");
    const m6g = windows.find((t) => t.name === "m6g.large");
    assert.ok(m5 && m6g);
    assert.ok(m5.requirements.isSatisfiable());
    assert.ok(
      m5.requirements.allows("kubernetes.io/os", "windows") && !m5.requirements.allows("kubernetes.io/os", "linux"),
    );
    assert.deepEqual(m5.requirements.valuesFor("node.kubernetes.io/windows-build").values, ["10.0.20348"]);
    assert.ok(!m6g.requirements.isSatisfiable(), "Windows AMIs are x86 only");
    assert.equal(windows.length, catalog.types.length, "kept, as GetInstanceTypes returns every type");
  });
});

test("the types whose requirements intersect a NodePool's are the catalog's `matching` answer", () => {
  const pools: NodeSelectorRequirement[][] = [
    [{ key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] }],
    [
      { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["arm64"] },
      { key: "karpenter.k8s.aws/instance-size", operator: "NotIn", values: ["metal", "48xlarge"] },
    ],
    [
      { key: "karpenter.k8s.aws/instance-gpu-count", operator: "Exists" },
      { key: "karpenter.k8s.aws/instance-gpu-manufacturer", operator: "In", values: ["nvidia"] },
    ],
    [
      { key: "karpenter.k8s.aws/instance-local-nvme", operator: "DoesNotExist" },
      { key: "karpenter.k8s.aws/instance-cpu", operator: "Lte", values: ["4"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      { key: "team", operator: "In", values: ["payments"] },
    ],
  ];
  for (const requirements of pools) {
    const set = RequirementSet.fromRequirements(requirements);
    const ours = types.filter((t) => set.intersects(t.requirements)).map((t) => t.name);
    const theirs = catalog.matching(requirements).map((t) => t.name);
    assert.ok(theirs.length > 0, JSON.stringify(requirements));
    assert.deepEqual(ours, theirs, JSON.stringify(requirements));
  }
});
