// What a booted node reports as capacity and allocatable — the kubelet's figures, not Karpenter's estimate of them.
//
// Memory: the hypervisor and the kernel keep part of an instance's memory; Karpenter guesses 7.5 %
// (VM_MEMORY_OVERHEAD_PERCENT, aws pkg/providers/instancetype/types.go), but the real share differs from type to
// type. The world's share is 7.5 % plus a deviation within ±3 % of the memory, fixed per type by an FNV-1a hash of
// its name, so the same type always boots with the same capacity and a scheduler that trusts the estimate is caught
// on the types where it is too high.
// Reservations follow the EKS images' defaults when the user data sets none (amazon-eks-ami's bootstrap.sh
// get_cpu_millicores_to_reserve / nodeadm's kube-reserved: CPU by core ranges, memory 11 MiB per pod + 255 MiB,
// 1 GiB of ephemeral storage), max pods the ENI limit (ENIs × (IPv4 per ENI − 1) + 2), and the kubelet's default
// hard eviction thresholds (memory.available 100Mi, nodefs.available 10 %).
import { parseQuantity } from "../../../api/index.ts";
import type { WorldInstanceType } from "../cloud/index.ts";
import { type KubeletSettings, UserDataError } from "./kubelet-settings.ts";

const KARPENTER_VM_OVERHEAD = 0.075;
const DEVIATION = 0.03;
/** A 20 GiB root volume as its filesystem reports it (what Karpenter's default block device gives a node). */
const ROOT_FILESYSTEM_KI = 20_959_212;
/** The filesystem's share of its volume (metadata and the journal take the rest), from the 20 GiB case. */
const FILESYSTEM_SHARE = ROOT_FILESYSTEM_KI / (20 * 1024 * 1024);

/** What a volume of `sizeGiB` reports as its filesystem's size, in KiB; the 20 GiB default when unknown. */
export function filesystemKi(sizeGiB: number | undefined): number {
  return sizeGiB === undefined ? ROOT_FILESYSTEM_KI : Math.floor(sizeGiB * 1024 * 1024 * FILESYSTEM_SHARE);
}
const KUBELET_EVICTION_HARD: Record<string, string> = { "memory.available": "100Mi", "nodefs.available": "10%" };

/** FNV-1a (32-bit) of the type's name, as a fraction in [0, 1). */
function hashFraction(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

/** The share of the type's memory the node does not see: 7.5 % ± up to 3 %, fixed per type. */
export function vmMemoryOverhead(instanceType: string): number {
  return KARPENTER_VM_OVERHEAD + (hashFraction(instanceType) * 2 - 1) * DEVIATION;
}

export function eniLimitedPods(type: WorldInstanceType): number {
  return type.enis * (type.ipv4PerEni - 1) + 2;
}

/** amazon-eks-ami's CPU reservation: 6 % of the first core, 1 % of the second, 0.5 % of two more, 0.25 % of the rest. */
function defaultCpuReservedMillis(vcpu: number): number {
  const millis = vcpu * 1000;
  const ranges: [number, number, number][] = [
    [0, 1000, 0.06],
    [1000, 2000, 0.01],
    [2000, 4000, 0.005],
    [4000, Number.POSITIVE_INFINITY, 0.0025],
  ];
  return Math.floor(
    ranges.reduce((sum, [start, end, share]) => sum + Math.max(Math.min(millis, end) - start, 0) * share, 0),
  );
}

/** A quantity from the user data, in the unit asked for; a bad one is the kubelet refusing its configuration. */
function amount(value: string | undefined, unit: "milli" | "Ki", where: string): number {
  if (value === undefined) return 0;
  try {
    const q = parseQuantity(value);
    return unit === "milli" ? Number(q.milliValue()) : Math.ceil(q.toNumber() / 1024);
  } catch (error) {
    throw new UserDataError(`${where}: ${(error as Error).message}`);
  }
}

/** A threshold (`100Mi` or `5%`) in Ki of `capacityKi`. */
function threshold(value: string | undefined, capacityKi: number, where: string): number {
  if (value === undefined) return 0;
  if (value.endsWith("%")) {
    const percent = Number(value.slice(0, -1));
    if (!(percent >= 0 && percent <= 100)) throw new UserDataError(`${where}: ${value} is not a percentage`);
    return Math.ceil((capacityKi * percent) / 100);
  }
  return amount(value, "Ki", where);
}

export interface NodeResources {
  maxPods: number;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
}

/** The node's resources; `nodefsKi` is the size of the filesystem the kubelet keeps pods' data on. */
export function nodeResources(
  type: WorldInstanceType,
  settings: KubeletSettings,
  nodefsKi = ROOT_FILESYSTEM_KI,
): NodeResources {
  const maxPods = settings.maxPods ?? eniLimitedPods(type);
  const memoryKi = Math.floor(type.memoryMiB * 1024 * (1 - vmMemoryOverhead(type.name)));
  const cpuMillis = type.vcpu * 1000;
  const kube = {
    cpu: settings.kubeReserved.cpu ?? `${defaultCpuReservedMillis(type.vcpu)}m`,
    memory: settings.kubeReserved.memory ?? `${11 * maxPods + 255}Mi`,
    "ephemeral-storage": settings.kubeReserved["ephemeral-storage"] ?? "1Gi",
  };
  const system = settings.systemReserved;
  const eviction = Object.keys(settings.evictionHard).length > 0 ? settings.evictionHard : KUBELET_EVICTION_HARD;
  const allocatableCpu =
    cpuMillis - amount(kube.cpu, "milli", "kube-reserved cpu") - amount(system.cpu, "milli", "system-reserved cpu");
  const allocatableMemory =
    memoryKi -
    amount(kube.memory, "Ki", "kube-reserved memory") -
    amount(system.memory, "Ki", "system-reserved memory") -
    threshold(eviction["memory.available"], memoryKi, "eviction-hard memory.available");
  const allocatableStorage =
    nodefsKi -
    amount(kube["ephemeral-storage"], "Ki", "kube-reserved ephemeral-storage") -
    amount(system["ephemeral-storage"], "Ki", "system-reserved ephemeral-storage") -
    threshold(eviction["nodefs.available"], nodefsKi, "eviction-hard nodefs.available");
  if (allocatableCpu <= 0 || allocatableMemory <= 0 || allocatableStorage <= 0) {
    throw new UserDataError(
      `the reservations and eviction thresholds leave nothing allocatable on ${type.name} (cpu ${allocatableCpu}m, memory ${allocatableMemory}Ki, ephemeral-storage ${allocatableStorage}Ki)`,
    );
  }
  const devices: Record<string, string> = {};
  if (type.gpus > 0 && type.gpuManufacturer?.toLowerCase() === "nvidia") devices["nvidia.com/gpu"] = String(type.gpus);
  if (type.gpus > 0 && type.gpuManufacturer?.toLowerCase() === "amd") devices["amd.com/gpu"] = String(type.gpus);
  if ((type.accelerators ?? 0) > 0) devices["aws.amazon.com/neuron"] = String(type.accelerators);
  const common = { "hugepages-1Gi": "0", "hugepages-2Mi": "0", pods: String(maxPods), ...devices };
  return {
    maxPods,
    capacity: {
      cpu: String(type.vcpu),
      "ephemeral-storage": `${nodefsKi}Ki`,
      memory: `${memoryKi}Ki`,
      ...common,
    },
    allocatable: {
      cpu: `${allocatableCpu}m`,
      "ephemeral-storage": String(allocatableStorage * 1024),
      memory: `${allocatableMemory}Ki`,
      ...common,
    },
  };
}
