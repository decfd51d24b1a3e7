// The instance-type catalog against the bundled data (data/ec2-instance-types.json): Karpenter's labels, which
// types a NodePool's requirements allow, minValues, the sizes used for limits checks, and user catalog files.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import data from "../../data/ec2-instance-types.json" with { type: "json" };
import {
  CatalogError,
  UNMODELED_INSTANCE_TYPE_LABELS,
  allocatableOf,
  capacityOf,
  createCatalog,
  defaultCatalog,
  karpenterMemoryMiB,
  minValuesShortfall,
  parseCatalog,
  resourceRanges,
} from "../../cloudprovider/catalog/catalog.ts";
import type { CatalogInstanceType, NodeSelectorRequirementLike } from "../../cloudprovider/catalog/catalog.ts";
import { formatQuantity } from "../../api/quantity.ts";
import { RequirementSet, validateLabelKey, validateLabelValue } from "../../scheduling/requirements.ts";
import type { NodeSelectorRequirement } from "../../scheduling/requirements.ts";
import { ValueError } from "../../api/value-error.ts";
import { upstreamExamples } from "../support/fixtures.ts";

const AWS = "karpenter.k8s.aws/";
const CATEGORY = `${AWS}instance-category`;
const GENERATION = `${AWS}instance-generation`;
const FAMILY = `${AWS}instance-family`;
const CPU = `${AWS}instance-cpu`;
const GPU_COUNT = `${AWS}instance-gpu-count`;
const GPU_NAME = `${AWS}instance-gpu-name`;
const ARCH = "kubernetes.io/arch";
const OS = "kubernetes.io/os";
const INSTANCE_TYPE = "node.kubernetes.io/instance-type";
const CAPACITY_TYPE = "karpenter.sh/capacity-type";
const ZONE = "topology.kubernetes.io/zone";

const raw = data as readonly CatalogInstanceType[];
const catalog = defaultCatalog();
const all = catalog.types;

function req(key: string, operator: string, ...values: string[]): NodeSelectorRequirementLike {
  return values.length > 0 ? { key, operator, values } : { key, operator };
}

function names(types: readonly CatalogInstanceType[]): string[] {
  return types.map((t) => t.name);
}

function type(name: string): CatalogInstanceType {
  const found = catalog.byName(name);
  assert.ok(found, `${name} is in the catalog`);
  return found;
}

/** The types whose labels satisfy the requirements, one type at a time: the definition `matching` must agree with. */
function bruteForce(requirements: readonly NodeSelectorRequirementLike[]): string[] {
  const set = RequirementSet.fromRequirements(requirements as readonly NodeSelectorRequirement[]);
  return names(all.filter((t) => set.matches(catalog.labelsOf(t))));
}

function nodePoolRequirements(text: string): NodeSelectorRequirementLike[][] {
  const pools: NodeSelectorRequirementLike[][] = [];
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { requirements?: NodeSelectorRequirementLike[] } } };
    } | null;
    if (object?.kind === "NodePool") pools.push(object.spec?.template?.spec?.requirements ?? []);
  }
  return pools;
}

describe("defaultCatalog", () => {
  test("holds the bundled data, built once", () => {
    assert.equal(all.length, 1364);
    assert.equal(defaultCatalog(), catalog);
    assert.deepEqual(names(all), names(raw));
    assert.ok(Object.isFrozen(all) && all.every((t) => Object.isFrozen(t)));
    assert.deepEqual(
      type("m5.large"),
      raw.find((t) => t.name === "m5.large"),
    );
    assert.equal(catalog.byName("nope.large"), undefined);
  });

  test("the bundled file passes the user-catalog validation unchanged", () => {
    const parsed = parseCatalog(JSON.parse(JSON.stringify(data)), "data/ec2-instance-types.json");
    assert.deepEqual(parsed.types, all);
  });
});

describe("labelsOf", () => {
  test("m5.large, as Karpenter's instance-types reference lists it (ebs, hypervisor, encryption not in the data)", () => {
    assert.deepEqual(
      { ...catalog.labelsOf(type("m5.large")) },
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
        "karpenter.k8s.aws/instance-capability-flex": "false",
        "karpenter.k8s.aws/instance-network-bandwidth": "750",
      },
    );
  });

  test("GPU, Neuron, local NVMe and flex labels only where the data has them", () => {
    const g5 = catalog.labelsOf(type("g5.xlarge"));
    assert.equal(g5[`${AWS}instance-gpu-count`], "1");
    assert.equal(g5[`${AWS}instance-gpu-name`], "a10g");
    assert.equal(g5[`${AWS}instance-gpu-manufacturer`], "nvidia");
    assert.equal(g5[`${AWS}instance-gpu-memory`], "22888");
    assert.equal(g5[`${AWS}instance-local-nvme`], "250");
    assert.equal(g5[`${AWS}instance-accelerator-count`], undefined);

    const inf1 = catalog.labelsOf(type("inf1.xlarge"));
    assert.equal(inf1[`${AWS}instance-accelerator-count`], "1");
    assert.equal(inf1[`${AWS}instance-accelerator-name`], "inferentia");
    assert.equal(inf1[`${AWS}instance-accelerator-manufacturer`], "aws");
    assert.equal(inf1[`${AWS}instance-gpu-count`], undefined);

    const t1 = catalog.labelsOf(type("t1.micro"));
    assert.equal(t1[`${AWS}instance-network-bandwidth`], undefined, "no Mbps figure for t1");
    assert.equal(t1[`${AWS}instance-local-nvme`], undefined);

    assert.equal(catalog.labelsOf(type("m7i-flex.large"))[`${AWS}instance-capability-flex`], "true");
    assert.equal(catalog.labelsOf(type("c7g.metal"))[ARCH], "arm64");
  });

  test("every label is a valid Kubernetes label; gpu-count is present exactly on the GPU types", () => {
    for (const t of all) {
      const labels = catalog.labelsOf(t);
      for (const [key, value] of Object.entries(labels)) {
        assert.deepEqual(validateLabelKey(key), [], key);
        assert.deepEqual(validateLabelValue(value), [], `${t.name} ${key}=${value}`);
      }
      assert.equal(labels[GPU_COUNT] !== undefined, t.gpus > 0, t.name);
      assert.equal(catalog.labelsOf(t), labels, "computed once per type");
    }
  });
});

describe("matching", () => {
  test("instance-category In [c m r], instance-generation Gt 2: current c/m/r types only", () => {
    const matched = catalog.matching([req(CATEGORY, "In", "c", "m", "r"), req(GENERATION, "Gt", "2")]);
    assert.ok(matched.length > 500, `${matched.length} types`);
    for (const t of matched) {
      assert.ok(["c", "m", "r"].includes(t.category), t.name);
      assert.ok(t.generation >= 3, t.name);
    }
    const expected = raw.filter((t) => ["c", "m", "r"].includes(t.category) && t.generation > 2);
    assert.deepEqual(names(matched), names(expected));
    assert.ok(!matched.some((t) => t.category === "t" || t.category === "x"));
    assert.ok(names(matched).includes("m5.large") && !names(matched).includes("m1.small"));
  });

  test("instance-cpu Lt 3: the smallest types", () => {
    const matched = catalog.matching([req(CPU, "Lt", "3")]);
    assert.deepEqual(names(matched), names(raw.filter((t) => t.vcpu < 3)));
    assert.ok(names(matched).includes("t3.nano") && names(matched).includes("m5.large"));
    assert.ok(!names(matched).includes("m5.xlarge"));
  });

  test("kubernetes.io/arch In [arm64]: only Graviton (also via the deprecated beta key)", () => {
    const matched = catalog.matching([req(ARCH, "In", "arm64")]);
    assert.equal(matched.length, 396);
    assert.ok(matched.every((t) => t.arch === "arm64" && t.cpuManufacturer === "aws"));
    assert.deepEqual(catalog.matching([req("beta.kubernetes.io/arch", "In", "arm64")]), matched);
  });

  test("GPU types: instance-gpu-count Gt 0 gives the 75 GPU entries; DoesNotExist on gpu-name the others", () => {
    const gpus = catalog.matching([req(GPU_COUNT, "Gt", "0")]);
    assert.equal(gpus.length, 75);
    assert.deepEqual(names(gpus), names(raw.filter((t) => t.gpus > 0)));
    assert.deepEqual(catalog.matching([req(GPU_NAME, "Exists")]), gpus);
    const none = catalog.matching([req(GPU_NAME, "DoesNotExist")]);
    assert.equal(none.length, 1364 - 75);
    assert.ok(none.every((t) => t.gpus === 0));
    // NotIn lets types without the label through, as in Kubernetes.
    const notT4 = catalog.matching([req(GPU_NAME, "NotIn", "t4")]);
    assert.equal(notT4.length, 1364 - raw.filter((t) => t.gpuType === "t4").length);
    assert.deepEqual(names(catalog.matching([req(GPU_NAME, "In", "h100")])), ["p5.48xlarge", "p5.4xlarge"]);
  });

  test("node.kubernetes.io/instance-type In [m5.large nope.large]", () => {
    assert.deepEqual(names(catalog.matching([req(INSTANCE_TYPE, "In", "m5.large", "nope.large")])), ["m5.large"]);
    assert.equal(catalog.matching([req(INSTANCE_TYPE, "NotIn", "m5.large", "nope.large")]).length, 1363);
    assert.deepEqual(catalog.matching([req(INSTANCE_TYPE, "In", "nope.large")]), []);
  });

  test("a user's own label does not restrict instance types", () => {
    assert.equal(catalog.matching([req("team", "In", "a")]).length, 1364);
    assert.equal(catalog.matching([req("example.com/team", "DoesNotExist")]).length, 1364);
    assert.equal(
      catalog.matching([req("team", "In", "a"), req(CPU, "In", "2")]).length,
      raw.filter((t) => t.vcpu === 2).length,
    );
    assert.equal(catalog.describes("team"), false);
    assert.equal(catalog.describes(CPU), true);
  });

  test("karpenter.sh/capacity-type: any of on-demand, spot, reserved", () => {
    assert.equal(catalog.matching([req(CAPACITY_TYPE, "In", "spot")]).length, 1364);
    assert.equal(catalog.matching([req(CAPACITY_TYPE, "In", "reserved")]).length, 1364);
    assert.equal(catalog.matching([req(CAPACITY_TYPE, "NotIn", "spot", "on-demand")]).length, 1364);
    assert.deepEqual(catalog.matching([req(CAPACITY_TYPE, "In", "bogus")]), []);
    assert.deepEqual(catalog.matching([req(CAPACITY_TYPE, "NotIn", "spot", "on-demand", "reserved")]), []);
    assert.deepEqual(catalog.matching([req(CAPACITY_TYPE, "DoesNotExist")]), []);
  });

  test("kubernetes.io/os: linux everywhere, windows on amd64 only", () => {
    assert.equal(catalog.matching([req(OS, "In", "linux")]).length, 1364);
    const windows = catalog.matching([req(OS, "In", "windows")]);
    assert.equal(windows.length, 968);
    assert.ok(windows.every((t) => t.arch === "amd64"));
    assert.deepEqual(catalog.matching([req(OS, "NotIn", "linux")]), windows);
    assert.deepEqual(catalog.matching([req(OS, "In", "windows"), req(ARCH, "In", "arm64")]), []);
    assert.deepEqual(catalog.matching([req(OS, "DoesNotExist")]), []);
  });

  test("zone, region and zone-id do not filter, unless no zone name could satisfy them", () => {
    assert.equal(catalog.matching([req(ZONE, "In", "us-east-1a")]).length, 1364);
    assert.equal(catalog.matching([req("topology.kubernetes.io/region", "NotIn", "us-west-2")]).length, 1364);
    assert.equal(catalog.matching([req("failure-domain.beta.kubernetes.io/zone", "Exists")]).length, 1364);
    assert.deepEqual(catalog.matching([req(ZONE, "DoesNotExist")]), []);
    assert.deepEqual(catalog.matching([req(ZONE, "Gt", "1")]), []);
    assert.equal(catalog.matching([req("topology.k8s.aws/zone-id", "DoesNotExist")]).length, 1364);
  });

  test("keys Karpenter knows but the data lacks do not filter", () => {
    for (const key of UNMODELED_INSTANCE_TYPE_LABELS) {
      assert.equal(catalog.matching([req(key, "In", "x")]).length, 1364, key);
      assert.equal(catalog.describes(key), false, key);
    }
  });

  test("instance-capability-flex and tenancy", () => {
    const noFlex = catalog.matching([req(`${AWS}instance-capability-flex`, "In", "false")]);
    assert.equal(noFlex.length, 1364 - raw.filter((t) => t.family.endsWith("-flex")).length);
    assert.deepEqual(catalog.matching([req(`${AWS}instance-capability-flex`, "DoesNotExist")]), []);
    assert.equal(catalog.matching([req(`${AWS}instance-tenancy`, "In", "dedicated")]).length, 1364);
  });

  test("requirements on one key intersect; an empty list allows everything", () => {
    assert.deepEqual(catalog.matching([req(ARCH, "In", "amd64"), req(ARCH, "In", "arm64")]), []);
    assert.deepEqual(
      names(catalog.matching([req(FAMILY, "In", "m5", "c5"), req(FAMILY, "NotIn", "c5"), req(CPU, "Lte", "4")])),
      ["m5.large", "m5.xlarge"],
    );
    const everything = catalog.matching([]);
    assert.equal(everything.length, 1364);
    everything.pop();
    assert.equal(catalog.matching([]).length, 1364, "the result is the caller's own array");
  });

  test("an invalid requirement is a ValueError", () => {
    assert.throws(() => catalog.matching([req(CPU, "Gte")]), ValueError);
    assert.throws(() => catalog.matching([req(CPU, "Between", "1", "2")]), ValueError);
    assert.throws(() => catalog.matching([req(CPU, "Gt", "two")]), ValueError);
  });

  test("agrees with matching each type's labels one by one, for label keys", () => {
    // A small deterministic generator, so a failure reproduces.
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
    const columns: Record<string, string[]> = {};
    for (const t of all) {
      for (const [key, value] of Object.entries(catalog.labelsOf(t))) (columns[key] ??= []).push(value);
    }
    const keys = Object.keys(columns).filter((key) => key !== OS);
    const operators = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"];
    for (let round = 0; round < 200; round++) {
      const requirements: NodeSelectorRequirementLike[] = [];
      const count = 1 + next(3);
      for (let i = 0; i < count; i++) {
        const key = pick(keys);
        const operator = pick(operators);
        const seen = columns[key] ?? [];
        if (operator === "Exists" || operator === "DoesNotExist") requirements.push(req(key, operator));
        else if (["In", "NotIn"].includes(operator)) {
          requirements.push(req(key, operator, ...new Set([pick(seen), pick(seen), "zzz"].slice(0, 1 + next(3)))));
        } else {
          const numeric = seen.filter((v) => /^[0-9]+$/.test(v));
          requirements.push(req(key, operator, numeric.length > 0 ? pick(numeric) : String(next(100))));
        }
      }
      assert.deepEqual(names(catalog.matching(requirements)), bruteForce(requirements), JSON.stringify(requirements));
    }
  });

  test("the upstream general-purpose NodePool allows current amd64 c/m/r types", () => {
    const [requirements] = nodePoolRequirements(
      upstreamExamples().find((example) => example.name === "general-purpose.yaml")?.text ?? "",
    );
    assert.ok(requirements !== undefined && requirements.length === 5);
    const matched = catalog.matching(requirements);
    const expected = raw.filter((t) => t.arch === "amd64" && ["c", "m", "r"].includes(t.category) && t.generation > 2);
    assert.deepEqual(names(matched), names(expected));
    assert.ok(matched.length > 300);
    for (const name of ["m5.large", "c5.xlarge", "r6i.2xlarge", "m7i-flex.large"])
      assert.ok(names(matched).includes(name));
    for (const name of ["m6g.large", "t3.large", "x2idn.16xlarge", "m1.small"])
      assert.ok(!names(matched).includes(name));
  });

  test("every upstream example NodePool allows some instance type", () => {
    let pools = 0;
    for (const example of upstreamExamples()) {
      for (const requirements of nodePoolRequirements(example.text)) {
        pools++;
        assert.ok(catalog.matching(requirements).length > 0, example.name);
      }
    }
    assert.ok(pools >= 5);
  });
});

describe("minValuesShortfall", () => {
  test("counts the distinct values of each minValues key among the matching types", () => {
    const requirements = [
      { key: FAMILY, operator: "In", values: ["m5", "c5", "nope"], minValues: 3 },
      { key: CPU, operator: "Gt", values: ["64"] },
      { key: CAPACITY_TYPE, operator: "In", values: ["spot", "on-demand"], minValues: 2 },
      { key: ZONE, operator: "In", values: ["us-east-1a", "us-east-1b"], minValues: 2 },
    ];
    assert.deepEqual(catalog.minValuesShortfall(requirements), [
      { index: 0, key: FAMILY, minValues: 3, values: ["c5", "m5"], shortfall: 1 },
      { index: 2, key: CAPACITY_TYPE, minValues: 2, values: ["on-demand", "spot"], shortfall: 0 },
      { index: 3, key: ZONE, minValues: 2, values: undefined, shortfall: 0 },
    ]);
  });

  test("the types can be given; values sort numerically; no minValues, no checks", () => {
    const small = catalog.matching([req(CPU, "Lt", "3")]);
    const [check] = minValuesShortfall([{ key: CPU, operator: "Exists", minValues: 5 }], small);
    assert.deepEqual(check?.values, ["1", "2"]);
    assert.equal(check?.shortfall, 3);
    assert.deepEqual(minValuesShortfall([req(CPU, "Exists")], small), []);
    const [gpuNames] = catalog.minValuesShortfall([{ key: GPU_NAME, operator: "Exists", minValues: 50 }]);
    assert.equal(gpuNames?.values?.length, new Set(raw.map((t) => t.gpuType).filter(Boolean)).size);
  });
});

describe("sizes for limits checks", () => {
  test("resourceRanges: smallest and largest among the types", () => {
    const ranges = resourceRanges(catalog.matching([req(CATEGORY, "In", "m"), req(GENERATION, "In", "5")]));
    assert.ok(ranges !== undefined);
    assert.equal(ranges.vcpu.min, 2);
    assert.equal(ranges.vcpu.max, 96);
    assert.equal(ranges.memoryMiB.min, 8192);
    assert.equal(ranges.capacityMemoryMiB.min, 7577);
    assert.equal(type(ranges.vcpu.smallest).vcpu, 2);
    assert.equal(type(ranges.vcpu.largest).vcpu, 96);
    assert.equal(resourceRanges([]), undefined);
    assert.deepEqual(catalog.resourceRanges([type("m5.large")])?.onDemandUsd, {
      min: 0.096,
      max: 0.096,
      smallest: "m5.large",
      largest: "m5.large",
    });
  });

  test("karpenterMemoryMiB reproduces Karpenter's allocatable memory for every type", () => {
    // allocatable = capacity - kube-reserved (11 MiB per pod + 255 MiB) - eviction threshold (100 MiB)
    for (const t of all) assert.equal(karpenterMemoryMiB(t) - (11 * t.maxPods + 255) - 100, t.allocMemoryMiB, t.name);
    assert.equal(karpenterMemoryMiB(type("m5.large")), 7577);
    assert.equal(karpenterMemoryMiB(type("a1.large")), 3729, "arm64 loses 64 MiB first");
    assert.equal(karpenterMemoryMiB(type("m5.large"), { vmMemoryOverheadPercent: 0 }), 8192);
    assert.throws(() => karpenterMemoryMiB(type("m5.large"), { vmMemoryOverheadPercent: 7.5 }), ValueError);
  });

  test("capacityOf and allocatableOf, with the GPU or Neuron resource", () => {
    const show = (list: Readonly<Record<string, unknown>>): Record<string, string> =>
      Object.fromEntries(Object.entries(list).map(([k, q]) => [k, formatQuantity(q as never)]));
    assert.deepEqual(show(capacityOf(type("m5.large"))), { cpu: "2", memory: "7577Mi", pods: "29" });
    assert.deepEqual(show(allocatableOf(type("m5.large"))), { cpu: "1930m", memory: "6903Mi", pods: "29" });
    assert.equal(show(catalog.capacityOf(type("g5.xlarge")))["nvidia.com/gpu"], "1");
    assert.equal(show(catalog.capacityOf(type("g4ad.xlarge")))["amd.com/gpu"], "1");
    assert.equal(show(catalog.allocatableOf(type("dl1.24xlarge")))["habana.ai/gaudi"], "8");
    assert.equal(show(capacityOf(type("inf2.xlarge")))["aws.amazon.com/neuron"], "1");
  });
});

describe("createCatalog", () => {
  const m5 = raw.find((t) => t.name === "m5.large") as CatalogInstanceType;

  test("freezes copies and indexes them", () => {
    const mine = { ...m5 };
    const custom = createCatalog([mine, { ...m5, name: "m5.xlarge", size: "xlarge", vcpu: 4 }]);
    assert.notEqual(custom.byName("m5.large"), mine);
    assert.ok(Object.isFrozen(custom.byName("m5.large")));
    assert.deepEqual(names(custom.matching([req(CPU, "Gt", "2")])), ["m5.xlarge"]);
    assert.deepEqual(createCatalog([]).matching([req(CPU, "Gt", "2")]), []);
  });

  test("duplicate names are a ValueError", () => {
    assert.throws(() => createCatalog([m5, m5]), /duplicate instance type "m5.large"/);
  });
});

describe("parseCatalog", () => {
  const m5 = raw.find((t) => t.name === "m5.large") as CatalogInstanceType;
  const FILE = "my-catalog.json";

  function problemsOf(json: unknown): CatalogError {
    try {
      parseCatalog(json, FILE);
    } catch (error) {
      assert.ok(error instanceof CatalogError, String(error));
      assert.ok(error instanceof ValueError);
      assert.equal(error.file, FILE);
      return error;
    }
    assert.fail("expected a CatalogError");
  }

  test("a valid file gives a working catalog; null optional fields are absent", () => {
    const parsed = parseCatalog(
      [
        { ...m5, gpuType: null },
        { ...m5, name: "m5.2xlarge", size: "2xlarge" },
      ],
      FILE,
    );
    assert.deepEqual(names(parsed.types), ["m5.large", "m5.2xlarge"]);
    assert.ok(!Object.hasOwn(parsed.byName("m5.large") ?? {}, "gpuType"));
    assert.equal(parsed.matching([req(INSTANCE_TYPE, "In", "m5.2xlarge")]).length, 1);
  });

  test("not an array, or empty", () => {
    assert.match(
      problemsOf({ types: [] }).message,
      /^my-catalog\.json: .*\n {2}my-catalog\.json: expected a JSON array of instance types, got an object$/,
    );
    assert.match(problemsOf(null).message, /got null/);
    assert.match(problemsOf("m5.large").message, /got "m5\.large"/);
    assert.match(problemsOf([]).message, /has no instance types/);
  });

  test("missing name: the index and the field", () => {
    const { name: _name, ...nameless } = m5;
    const error = problemsOf([m5, nameless]);
    assert.deepEqual(error.problems, [{ index: 1, name: undefined, field: "name", message: "is required" }]);
    assert.match(error.message, /my-catalog\.json: \[1\] name: is required/);
  });

  test("negative vcpu: the index, name and field", () => {
    const error = problemsOf([{ ...m5, vcpu: -2 }]);
    assert.deepEqual(error.problems, [
      { index: 0, name: "m5.large", field: "vcpu", message: "must be a positive integer (got -2)" },
    ]);
    assert.match(error.message, /my-catalog\.json: \[0\] "m5\.large" vcpu: must be a positive integer \(got -2\)/);
  });

  test("every problem is reported, each with its field", () => {
    const error = problemsOf([
      42,
      { ...m5, name: "x.large", family: "x", size: "large", arch: "x86_64", memoryMib: 1 },
      { ...m5, name: "m6.large", gpuType: "t4" },
      { ...m5, name: "m5.xlarge", size: "xlarge", allocCpuMilli: 2001, onDemandUsd: "0.1" },
      { ...m5, name: "g.large", family: "g", gpus: 1, gpuType: "Tesla T4", accelerators: 0, acceleratorType: "x" },
      m5,
      m5,
    ]);
    const found = error.problems.map((p) => `${p.index} ${p.name ?? "-"} ${p.field ?? "-"}`);
    assert.deepEqual(found, [
      "0 - -",
      "1 x.large memoryMib",
      "1 x.large arch",
      "2 m6.large family",
      "2 m6.large gpuType",
      "3 m5.xlarge onDemandUsd",
      "3 m5.xlarge allocCpuMilli",
      "4 g.large gpuType",
      "4 g.large acceleratorType",
      "6 m5.large name",
    ]);
    const messages = error.problems.map((p) => p.message);
    assert.ok(messages.includes('unknown field (did you mean "memoryMiB"?)'));
    assert.ok(messages.includes('must be "amd64" or "arm64" (got "x86_64")'));
    assert.ok(messages.includes("duplicate name, first used by entry [5]"));
    assert.ok(messages.includes("expected an object, got 42"));
    assert.match(error.message, /\(10 problems\)/);
  });

  test("a long list is cut short in the message but kept whole in problems", () => {
    const error = problemsOf(Array.from({ length: 30 }, () => ({ ...m5, vcpu: 0 })));
    assert.equal(error.problems.filter((p) => p.field === "vcpu").length, 30);
    assert.match(error.message, /\.\.\. and \d+ more$/);
  });

  test("never anything but a CatalogError, whatever the JSON", () => {
    const weird: unknown[] = [
      undefined,
      0,
      true,
      [[]],
      [null],
      [{}],
      [Object.create(null)],
      JSON.parse('[{"__proto__": {"vcpu": 4}, "name": "m5.large"}]'),
      [{ ...m5, vcpu: 1e300 }],
      [{ ...m5, vcpu: 2.5, memoryMiB: "8192", bareMetal: "false", name: "a".repeat(100) }],
      [{ ...m5, name: { toString: "boom" } }],
      [{ ...m5, family: "", category: [] }],
    ];
    for (const json of weird) problemsOf(json);
  });
});
