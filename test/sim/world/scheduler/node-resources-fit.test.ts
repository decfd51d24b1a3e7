// NodeResourcesFit's Filter, checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/noderesources/fit_test.go (the ktesting.TContext version, with pod-level
// resources and DRA extended resources): TestEnoughRequests, TestNotEnoughRequests, TestStorageRequests and
// TestRestartableInitContainers. Left out: the rows for profile arguments the default profile does not set
// (IgnoredResources, IgnoredResourceGroups), for DRA-backed extended resources, and for SidecarContainers disabled.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod, ResourceList } from "../../../../sim/world/objects.ts";
import { nodeResourcesFitFilter } from "../../../../sim/world/scheduler/plugins/node-resources-fit.ts";
import { filterStatuses } from "./harness.ts";

const extendedResourceA = "example.com/aaa";
const extendedResourceB = "example.com/bbb";
const kubernetesIOResourceA = "kubernetes.io/something";
const kubernetesIOResourceB = "subdomain.kubernetes.io/something";
const hugePageResourceA = "hugepages-2Mi";

/** framework.Resource as the Go tables write it. */
interface Usage {
  milliCPU?: number;
  memory?: number;
  ephemeralStorage?: number;
  scalar?: Record<string, number>;
}

/** newResourcePod's container requests: every field is written, zeros included. */
function requests(usage: Usage): ResourceList {
  const list: ResourceList = {
    cpu: `${usage.milliCPU ?? 0}m`,
    memory: `${usage.memory ?? 0}`,
    pods: "0",
    "ephemeral-storage": `${usage.ephemeralStorage ?? 0}`,
  };
  for (const [name, value] of Object.entries(usage.scalar ?? {})) list[name] = `${value}`;
  return list;
}

/** newResourcePod: one container per usage. */
function resourcePod(...usages: Usage[]): Pod {
  return {
    metadata: { name: "" },
    spec: { containers: usages.map((usage, i) => ({ name: `c${i}`, resources: { requests: requests(usage) } })) },
  };
}

/** newResourceInitPod: the usages become the init containers. */
function initPod(pod: Pod, ...usages: Usage[]): Pod {
  const initContainers = usages.map((usage, i) => ({ name: `i${i}`, resources: { requests: requests(usage) } }));
  return { ...pod, spec: { ...pod.spec, initContainers } };
}

const overheadPod = (pod: Pod, overhead: ResourceList): Pod => ({ ...pod, spec: { ...pod.spec, overhead } });
const podLevel = (pod: Pod, podRequests: ResourceList): Pod => ({
  ...pod,
  spec: { ...pod.spec, resources: { requests: podRequests } },
});

/** The node every TestEnoughRequests row runs on: makeResources(10, 20, 32, 5, 20, 5). */
const ALLOCATABLE: ResourceList = {
  cpu: "10m",
  memory: "20",
  pods: "32",
  [extendedResourceA]: "5",
  "ephemeral-storage": "20",
  [hugePageResourceA]: "5",
};

/** framework.NewNodeInfo(pods...): the pods are bound to the node. */
function runFit(pod: Pod, existing: Pod[], allocatable: ResourceList) {
  const nodes = [{ metadata: { name: "node" }, status: { allocatable } }];
  const pods = existing.map((p) => ({ ...p, spec: { ...p.spec, nodeName: "node" } }));
  return filterStatuses(nodeResourcesFitFilter, pod, { nodes, pods }).node;
}

const fits = { code: "Success", reasons: [] };
const insufficient = (...names: string[]) => ({
  code: "Unschedulable",
  reasons: names.map((n) => `Insufficient ${n}`),
});
const unresolvable = (...names: string[]) => ({
  code: "UnschedulableAndUnresolvable",
  reasons: names.map((n) => `Insufficient ${n}`),
});

type Row = [name: string, pod: Pod, existing: Pod[], want: object];

// TestEnoughRequests.
const enoughRequests: Row[] = [
  ["no resources requested always fits", makeEmptyPod(), [resourcePod({ milliCPU: 10, memory: 20 })], fits],
  [
    "too many resources fails",
    resourcePod({ milliCPU: 1, memory: 1 }),
    [resourcePod({ milliCPU: 10, memory: 20 })],
    insufficient("cpu", "memory"),
  ],
  [
    "too many resources fails due to init container cpu",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 3, memory: 1 }),
    [resourcePod({ milliCPU: 8, memory: 19 })],
    insufficient("cpu"),
  ],
  [
    "too many resources fails due to highest init container cpu",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 3, memory: 1 }, { milliCPU: 2, memory: 1 }),
    [resourcePod({ milliCPU: 8, memory: 19 })],
    insufficient("cpu"),
  ],
  [
    "too many resources fails due to init container memory",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 3 }),
    [resourcePod({ milliCPU: 9, memory: 19 })],
    insufficient("memory"),
  ],
  [
    "too many resources fails due to highest init container memory",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 3 }, { milliCPU: 1, memory: 2 }),
    [resourcePod({ milliCPU: 9, memory: 19 })],
    insufficient("memory"),
  ],
  [
    "init container fits because it's the max, not sum, of containers and init containers",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 1 }),
    [resourcePod({ milliCPU: 9, memory: 19 })],
    fits,
  ],
  [
    "multiple init containers fit because it's the max, not sum, of containers and init containers",
    initPod(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 1 }, { milliCPU: 1, memory: 1 }),
    [resourcePod({ milliCPU: 9, memory: 19 })],
    fits,
  ],
  ["both resources fit", resourcePod({ milliCPU: 1, memory: 1 }), [resourcePod({ milliCPU: 5, memory: 5 })], fits],
  [
    "one resource memory fits",
    resourcePod({ milliCPU: 2, memory: 1 }),
    [resourcePod({ milliCPU: 9, memory: 5 })],
    insufficient("cpu"),
  ],
  [
    "one resource cpu fits",
    resourcePod({ milliCPU: 1, memory: 2 }),
    [resourcePod({ milliCPU: 5, memory: 19 })],
    insufficient("memory"),
  ],
  ["equal edge case", resourcePod({ milliCPU: 5, memory: 1 }), [resourcePod({ milliCPU: 5, memory: 19 })], fits],
  [
    "equal edge case for init container",
    initPod(resourcePod({ milliCPU: 4, memory: 1 }), { milliCPU: 5, memory: 1 }),
    [resourcePod({ milliCPU: 5, memory: 19 })],
    fits,
  ],
  ["extended resource fits", resourcePod({ scalar: { [extendedResourceA]: 1 } }), [resourcePod({})], fits],
  [
    "extended resource fits for init container",
    initPod(resourcePod({}), { scalar: { [extendedResourceA]: 1 } }),
    [resourcePod({})],
    fits,
  ],
  [
    "extended resource capacity enforced",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 10 } }),
    [resourcePod({ scalar: { [extendedResourceA]: 0 } })],
    unresolvable(extendedResourceA),
  ],
  [
    "extended resource capacity enforced for init container",
    initPod(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 10 } }),
    [resourcePod({ scalar: { [extendedResourceA]: 0 } })],
    unresolvable(extendedResourceA),
  ],
  [
    "extended resource allocatable enforced",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 1 } }),
    [resourcePod({ scalar: { [extendedResourceA]: 5 } })],
    insufficient(extendedResourceA),
  ],
  [
    "extended resource allocatable enforced for init container",
    initPod(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 1 } }),
    [resourcePod({ scalar: { [extendedResourceA]: 5 } })],
    insufficient(extendedResourceA),
  ],
  [
    "extended resource allocatable enforced for multiple containers",
    resourcePod(
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
    ),
    [resourcePod({ scalar: { [extendedResourceA]: 2 } })],
    unresolvable(extendedResourceA),
  ],
  [
    "extended resource allocatable admits multiple init containers",
    initPod(
      resourcePod({}),
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
    ),
    [resourcePod({ scalar: { [extendedResourceA]: 2 } })],
    fits,
  ],
  [
    "extended resource allocatable enforced for multiple init containers",
    initPod(
      resourcePod({}),
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 6 } },
      { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
    ),
    [resourcePod({ scalar: { [extendedResourceA]: 2 } })],
    unresolvable(extendedResourceA),
  ],
  [
    "extended resource allocatable enforced for unknown resource",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 1 } }),
    [resourcePod({})],
    unresolvable(extendedResourceB),
  ],
  [
    "extended resource allocatable enforced for unknown resource for init container",
    initPod(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 1 } }),
    [resourcePod({})],
    unresolvable(extendedResourceB),
  ],
  [
    "kubernetes.io resource capacity enforced",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [kubernetesIOResourceA]: 10 } }),
    [resourcePod({})],
    unresolvable(kubernetesIOResourceA),
  ],
  [
    "kubernetes.io resource capacity enforced for init container",
    initPod(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [kubernetesIOResourceB]: 10 } }),
    [resourcePod({})],
    unresolvable(kubernetesIOResourceB),
  ],
  [
    "hugepages resource capacity enforced",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 10 } }),
    [resourcePod({ scalar: { [hugePageResourceA]: 0 } })],
    unresolvable(hugePageResourceA),
  ],
  [
    "hugepages resource capacity enforced for init container",
    initPod(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 10 } }),
    [resourcePod({ scalar: { [hugePageResourceA]: 0 } })],
    unresolvable(hugePageResourceA),
  ],
  [
    "hugepages resource allocatable enforced for multiple containers",
    resourcePod(
      { milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 3 } },
      { milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 3 } },
    ),
    [resourcePod({ scalar: { [hugePageResourceA]: 2 } })],
    unresolvable(hugePageResourceA),
  ],
  [
    "resources + pod overhead fits",
    overheadPod(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "3m", memory: "13" }),
    [resourcePod({ milliCPU: 5, memory: 5 })],
    fits,
  ],
  [
    "requests + overhead does not fit for memory",
    overheadPod(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "1m", memory: "15" }),
    [resourcePod({ milliCPU: 5, memory: 5 })],
    insufficient("memory"),
  ],
  [
    "skip checking extended resource request with quantity zero via resource groups",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 0 } }),
    [resourcePod({ scalar: { [extendedResourceA]: 6 } })],
    fits,
  ],
  [
    "skip checking resource request with quantity zero",
    resourcePod({ scalar: { [extendedResourceA]: 1 } }),
    [resourcePod({ milliCPU: 20, memory: 30, scalar: { [extendedResourceA]: 1 } })],
    fits,
  ],
  [
    "both pod-level and container-level resources fit",
    podLevel(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "1m", memory: "2" }),
    [resourcePod({ milliCPU: 5, memory: 5 })],
    fits,
  ],
  [
    "pod-level cpu resource not fit",
    podLevel(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "7m", memory: "2" }),
    [resourcePod({ milliCPU: 5, memory: 5 })],
    insufficient("cpu"),
  ],
  [
    "pod-level memory resource not fit",
    podLevel(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "3m", memory: "2" }),
    [resourcePod({ milliCPU: 5, memory: 19 })],
    insufficient("memory"),
  ],
  [
    "pod-level hugepages resource fit",
    podLevel(resourcePod(), { cpu: "3m", memory: "2", [hugePageResourceA]: "5" }),
    [],
    fits,
  ],
  [
    "both pod-level and container-level hugepages resource fit",
    podLevel(resourcePod({ milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 3 } }), {
      cpu: "3m",
      memory: "2",
      [hugePageResourceA]: "5",
    }),
    [],
    fits,
  ],
  [
    "pod-level hugepages resource not fit",
    podLevel(resourcePod(), { cpu: "3m", memory: "2", [hugePageResourceA]: "10" }),
    [],
    unresolvable(hugePageResourceA),
  ],
  [
    "one pod-level cpu resource fits and all init and non-init containers resources fit",
    initPod(podLevel(resourcePod({ milliCPU: 1, memory: 1 }), { cpu: "3m", memory: "2" }), { milliCPU: 1, memory: 1 }),
    [resourcePod({ milliCPU: 5, memory: 19 })],
    insufficient("memory"),
  ],
  [
    "extended resource backed by DRA not enabled",
    resourcePod({ milliCPU: 1, memory: 1, scalar: { "extended.resource.dra.io/something": 1 } }),
    [resourcePod({})],
    unresolvable("extended.resource.dra.io/something"),
  ],
];

function makeEmptyPod(): Pod {
  return { metadata: { name: "" }, spec: { containers: [] } };
}

describe("NodeResourcesFit Filter (TestEnoughRequests)", () => {
  for (const [name, pod, existing, want] of enoughRequests) {
    test(name, () => assert.deepEqual(runFit(pod, existing, ALLOCATABLE), want));
  }
});

describe("NodeResourcesFit Filter (TestNotEnoughRequests)", () => {
  // The node: allocatable makeAllocatableResources(10, 20, 1, 0, 0, 0), one pod already on it.
  const allocatable: ResourceList = {
    cpu: "10m",
    memory: "20",
    pods: "1",
    [extendedResourceA]: "0",
    "ephemeral-storage": "0",
    [hugePageResourceA]: "0",
  };
  const tooMany = { code: "Unschedulable", reasons: ["Too many pods"] };
  const rows: Row[] = [
    [
      "even without specified resources, predicate fails when there's no space for additional pod",
      makeEmptyPod(),
      [resourcePod({ milliCPU: 10, memory: 20 })],
      tooMany,
    ],
    [
      "even if both resources fit, predicate fails when there's no space for additional pod",
      resourcePod({ milliCPU: 1, memory: 1 }),
      [resourcePod({ milliCPU: 5, memory: 5 })],
      tooMany,
    ],
    [
      "even for equal edge case, predicate fails when there's no space for additional pod",
      resourcePod({ milliCPU: 5, memory: 1 }),
      [resourcePod({ milliCPU: 5, memory: 19 })],
      tooMany,
    ],
    [
      "even for equal edge case, predicate fails when there's no space for additional pod due to init container",
      initPod(resourcePod({ milliCPU: 5, memory: 1 }), { milliCPU: 5, memory: 1 }),
      [resourcePod({ milliCPU: 5, memory: 19 })],
      tooMany,
    ],
  ];
  for (const [name, pod, existing, want] of rows) {
    test(name, () => assert.deepEqual(runFit(pod, existing, allocatable), want));
  }
});

describe("NodeResourcesFit Filter (TestStorageRequests)", () => {
  const rows: Row[] = [
    [
      "empty storage requested, and pod fits",
      resourcePod({ milliCPU: 1, memory: 1 }),
      [resourcePod({ milliCPU: 2, memory: 10 })],
      fits,
    ],
    [
      "storage ephemeral local storage request exceeds allocatable",
      resourcePod({ ephemeralStorage: 25 }),
      [resourcePod({ milliCPU: 2, memory: 2 })],
      unresolvable("ephemeral-storage"),
    ],
    [
      "ephemeral local storage is sufficient",
      initPod(resourcePod({ ephemeralStorage: 5 })),
      [resourcePod({ milliCPU: 2, memory: 2, ephemeralStorage: 10 })],
      fits,
    ],
    ["pod fits", resourcePod({ ephemeralStorage: 10 }), [resourcePod({ milliCPU: 2, memory: 2 })], fits],
  ];
  for (const [name, pod, existing, want] of rows) {
    test(name, () => assert.deepEqual(runFit(pod, existing, ALLOCATABLE), want));
  }
});

describe("NodeResourcesFit Filter (TestRestartableInitContainers, sidecars enabled as in v1.29+)", () => {
  // The node: allocatable makeAllocatableResources(2, 0, 1, 0, 0, 0), no pods.
  const allocatable: ResourceList = {
    cpu: "2m",
    memory: "0",
    pods: "1",
    [extendedResourceA]: "0",
    "ephemeral-storage": "0",
    [hugePageResourceA]: "0",
  };
  const withSidecar = (request?: ResourceList, sidecarRequest?: ResourceList): Pod => ({
    metadata: { name: "" },
    spec: {
      containers: [{ name: "regular", ...(request === undefined ? {} : { resources: { requests: request } }) }],
      initContainers: [
        {
          name: "restartable-init",
          restartPolicy: "Always",
          ...(sidecarRequest === undefined ? {} : { resources: { requests: sidecarRequest } }),
        },
      ],
    },
  });
  const rows: Row[] = [
    [
      "allow pod without restartable init containers if sidecar containers is enabled",
      { metadata: { name: "" }, spec: { containers: [{ name: "regular" }] } },
      [],
      fits,
    ],
    ["allow pod with restartable init containers if sidecar containers is enabled", withSidecar(), [], fits],
    [
      "allow pod if the total requested resources do not exceed the node's allocatable resources",
      withSidecar({ cpu: "1m" }, { cpu: "1m" }),
      [],
      fits,
    ],
    [
      "not allow pod if the total requested resources do exceed the node's allocatable resources",
      withSidecar({ cpu: "1m" }, { cpu: "2m" }),
      [],
      unresolvable("cpu"),
    ],
  ];
  for (const [name, pod, existing, want] of rows) {
    test(name, () => assert.deepEqual(runFit(pod, existing, allocatable), want));
  }
});
