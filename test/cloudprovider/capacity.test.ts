// Capacity and overhead math against two independent sources: Karpenter's own allocatable figures for every catalog
// entry (the `cpu`/`memory`/`pods` resources of its generated instance-types reference, AL2023 defaults, see
// data/SOURCE.md), and cases worked by hand in the comments from the formulas of karpenter-provider-aws v1.14.1
// pkg/providers/instancetype/types.go as FACTS.md §d states them.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_CAPACITY_SETTINGS,
  capacitySettingsOf,
  type CapacitySettings,
} from "../../cloudprovider/capacity-settings.ts";
import { amiFamilyOf } from "../../cloudprovider/ami-family.ts";
import { capacityOf } from "../../cloudprovider/catalog/catalog.ts";
import { defaultCatalog, type CatalogInstanceType } from "../../cloudprovider/index.ts";
import {
  eniLimitedPods,
  instanceTypeCapacity,
  instanceTypeOverhead,
  kubeReservedCpuMilli,
  vmMemoryMiB,
} from "../../cloudprovider/capacity.ts";
import { overheadTotal } from "../../cloudprovider/instance-type-overhead.ts";
import { amiFamilyFromAlias } from "../../api/index.ts";
import { formatQuantity, parseQuantity } from "../../api/quantity.ts";
import type { EC2NodeClass, EC2NodeClassSpec } from "../../api/types.ts";
import { ValueError } from "../../api/value-error.ts";
import { subtractResources, type ResourceList } from "../../scheduling/resources.ts";

const catalog = defaultCatalog();

function type(name: string): CatalogInstanceType {
  const found = catalog.byName(name);
  assert.ok(found, `${name} is in the catalog`);
  return found;
}

function show(list: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([name, q]) => [name, formatQuantity(q)]));
}

/** capacity − (kube-reserved + system-reserved + eviction), over every resource of either side. */
function allocatable(t: CatalogInstanceType, settings: CapacitySettings): Record<string, string> {
  return show(subtractResources(instanceTypeCapacity(t, settings), overheadTotal(instanceTypeOverhead(t, settings))));
}

function nodeClass(spec: Partial<EC2NodeClassSpec>, name = "default"): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name },
    spec: {
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
      role: "KarpenterNodeRole",
      ...spec,
    },
  };
}

const MiB = (q: string | undefined): number => Number(parseQuantity(q ?? "0").value() / 1048576n);
const milli = (q: string | undefined): number => Number(parseQuantity(q ?? "0").milliValue());

describe("against Karpenter's published allocatable (AL2023, no kubelet settings, no block devices)", () => {
  test("cpu and memory for every catalog entry", () => {
    // All 1364 entries are valid for this comparison: the 19 taken from older docs versions (`src`) were generated
    // for AL2023 with the same formulas, and the check below shows no systematic difference anywhere.
    const mismatches: string[] = [];
    for (const t of catalog.types) {
      const alloc = allocatable(t, DEFAULT_CAPACITY_SETTINGS);
      if (milli(alloc["cpu"]) !== t.allocCpuMilli || MiB(alloc["memory"]) !== t.allocMemoryMiB) {
        mismatches.push(`${t.name}: ${alloc["cpu"]}/${alloc["memory"]} vs ${t.allocCpuMilli}m/${t.allocMemoryMiB}Mi`);
      }
    }
    assert.deepEqual(mismatches, []);
    assert.equal(catalog.types.length, 1364);
  });

  test("ENI-limited pods: ENIs × (IPv4 per ENI − 1) + 2 is the docs' pods for every single-network-card type", () => {
    // The catalog's maxPods is the docs' `pods` value (data/SOURCE.md). On the 59 multi-card types the formula uses
    // the default card's ENIs, fewer than `enis`, so only the others can be checked against `enis` directly.
    let checked = 0;
    for (const t of catalog.types) {
      const fromTotal = t.enis * (t.ipv4PerEni - 1) + 2;
      if (fromTotal === t.maxPods) checked++;
      else assert.ok(fromTotal > t.maxPods, `${t.name}: only the default card's ENIs can make the docs' figure lower`);
      assert.equal(eniLimitedPods(t), t.maxPods, t.name);
    }
    assert.equal(checked, 1364 - 59);
  });

  test("the docs' ephemeral-storage for m5.large: 20Gi − 1Gi − 2Gi = 17Gi", () => {
    assert.equal(allocatable(type("m5.large"), DEFAULT_CAPACITY_SETTINGS)["ephemeral-storage"], "17Gi");
  });
});

describe("hand-computed from the formulas", () => {
  test("m5.large: 2 vCPU, 8 GiB, 3 ENIs × 10 IPv4", () => {
    const t = type("m5.large");
    // pods 3 × (10 − 1) + 2 = 29; memory 8192 − ceil(8192 × 0.075 = 614.4) = 7577 MiB; ephemeral 20Gi (AL2023).
    assert.deepEqual(show(instanceTypeCapacity(t, DEFAULT_CAPACITY_SETTINGS)), {
      cpu: "2",
      memory: "7577Mi",
      "ephemeral-storage": "20Gi",
      pods: "29",
    });
    // kube-reserved: cpu 6 % of 1000m + 1 % of 1000m = 60m + 10m = 70m; memory 11 × 29 + 255 = 574Mi; 1Gi.
    // eviction: memory 100Mi, ephemeral 10 % of 20Gi = 2Gi. system-reserved: none.
    const overhead = instanceTypeOverhead(t, DEFAULT_CAPACITY_SETTINGS);
    assert.deepEqual(show(overhead.kubeReserved), { cpu: "70m", memory: "574Mi", "ephemeral-storage": "1Gi" });
    assert.deepEqual(show(overhead.systemReserved), {});
    // (A percentage is computed in bytes, as Karpenter does.)
    assert.deepEqual(show(overhead.evictionThreshold), { memory: "100Mi", "ephemeral-storage": "2147483648" });
    // 2000 − 70 = 1930m; 7577 − 574 − 100 = 6903Mi.
    assert.deepEqual(allocatable(t, DEFAULT_CAPACITY_SETTINGS), {
      cpu: "1930m",
      memory: "6903Mi",
      "ephemeral-storage": "17Gi",
      pods: "29",
    });
  });

  test("CPU tiers: 6 % / 1 % / 0.5 % / 0.25 %", () => {
    assert.equal(kubeReservedCpuMilli(1), 60); // 6 % of 1000
    assert.equal(kubeReservedCpuMilli(2), 70); // + 1 % of 1000
    assert.equal(kubeReservedCpuMilli(4), 80); // + 0.5 % of 2000
    assert.equal(kubeReservedCpuMilli(48), 190); // + 0.25 % of 44000 = 110
    assert.equal(kubeReservedCpuMilli(192), 550); // + 0.25 % of 188000 = 470
  });

  test("a1.medium (arm64): 64 MiB off first, then the VM overhead", () => {
    // memory (2048 − 64) = 1984 − ceil(148.8) = 1835 MiB; pods 2 × (4 − 1) + 2 = 8; kube memory 11 × 8 + 255 = 343;
    // allocatable 1835 − 343 − 100 = 1392 MiB; cpu 1000 − 60 = 940m.
    const alloc = allocatable(type("a1.medium"), DEFAULT_CAPACITY_SETTINGS);
    assert.equal(alloc["memory"], "1392Mi");
    assert.equal(alloc["cpu"], "940m");
    assert.equal(alloc["pods"], "8");
    assert.equal(vmMemoryMiB(type("a1.medium")), 1835);
  });

  test("m5.12xlarge: 48 vCPU, 192 GiB, 8 ENIs × 30 IPv4", () => {
    // pods 8 × 29 + 2 = 234; memory 196608 − ceil(14745.6) = 181862; kube 11 × 234 + 255 = 2829;
    // allocatable memory 181862 − 2829 − 100 = 178933 MiB; cpu 48000 − 190 = 47810m.
    assert.deepEqual(allocatable(type("m5.12xlarge"), DEFAULT_CAPACITY_SETTINGS), {
      cpu: "47810m",
      memory: "178933Mi",
      "ephemeral-storage": "17Gi",
      pods: "234",
    });
  });

  test("p5.48xlarge: pods come from the default network card (2 ENIs × 50 IPv4), not all 64 ENIs", () => {
    const t = type("p5.48xlarge");
    // 2 × 49 + 2 = 100, where 64 × 49 + 2 would be 3138; the GPUs are an extended resource.
    assert.equal(show(instanceTypeCapacity(t, DEFAULT_CAPACITY_SETTINGS))["pods"], "100");
    assert.equal(show(instanceTypeCapacity(t, DEFAULT_CAPACITY_SETTINGS))["nvidia.com/gpu"], "8");
    // One ENI reserved: 1 × 49 + 2 = 51.
    assert.equal(eniLimitedPods(t, 1), 51);
    assert.equal(eniLimitedPods(t, 2), 0, "no ENI left, no pods");
  });

  test("GPU, Neuron and Gaudi devices as extended resources", () => {
    assert.equal(show(instanceTypeCapacity(type("g5.xlarge"), DEFAULT_CAPACITY_SETTINGS))["nvidia.com/gpu"], "1");
    assert.equal(show(instanceTypeCapacity(type("g4ad.xlarge"), DEFAULT_CAPACITY_SETTINGS))["amd.com/gpu"], "1");
    assert.equal(show(instanceTypeCapacity(type("dl1.24xlarge"), DEFAULT_CAPACITY_SETTINGS))["habana.ai/gaudi"], "8");
    const inf2 = instanceTypeCapacity(type("inf2.xlarge"), DEFAULT_CAPACITY_SETTINGS);
    assert.equal(show(inf2)["aws.amazon.com/neuron"], "1");
    // Karpenter's docs list the same device count for inf2.xlarge, and 14162Mi / 3920m allocatable.
    assert.deepEqual(
      [
        allocatable(type("inf2.xlarge"), DEFAULT_CAPACITY_SETTINGS)["memory"],
        allocatable(type("inf2.xlarge"), DEFAULT_CAPACITY_SETTINGS)["cpu"],
      ],
      ["14162Mi", "3920m"],
    );
  });
});

describe("the EC2NodeClass's kubelet settings and AMI family", () => {
  const m5 = (spec: Partial<EC2NodeClassSpec>) => {
    const settings = capacitySettingsOf(nodeClass(spec));
    return {
      capacity: show(instanceTypeCapacity(type("m5.large"), settings)),
      overhead: instanceTypeOverhead(type("m5.large"), settings),
      alloc: allocatable(type("m5.large"), settings),
    };
  };

  test("AL2023 with maxPods: pods follow it, kube-reserved memory keeps the ENI-limited 29 pods", () => {
    const { capacity, overhead } = m5({ kubelet: { maxPods: 110 } });
    assert.equal(capacity["pods"], "110");
    assert.equal(show(overhead.kubeReserved)["memory"], "574Mi"); // 11 × 29 + 255
  });

  test("Bottlerocket with maxPods: kube-reserved memory for 110 pods; podsPerCore ignored", () => {
    const { capacity, overhead, alloc } = m5({
      amiSelectorTerms: [{ alias: "bottlerocket@latest" }],
      kubelet: { maxPods: 110, podsPerCore: 4 },
    });
    assert.equal(capacity["pods"], "110");
    assert.equal(show(overhead.kubeReserved)["memory"], "1465Mi"); // 11 × 110 + 255
    assert.equal(capacity["ephemeral-storage"], "20Gi", "the /dev/xvdb data volume");
    assert.equal(alloc["memory"], "6012Mi"); // 7577 − 1465 − 100
  });

  test("podsPerCore caps pods at podsPerCore × vCPUs on AL2023", () => {
    const { capacity, overhead } = m5({ kubelet: { podsPerCore: 10 } });
    assert.equal(capacity["pods"], "20"); // min(10 × 2, 29)
    assert.equal(show(overhead.kubeReserved)["memory"], "574Mi");
    assert.equal(m5({ kubelet: { podsPerCore: 0 } }).capacity["pods"], "29", "0 means unset");
  });

  test("Windows2022: 110 pods, 50Gi root volume, private IPv4 addresses, no arm64", () => {
    const { capacity, overhead, alloc } = m5({ amiSelectorTerms: [{ alias: "windows2022@latest" }] });
    assert.equal(capacity["pods"], "110");
    assert.equal(capacity["vpc.amazonaws.com/PrivateIPv4Address"], "9"); // 10 IPv4 per ENI − 1
    assert.equal(show(overhead.kubeReserved)["memory"], "1465Mi"); // 11 × 110 + 255
    assert.equal(alloc["ephemeral-storage"], "44Gi"); // 50 − 1 − 5
    assert.equal(alloc["memory"], "6012Mi");
    const settings = capacitySettingsOf(
      nodeClass({ amiFamily: "Windows2019", amiSelectorTerms: [{ id: "ami-0123" }] }),
    );
    assert.equal(
      show(instanceTypeCapacity(type("m6g.large"), settings))["vpc.amazonaws.com/PrivateIPv4Address"],
      undefined,
    );
  });

  test("RESERVED_ENIS lowers pods but not kube-reserved memory", () => {
    const settings = capacitySettingsOf(nodeClass({}), { reservedENIs: 1 });
    assert.equal(show(instanceTypeCapacity(type("m5.large"), settings))["pods"], "20"); // 2 × 9 + 2
    assert.equal(show(instanceTypeOverhead(type("m5.large"), settings).kubeReserved)["memory"], "574Mi");
  });

  test("an efa-only interface on card 0 takes an ENI from pods and from kube-reserved's count", () => {
    const settings = capacitySettingsOf(
      nodeClass({
        networkInterfaces: [
          { networkCardIndex: 0, deviceIndex: 0, interfaceType: "interface" },
          { networkCardIndex: 0, deviceIndex: 1, interfaceType: "efa-only" },
          { networkCardIndex: 1, deviceIndex: 0, interfaceType: "efa-only" },
        ],
      }),
    );
    // c5n.18xlarge: 15 ENIs × 50 IPv4 → (15 − 1) × 49 + 2 = 688 pods; kube memory 11 × 688 + 255 = 7823Mi.
    assert.equal(show(instanceTypeCapacity(type("c5n.18xlarge"), settings))["pods"], "688");
    assert.equal(show(instanceTypeOverhead(type("c5n.18xlarge"), settings).kubeReserved)["memory"], "7823Mi");
  });

  test("evictionHard overrides memory.available and nodefs.available; evictionSoft does not count", () => {
    const percent = m5({
      kubelet: {
        evictionHard: { "memory.available": "5%", "nodefs.available": "15%" },
        evictionSoft: { "memory.available": "1Gi" },
        evictionSoftGracePeriod: { "memory.available": "1m" },
      },
    });
    // ceil(7577Mi = 7945060352 bytes × 5 / 100 = 397253017.6) = 397253018; 15 % of 20Gi = 3221225472 bytes.
    assert.deepEqual(show(percent.overhead.evictionThreshold), {
      memory: "397253018",
      "ephemeral-storage": "3221225472",
    });
    const absolute = m5({ kubelet: { evictionHard: { "memory.available": "500Mi", "nodefs.available": "100%" } } });
    assert.deepEqual(
      show(absolute.overhead.evictionThreshold),
      { memory: "500Mi", "ephemeral-storage": "0" },
      "100% reads as 0, as Karpenter has it",
    );
  });

  test("kubeReserved replaces per key; systemReserved is added as set, resources the node lacks ignored", () => {
    const { overhead, alloc } = m5({
      kubelet: { kubeReserved: { cpu: "200m" }, systemReserved: { memory: "100Mi", pid: "1000" } },
    });
    assert.deepEqual(show(overhead.kubeReserved), { cpu: "200m", memory: "574Mi", "ephemeral-storage": "1Gi" });
    assert.deepEqual(show(overhead.systemReserved), { memory: "100Mi", pid: "1k" });
    assert.equal(alloc["cpu"], "1800m");
    assert.equal(alloc["memory"], "6803Mi"); // 7577 − 574 − 100 − 100
  });

  test("ephemeral storage: RAID0 instance store, root volume, the family's device, Custom's last mapping", () => {
    // m5d.large has 75 GB of NVMe instance store: 75G; eviction 10 % = 7.5G.
    const raid = capacitySettingsOf(nodeClass({ instanceStorePolicy: "RAID0" }));
    assert.equal(show(instanceTypeCapacity(type("m5d.large"), raid))["ephemeral-storage"], "75G");
    assert.equal(show(instanceTypeOverhead(type("m5d.large"), raid).evictionThreshold)["ephemeral-storage"], "7500M");
    assert.equal(show(instanceTypeCapacity(type("m5.large"), raid))["ephemeral-storage"], "20Gi", "no instance store");
    const mappings = [
      { deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi" } },
      { deviceName: "/dev/xvdb", ebs: { volumeSize: "60Gi" } },
      { deviceName: "/dev/xvdc", ebs: { volumeSize: "80Gi" } },
    ];
    const size = (spec: Partial<EC2NodeClassSpec>) =>
      show(instanceTypeCapacity(type("m5.large"), capacitySettingsOf(nodeClass(spec))))["ephemeral-storage"];
    assert.equal(size({ blockDeviceMappings: mappings }), "50Gi", "AL2023: /dev/xvda");
    assert.equal(size({ blockDeviceMappings: mappings, amiSelectorTerms: [{ alias: "bottlerocket@latest" }] }), "60Gi");
    assert.equal(
      size({ blockDeviceMappings: mappings, amiFamily: "Custom", amiSelectorTerms: [{ id: "ami-1" }] }),
      "80Gi",
    );
    assert.equal(
      size({
        blockDeviceMappings: [...mappings, { deviceName: "/dev/sdz", rootVolume: true, ebs: { volumeSize: "100Gi" } }],
      }),
      "100Gi",
    );
    assert.equal(
      size({ blockDeviceMappings: [{ deviceName: "/dev/sdf", ebs: { volumeSize: "5Gi" } }] }),
      "20Gi",
      "no mapping for /dev/xvda",
    );
  });

  test("VM_MEMORY_OVERHEAD_PERCENT", () => {
    const settings = capacitySettingsOf(nodeClass({}), { vmMemoryOverheadPercent: 0 });
    assert.equal(show(instanceTypeCapacity(type("m5.large"), settings))["memory"], "8Gi");
    assert.throws(() => vmMemoryMiB(type("m5.large"), 7.5), ValueError);
  });
});

describe("bad input", () => {
  const problem = (spec: Partial<EC2NodeClassSpec>) => {
    try {
      capacitySettingsOf(nodeClass(spec, "gpu"));
    } catch (error) {
      assert.ok(error instanceof ValueError);
      return error.message;
    }
    assert.fail("expected a ValueError");
  };

  test("names the EC2NodeClass and the field", () => {
    assert.match(
      problem({ kubelet: { kubeReserved: { memory: "lots" } } }),
      /^EC2NodeClass "gpu": spec\.kubelet\.kubeReserved\.memory: invalid quantity "lots"/,
    );
    assert.match(
      problem({ kubelet: { evictionHard: { "memory.available": "150%" } } }),
      /^EC2NodeClass "gpu": spec\.kubelet\.evictionHard\[memory\.available\]: "150%" is not a percentage/,
    );
    assert.match(problem({ kubelet: { maxPods: -1 } }), /spec\.kubelet\.maxPods: must be a non-negative integer/);
    assert.match(
      problem({ amiSelectorTerms: [{ alias: "ubuntu@latest" }] }),
      /spec\.amiSelectorTerms\[0\]\.alias: unknown AMI family in "ubuntu@latest"/,
    );
    assert.match(
      problem({ blockDeviceMappings: [{ rootVolume: true, ebs: { volumeSize: "big" } }] }),
      /spec\.blockDeviceMappings\[0\]\.ebs\.volumeSize/,
    );
  });

  test("operator options and a missing spec", () => {
    assert.throws(
      () => capacitySettingsOf(nodeClass({}), { reservedENIs: -1 }),
      /^ValueError: operator option reservedENIs: must be a non-negative integer \(got -1\)$/,
    );
    assert.throws(
      () => capacitySettingsOf(nodeClass({}), { vmMemoryOverheadPercent: 7.5 }),
      /operator option vmMemoryOverheadPercent: must be a fraction from 0 to 1/,
    );
    const { spec: _spec, ...noSpec } = nodeClass({}, "empty");
    assert.throws(() => capacitySettingsOf(noSpec), /^ValueError: EC2NodeClass "empty": spec: is required$/);
  });

  test("the AMI family: amiFamily, else the alias's, else Custom", () => {
    assert.equal(
      amiFamilyOf({ amiFamily: "Bottlerocket", amiSelectorTerms: [{ alias: "al2023@latest" }] }),
      "Bottlerocket",
    );
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ id: "ami-1" }, { alias: "windows2025@latest" }] }), "Windows2025");
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ id: "ami-1" }] }), "Custom");
    assert.equal(amiFamilyFromAlias("al2@v20250101"), "AL2");
    assert.equal(amiFamilyFromAlias("ubuntu@latest"), undefined);
  });

  test("a catalog record whose maxPods no whole number of ENIs gives, once ENIs are reserved", () => {
    const odd = { ...type("m5.large"), maxPods: 30 };
    assert.equal(eniLimitedPods(odd), 30, "nothing reserved: the record's figure");
    assert.throws(() => eniLimitedPods(odd, 1), /instance type "m5\.large": maxPods 30 is not ENIs/);
  });
});

test("the catalog's capacity answer (what the policy rules count against limits) is this math with defaults", () => {
  for (const t of catalog.types) {
    const { ["ephemeral-storage"]: _storage, ...rest } = show(instanceTypeCapacity(t, DEFAULT_CAPACITY_SETTINGS));
    assert.deepEqual(show(capacityOf(t)), rest, t.name);
  }
});
