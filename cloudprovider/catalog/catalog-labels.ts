/**
 * The labels Karpenter's AWS provider gives an instance type (and the nodes it launches), and the values an instance
 * type offers per key for requirement matching. Key names and value formats follow karpenter-provider-aws
 * (`pkg/apis/v1/labels.go`, `pkg/providers/instancetype/types.go` computeRequirements) and its generated
 * instance-types reference page.
 */
import type { CatalogInstanceType } from "./catalog.ts";

export const LABEL_INSTANCE_TYPE = "node.kubernetes.io/instance-type";
export const LABEL_ARCH = "kubernetes.io/arch";
export const LABEL_OS = "kubernetes.io/os";
export const LABEL_CAPACITY_TYPE = "karpenter.sh/capacity-type";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
export const LABEL_REGION = "topology.kubernetes.io/region";
export const LABEL_ZONE_ID = "topology.k8s.aws/zone-id";
export const LABEL_WINDOWS_BUILD = "node.kubernetes.io/windows-build";

export const LABEL_INSTANCE_FAMILY = "karpenter.k8s.aws/instance-family";
export const LABEL_INSTANCE_CATEGORY = "karpenter.k8s.aws/instance-category";
export const LABEL_INSTANCE_GENERATION = "karpenter.k8s.aws/instance-generation";
export const LABEL_INSTANCE_SIZE = "karpenter.k8s.aws/instance-size";
export const LABEL_INSTANCE_CPU = "karpenter.k8s.aws/instance-cpu";
export const LABEL_INSTANCE_CPU_MANUFACTURER = "karpenter.k8s.aws/instance-cpu-manufacturer";
export const LABEL_INSTANCE_MEMORY = "karpenter.k8s.aws/instance-memory";
export const LABEL_INSTANCE_GPU_COUNT = "karpenter.k8s.aws/instance-gpu-count";
export const LABEL_INSTANCE_GPU_NAME = "karpenter.k8s.aws/instance-gpu-name";
export const LABEL_INSTANCE_GPU_MANUFACTURER = "karpenter.k8s.aws/instance-gpu-manufacturer";
export const LABEL_INSTANCE_GPU_MEMORY = "karpenter.k8s.aws/instance-gpu-memory";
export const LABEL_INSTANCE_ACCELERATOR_COUNT = "karpenter.k8s.aws/instance-accelerator-count";
export const LABEL_INSTANCE_ACCELERATOR_NAME = "karpenter.k8s.aws/instance-accelerator-name";
export const LABEL_INSTANCE_ACCELERATOR_MANUFACTURER = "karpenter.k8s.aws/instance-accelerator-manufacturer";
export const LABEL_INSTANCE_LOCAL_NVME = "karpenter.k8s.aws/instance-local-nvme";
export const LABEL_INSTANCE_NETWORK_BANDWIDTH = "karpenter.k8s.aws/instance-network-bandwidth";
export const LABEL_INSTANCE_CAPABILITY_FLEX = "karpenter.k8s.aws/instance-capability-flex";
export const LABEL_INSTANCE_TENANCY = "karpenter.k8s.aws/instance-tenancy";
/** On a reserved offering and the node launched into it (Karpenter's `cloudprovider.ReservationIDLabel`). */
export const LABEL_CAPACITY_RESERVATION_ID = "karpenter.k8s.aws/capacity-reservation-id";
export const LABEL_CAPACITY_RESERVATION_TYPE = "karpenter.k8s.aws/capacity-reservation-type";
export const LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE = "karpenter.k8s.aws/capacity-reservation-interruptible";

/** Every label `instanceTypeLabels` can set; a type carries the subset its data has values for. */
export const INSTANCE_TYPE_LABEL_KEYS: readonly string[] = Object.freeze([
  LABEL_INSTANCE_TYPE,
  LABEL_ARCH,
  LABEL_OS,
  LABEL_INSTANCE_ACCELERATOR_COUNT,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_CAPABILITY_FLEX,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_CPU,
  LABEL_INSTANCE_CPU_MANUFACTURER,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GENERATION,
  LABEL_INSTANCE_GPU_COUNT,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_MEMORY,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_LOCAL_NVME,
  LABEL_INSTANCE_MEMORY,
  LABEL_INSTANCE_NETWORK_BANDWIDTH,
  LABEL_INSTANCE_SIZE,
]);

/** Every type is offered with each of these in this model (no per-type offerings or reservations are known). */
export const CAPACITY_TYPES: readonly string[] = Object.freeze(["on-demand", "spot", "reserved"]);
/** Karpenter lets every type launch with either tenancy. */
export const TENANCIES: readonly string[] = Object.freeze(["default", "dedicated"]);

/**
 * Keys Karpenter's instance types carry that this catalog cannot evaluate (no data, or they depend on the
 * EC2NodeClass, subnets or reservations). A requirement on one of them does not filter `matching`; callers may
 * want to say that it was not checked.
 */
export const UNMODELED_INSTANCE_TYPE_LABELS: readonly string[] = Object.freeze([
  "karpenter.k8s.aws/instance-hypervisor",
  "karpenter.k8s.aws/instance-encryption-in-transit-supported",
  "karpenter.k8s.aws/instance-ebs-bandwidth",
  "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz",
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_TYPE,
  "karpenter.k8s.aws/placement-group-id",
  "karpenter.k8s.aws/placement-group-partition",
  LABEL_WINDOWS_BUILD,
  LABEL_ZONE_ID,
]);

// The Neuron device names Karpenter labels with accelerator-manufacturer "aws" (types.go: Neuron branch).
const AWS_ACCELERATOR_RE = /^(inferentia|trainium)/;

const labelCache = new WeakMap<CatalogInstanceType, Readonly<Record<string, string>>>();

/**
 * The labels Karpenter sets on a node of this type, as its instance-types reference lists them (AL2023, so
 * `kubernetes.io/os` is `linux`). A label is set only when the data has its value; Karpenter's DoesNotExist for the
 * others is the label's absence. Launch-time labels (capacity type, zone, tenancy) are not included.
 */
export function instanceTypeLabels(type: CatalogInstanceType): Readonly<Record<string, string>> {
  const cached = labelCache.get(type);
  if (cached !== undefined) return cached;
  const labels: Record<string, string> = {
    [LABEL_INSTANCE_TYPE]: type.name,
    [LABEL_ARCH]: type.arch,
    [LABEL_OS]: "linux",
    [LABEL_INSTANCE_FAMILY]: type.family,
    [LABEL_INSTANCE_CATEGORY]: type.category,
    [LABEL_INSTANCE_GENERATION]: String(type.generation),
    [LABEL_INSTANCE_SIZE]: type.size,
    [LABEL_INSTANCE_CPU]: String(type.vcpu),
    [LABEL_INSTANCE_CPU_MANUFACTURER]: type.cpuManufacturer,
    [LABEL_INSTANCE_MEMORY]: String(type.memoryMiB),
    // Karpenter derives this from the family name (types.go: strings.Contains(family, "-flex")).
    [LABEL_INSTANCE_CAPABILITY_FLEX]: String(type.family.includes("-flex")),
  };
  if (type.gpus > 0) {
    labels[LABEL_INSTANCE_GPU_COUNT] = String(type.gpus);
    if (type.gpuType !== undefined) labels[LABEL_INSTANCE_GPU_NAME] = type.gpuType;
    if (type.gpuManufacturer !== undefined) labels[LABEL_INSTANCE_GPU_MANUFACTURER] = type.gpuManufacturer;
    if (type.gpuMemoryMiB !== undefined) labels[LABEL_INSTANCE_GPU_MEMORY] = String(type.gpuMemoryMiB);
  }
  if (type.accelerators !== undefined && type.accelerators > 0) {
    labels[LABEL_INSTANCE_ACCELERATOR_COUNT] = String(type.accelerators);
    if (type.acceleratorType !== undefined) {
      labels[LABEL_INSTANCE_ACCELERATOR_NAME] = type.acceleratorType;
      if (AWS_ACCELERATOR_RE.test(type.acceleratorType)) labels[LABEL_INSTANCE_ACCELERATOR_MANUFACTURER] = "aws";
    }
  }
  if (type.localNvmeGiB !== undefined) labels[LABEL_INSTANCE_LOCAL_NVME] = String(type.localNvmeGiB);
  if (type.networkMbps !== undefined) labels[LABEL_INSTANCE_NETWORK_BANDWIDTH] = String(type.networkMbps);
  const frozen = Object.freeze(labels);
  // Only a frozen type cannot change under its cached labels.
  if (Object.isFrozen(type)) labelCache.set(type, frozen);
  return frozen;
}

/**
 * How the catalog models `key` (normalized) for requirement matching:
 * - `label`: the type's label value from `instanceTypeLabels`, or absent (Karpenter's DoesNotExist);
 * - `set`: the type offers every value in `modeledValues` (os, capacity type, tenancy), as Karpenter's
 *   multi-valued instance-type requirements do;
 * - `present`: the type always has the label, with values the catalog does not know (zone, region);
 * - `unmodeled`: the key does not restrict instance types (user labels, and `UNMODELED_INSTANCE_TYPE_LABELS`).
 */
export type KeyModel = "label" | "set" | "present" | "unmodeled";

const LABEL_KEYS: ReadonlySet<string> = new Set(INSTANCE_TYPE_LABEL_KEYS);

export function keyModel(key: string): KeyModel {
  if (key === LABEL_OS || key === LABEL_CAPACITY_TYPE || key === LABEL_INSTANCE_TENANCY) return "set";
  if (LABEL_KEYS.has(key)) return "label";
  if (key === LABEL_ZONE || key === LABEL_REGION) return "present";
  return "unmodeled";
}

const LINUX_AND_WINDOWS: readonly string[] = Object.freeze(["linux", "windows"]);
const LINUX_ONLY: readonly string[] = Object.freeze(["linux"]);
const NONE: readonly string[] = Object.freeze([]);

/**
 * The values a type offers for a key with a known value set (`label` and `set` keys): one label value, none
 * (label absent), or several. `undefined` for `present` and `unmodeled` keys.
 *
 * `kubernetes.io/os` is modeled as linux and windows for amd64 and linux only for arm64: Karpenter takes the os
 * from the EC2NodeClass's AMI family, and Windows AMIs are x86 only. `instanceTypeLabels` still says `linux`, the
 * label a node of the default AMI family gets.
 */
export function modeledValues(type: CatalogInstanceType, key: string): readonly string[] | undefined {
  switch (key) {
    case LABEL_OS:
      return type.arch === "amd64" ? LINUX_AND_WINDOWS : LINUX_ONLY;
    case LABEL_CAPACITY_TYPE:
      return CAPACITY_TYPES;
    case LABEL_INSTANCE_TENANCY:
      return TENANCIES;
    default: {
      if (!LABEL_KEYS.has(key)) return undefined;
      const value = instanceTypeLabels(type)[key];
      return value === undefined ? NONE : [value];
    }
  }
}
