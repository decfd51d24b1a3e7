/**
 * A node's capacity and the overhead the kubelet keeps from pods, from the catalog record of its instance type and
 * the capacity settings of its EC2NodeClass: the one place this math lives. Each function mirrors the function of
 * the same purpose in karpenter-provider-aws v1.14.1 `pkg/providers/instancetype/types.go` (`computeCapacity`,
 * `memory`, `ephemeralStorage`, `pods`, `ENILimitedPods`, `kubeReservedResources`, `systemReservedResources`,
 * `evictionThreshold`), including its float rounding, so the results match Karpenter's to the byte and millicore.
 *
 * What the catalog cannot give is left out rather than guessed: `vpc.amazonaws.com/pod-eni` (branch interfaces),
 * `vpc.amazonaws.com/efa`, `aws.amazon.com/neuroncore` (cores per device), and instance-store sizes of types
 * without NVMe instance storage under RAID0.
 */
import { parseQuantity, Quantity } from "../api/index.ts";
import { ValueError } from "../api/index.ts";
import type { ResourceList } from "../scheduling/index.ts";
import { amiFamilyTraits, isWindows } from "./ami-family.ts";
import type { CapacitySettings, EvictionSignal } from "./capacity-settings.ts";
import type { CatalogInstanceType } from "./catalog/catalog.ts";
import type { InstanceTypeOverhead } from "./instance-type-overhead.ts";

export const DEFAULT_VM_MEMORY_OVERHEAD_PERCENT = 0.075;
/** Windows nodes run at most this many pods unless `kubelet.maxPods` says otherwise (types.go `pods`). */
export const WINDOWS_DEFAULT_MAX_PODS = 110;

export const RESOURCE_CPU = "cpu";
export const RESOURCE_MEMORY = "memory";
export const RESOURCE_PODS = "pods";
export const RESOURCE_EPHEMERAL_STORAGE = "ephemeral-storage";
export const RESOURCE_NVIDIA_GPU = "nvidia.com/gpu";
export const RESOURCE_AMD_GPU = "amd.com/gpu";
export const RESOURCE_HABANA_GAUDI = "habana.ai/gaudi";
export const RESOURCE_AWS_NEURON = "aws.amazon.com/neuron";
export const RESOURCE_PRIVATE_IPV4_ADDRESS = "vpc.amazonaws.com/PrivateIPv4Address";

/**
 * Memory capacity in MiB (types.go `memory`): EC2's figure, less 64 MiB on arm64, less `ceil(percent × that)` for
 * the hypervisor, which Karpenter assumes until it has seen a node of the type. Throws ValueError for a percentage
 * that is not a fraction from 0 to 1.
 */
export function vmMemoryMiB(type: CatalogInstanceType, vmMemoryOverheadPercent?: number): number {
  const percent = vmMemoryOverheadPercent ?? DEFAULT_VM_MEMORY_OVERHEAD_PERCENT;
  if (!Number.isFinite(percent) || percent < 0 || percent >= 1) {
    throw new ValueError(`vmMemoryOverheadPercent must be a fraction from 0 to 1 (got ${percent})`, percent);
  }
  const mib = type.memoryMiB - (type.arch === "arm64" ? 64 : 0);
  // Karpenter works in bytes (mib × 2^20 × percent / 1024 / 1024); scaling by powers of two is exact in floats,
  // so this is the same number.
  return mib - Math.ceil(mib * percent);
}

/**
 * The pods the VPC CNI can give addresses to (types.go `ENILimitedPods`): usable ENIs of the default network card
 * × (IPv4 addresses per ENI − 1, the ENI's own) + 2 (host-network pods), where usable = ENIs − reserved − efa-only;
 * 0 when no ENI is left.
 *
 * The catalog's `maxPods` is this number with nothing reserved (data/SOURCE.md), computed from the default card's
 * ENI count, which the catalog does not keep and which is lower than `enis` on multi-card types (p5.48xlarge: 2 of
 * 64). So the card's ENIs are read back from `maxPods`; a record where that is not a whole number is inconsistent.
 */
export function eniLimitedPods(type: CatalogInstanceType, reservedENIs = 0, efaOnlyInterfaces = 0): number {
  const withheld = reservedENIs + efaOnlyInterfaces;
  if (withheld === 0) return type.maxPods;
  const perEni = type.ipv4PerEni - 1;
  const cardENIs = (type.maxPods - 2) / perEni;
  if (!Number.isSafeInteger(cardENIs) || cardENIs < 1 || cardENIs > type.enis) {
    throw new ValueError(
      `instance type "${type.name}": maxPods ${type.maxPods} is not ENIs × (ipv4PerEni ${type.ipv4PerEni} − 1) + 2 for a whole number of ENIs from 1 to enis ${type.enis}`,
      type,
    );
  }
  const usable = Math.max(cardENIs - withheld, 0);
  return usable === 0 ? 0 : usable * perEni + 2;
}

/**
 * The `pods` capacity (types.go `pods`): `kubelet.maxPods` if set; else the ENI-limited pods, or 110 on Windows;
 * then at most `podsPerCore × vCPUs` when podsPerCore is set and the family passes it to the kubelet.
 */
export function podCapacity(type: CatalogInstanceType, settings: CapacitySettings): number {
  const traits = amiFamilyTraits(settings.amiFamily);
  let pods: number;
  if (settings.maxPods !== undefined) pods = settings.maxPods;
  else if (traits.supportsENILimitedPodDensity) {
    pods = eniLimitedPods(type, settings.reservedENIs ?? 0, settings.efaOnlyInterfaces ?? 0);
  } else pods = WINDOWS_DEFAULT_MAX_PODS;
  const perCore = settings.podsPerCore ?? 0;
  if (perCore > 0 && traits.podsPerCoreEnabled) pods = Math.min(perCore * type.vcpu, pods);
  return pods;
}

/**
 * The pods kube-reserved memory is sized for: the ENI-limited pods with no ENI reserved (efa-only interfaces still
 * count) on AL2, AL2023 and Custom even when maxPods is set; the `pods` capacity on Bottlerocket and Windows
 * (types.go `NewInstanceType`, flag `UsesENILimitedMemoryOverhead`).
 */
export function kubeReservedPods(type: CatalogInstanceType, settings: CapacitySettings): number {
  return amiFamilyTraits(settings.amiFamily).usesENILimitedMemoryOverhead
    ? eniLimitedPods(type, 0, settings.efaOnlyInterfaces ?? 0)
    : podCapacity(type, settings);
}

// Share of each range of millicores kube-reserved takes (types.go `kubeReservedResources`).
const CPU_TIERS: readonly (readonly [start: number, end: number, share: number])[] = [
  [0, 1000, 0.06],
  [1000, 2000, 0.01],
  [2000, 4000, 0.005],
  [4000, 2 ** 31, 0.0025],
];

/** kube-reserved CPU in millicores: 6 % of the first core, 1 % of the second, 0.5 % of the next two, 0.25 % above. */
export function kubeReservedCpuMilli(vcpu: number): number {
  const milli = vcpu * 1000;
  let reserved = 0;
  for (const [start, end, share] of CPU_TIERS) {
    if (milli < start) continue;
    // Truncated per range, as Karpenter's int64(float) conversion does.
    reserved += Math.trunc((Math.min(milli, end) - start) * share);
  }
  return reserved;
}

/** kube-reserved memory in MiB: 11 MiB per pod + 255 MiB. */
export function kubeReservedMemoryMiB(pods: number): number {
  return 11 * pods + 255;
}

/** Karpenter's kube-reserved ephemeral storage. */
export const KUBE_RESERVED_EPHEMERAL_STORAGE = "1Gi";
/** Karpenter's hard eviction threshold for memory when `evictionHard` does not set `memory.available`. */
export const EVICTION_HARD_MEMORY = "100Mi";
/** ... and for ephemeral storage when it does not set `nodefs.available`: 10 % of the volume. */
export const EVICTION_HARD_NODEFS_PERCENT = 10;

/**
 * The node's capacity (types.go `computeCapacity`): cpu, memory (`vmMemoryMiB`), ephemeral-storage, pods, the GPU
 * or Neuron devices, and on Windows the private IPv4 addresses pods get (`vpc.amazonaws.com/PrivateIPv4Address`).
 * Resources the type has none of are left out, as a launched NodeClaim's status leaves them out.
 */
export function instanceTypeCapacity(type: CatalogInstanceType, settings: CapacitySettings): ResourceList {
  const list: Record<string, Quantity> = {
    [RESOURCE_CPU]: parseQuantity(String(type.vcpu)),
    [RESOURCE_MEMORY]: memoryCapacity(type, settings),
    [RESOURCE_EPHEMERAL_STORAGE]: ephemeralStorage(type, settings),
    [RESOURCE_PODS]: parseQuantity(String(podCapacity(type, settings))),
    ...extendedResources(type),
  };
  // types.go: only a type that can run Windows (amd64) gets the resource, and only with a Windows family.
  if (isWindows(settings.amiFamily) && type.arch === "amd64") {
    list[RESOURCE_PRIVATE_IPV4_ADDRESS] = parseQuantity(String(type.ipv4PerEni - 1));
  }
  return Object.freeze(list);
}

/** What the kubelet keeps from pods on a node of this type (types.go, the `Overhead` of `NewInstanceType`). */
export function instanceTypeOverhead(type: CatalogInstanceType, settings: CapacitySettings): InstanceTypeOverhead {
  return Object.freeze({
    kubeReserved: kubeReserved(type, settings),
    systemReserved: settings.systemReserved ?? Object.freeze({}),
    evictionThreshold: evictionThreshold(memoryCapacity(type, settings), ephemeralStorage(type, settings), settings),
  });
}

/** kube-reserved cpu, memory and ephemeral storage, each replaced by `kubelet.kubeReserved` where that sets it. */
export function kubeReserved(type: CatalogInstanceType, settings: CapacitySettings): ResourceList {
  return Object.freeze({
    [RESOURCE_CPU]: parseQuantity(`${kubeReservedCpuMilli(type.vcpu)}m`),
    [RESOURCE_MEMORY]: parseQuantity(`${kubeReservedMemoryMiB(kubeReservedPods(type, settings))}Mi`),
    [RESOURCE_EPHEMERAL_STORAGE]: parseQuantity(KUBE_RESERVED_EPHEMERAL_STORAGE),
    ...settings.kubeReserved,
  });
}

/**
 * The hard eviction thresholds the kubelet keeps free (types.go `evictionThreshold`): memory 100Mi and 10 % of
 * ephemeral storage, each replaced by `evictionHard`'s `memory.available` / `nodefs.available` (a percentage is of
 * the node's capacity, rounded up to a byte). `evictionSoft` does not reduce allocatable.
 */
export function evictionThreshold(memory: Quantity, storage: Quantity, settings: CapacitySettings): ResourceList {
  return Object.freeze({
    [RESOURCE_MEMORY]:
      settings.evictionHardMemory === undefined
        ? parseQuantity(EVICTION_HARD_MEMORY)
        : signalQuantity(memory, settings.evictionHardMemory),
    [RESOURCE_EPHEMERAL_STORAGE]:
      settings.evictionHardNodefs === undefined
        ? percentOf(storage, EVICTION_HARD_NODEFS_PERCENT)
        : signalQuantity(storage, settings.evictionHardNodefs),
  });
}

function signalQuantity(capacity: Quantity, signal: EvictionSignal): Quantity {
  return "percent" in signal ? percentOf(capacity, signal.percent) : signal.quantity;
}

// ceil(capacity / 100 × percent) in floats, as types.go computes it (for 20Gi and 10 % that is exactly 2Gi).
function percentOf(capacity: Quantity, percent: number): Quantity {
  return new Quantity(BigInt(Math.ceil((capacity.toNumber() / 100) * percent)) * 1_000_000_000n);
}

function memoryCapacity(type: CatalogInstanceType, settings: CapacitySettings): Quantity {
  return parseQuantity(`${vmMemoryMiB(type, settings.vmMemoryOverheadPercent)}Mi`);
}

/**
 * Ephemeral storage (types.go `ephemeralStorage`): with RAID0, the instance-store disks (`G`, as EC2 gives them);
 * else the volume the block device mappings give pods, else the AMI family's default.
 */
export function ephemeralStorage(type: CatalogInstanceType, settings: CapacitySettings): Quantity {
  if (settings.instanceStorePolicy === "RAID0" && type.localNvmeGiB !== undefined) {
    return parseQuantity(`${type.localNvmeGiB}G`);
  }
  return settings.ephemeralVolumeSize ?? parseQuantity(amiFamilyTraits(settings.amiFamily).defaultEphemeralVolumeSize);
}

// Karpenter's extended resource per GPU manufacturer (types.go nvidiaGPUs, amdGPUs, habanaGaudis).
const GPU_RESOURCES: ReadonlyMap<string, string> = new Map([
  ["nvidia", RESOURCE_NVIDIA_GPU],
  ["amd", RESOURCE_AMD_GPU],
  ["habana", RESOURCE_HABANA_GAUDI],
]);

/** The GPU or Neuron devices of a type as extended resources (types.go `computeCapacity`), none when it has none. */
export function extendedResources(type: CatalogInstanceType): ResourceList {
  const list: Record<string, Quantity> = {};
  const gpuResource = type.gpuManufacturer === undefined ? undefined : GPU_RESOURCES.get(type.gpuManufacturer);
  if (type.gpus > 0 && gpuResource !== undefined) list[gpuResource] = parseQuantity(String(type.gpus));
  if (type.accelerators !== undefined && type.accelerators > 0) {
    list[RESOURCE_AWS_NEURON] = parseQuantity(String(type.accelerators));
  }
  return Object.freeze(list);
}
