/**
 * What besides the instance type decides a node's capacity and overhead: the EC2NodeClass's AMI family, kubelet
 * configuration and volumes, and two operator options. Read and checked once, here, so the math in `capacity.ts`
 * works on valid values only. Mirrors what karpenter-provider-aws's `instancetype.DefaultResolver.Resolve` passes
 * to `NewInstanceType` (aws:pkg/providers/instancetype/types.go).
 */
import { parseQuantity, type Quantity } from "../api/index.ts";
import type { EC2NodeClass, EC2NodeClassSpec, KubeletConfiguration } from "../api/index.ts";
import { ValueError } from "../api/index.ts";
import { parseResourceList, type ResourceList } from "../scheduling/index.ts";
import { amiFamilyOf, amiFamilyTraits, type AMIFamily } from "./ami-family.ts";

/** A hard eviction threshold: a share of the node's capacity or an absolute quantity. */
export type EvictionSignal = { readonly percent: number } | { readonly quantity: Quantity };

export interface CapacitySettings {
  readonly amiFamily: AMIFamily;
  /** `kubelet.maxPods`. */
  readonly maxPods?: number | undefined;
  /** `kubelet.podsPerCore`; 0 means unset, as in Karpenter. */
  readonly podsPerCore?: number | undefined;
  /** `kubelet.kubeReserved`: replaces Karpenter's default per resource. */
  readonly kubeReserved?: ResourceList | undefined;
  /** `kubelet.systemReserved`: the whole system reservation (there is no default). */
  readonly systemReserved?: ResourceList | undefined;
  /** `kubelet.evictionHard["memory.available"]`. */
  readonly evictionHardMemory?: EvictionSignal | undefined;
  /** `kubelet.evictionHard["nodefs.available"]`. */
  readonly evictionHardNodefs?: EvictionSignal | undefined;
  /** The volume pods write to, from `blockDeviceMappings`; undefined: the AMI family's default. */
  readonly ephemeralVolumeSize?: Quantity | undefined;
  /** `instanceStorePolicy: RAID0` puts ephemeral storage on the instance-store disks. */
  readonly instanceStorePolicy?: "RAID0" | undefined;
  /** `networkInterfaces` of type efa-only on network card 0: each takes an ENI away from pods. */
  readonly efaOnlyInterfaces?: number | undefined;
  /** Operator option `RESERVED_ENIS` (default 0): ENIs kept from pods. */
  readonly reservedENIs?: number | undefined;
  /** Operator option `VM_MEMORY_OVERHEAD_PERCENT` as a fraction (default 0.075). */
  readonly vmMemoryOverheadPercent?: number | undefined;
}

/** The operator options (Karpenter's `--reserved-enis`, `--vm-memory-overhead-percent`). */
export interface CapacityOperatorOptions {
  readonly reservedENIs?: number;
  readonly vmMemoryOverheadPercent?: number;
}

/** AL2023, no kubelet settings, no block devices: what Karpenter's instance-types reference assumes. */
export const DEFAULT_CAPACITY_SETTINGS: CapacitySettings = Object.freeze({ amiFamily: "AL2023" });

/**
 * The capacity settings of an EC2NodeClass. Throws ValueError naming the EC2NodeClass and the field for a value the
 * math cannot use (a quantity that does not parse, an eviction percentage out of range, a negative count).
 */
export function capacitySettingsOf(nodeClass: EC2NodeClass, options?: CapacityOperatorOptions): CapacitySettings {
  const operator = {
    reservedENIs: count(options?.reservedENIs, "operator option reservedENIs"),
    vmMemoryOverheadPercent: fraction(options?.vmMemoryOverheadPercent, "operator option vmMemoryOverheadPercent"),
  };
  const name = nodeClass.metadata.name ?? "";
  try {
    return Object.freeze({ ...settingsOf(nodeClass.spec), ...operator });
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new ValueError(`EC2NodeClass "${name}": ${error.message}`, error.value, {
      ...(error.path === undefined ? {} : { path: error.path }),
      cause: error,
    });
  }
}

function settingsOf(spec: EC2NodeClassSpec | undefined): CapacitySettings {
  if (spec === undefined) throw new ValueError("spec: is required", spec, { path: "spec" });
  const amiFamily = amiFamilyOf(spec);
  const kubelet: KubeletConfiguration = spec.kubelet ?? {};
  const efaOnly = (spec.networkInterfaces ?? []).filter(
    (nic) => nic.networkCardIndex === 0 && nic.interfaceType === "efa-only",
  ).length;
  return {
    amiFamily,
    maxPods: count(kubelet.maxPods, "spec.kubelet.maxPods"),
    podsPerCore: count(kubelet.podsPerCore, "spec.kubelet.podsPerCore"),
    kubeReserved: optionalList(kubelet.kubeReserved, "spec.kubelet.kubeReserved"),
    systemReserved: optionalList(kubelet.systemReserved, "spec.kubelet.systemReserved"),
    evictionHardMemory: evictionSignal(kubelet.evictionHard, "memory.available"),
    evictionHardNodefs: evictionSignal(kubelet.evictionHard, "nodefs.available"),
    ephemeralVolumeSize: ephemeralVolumeSize(amiFamily, spec.blockDeviceMappings ?? []),
    instanceStorePolicy: spec.instanceStorePolicy,
    efaOnlyInterfaces: efaOnly,
  };
}

function count(value: number | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValueError(`${path}: must be a non-negative integer (got ${String(value)})`, value, { path });
  }
  return value;
}

function fraction(value: number | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new ValueError(`${path}: must be a fraction from 0 to 1 (got ${String(value)})`, value, { path });
  }
  return value;
}

function optionalList(list: Readonly<Record<string, string>> | undefined, path: string): ResourceList | undefined {
  return list === undefined ? undefined : parseResourceList(list, path);
}

const PERCENT_RE = /^(\d+(\.\d*)?|\.\d+)%$/;

function evictionSignal(
  evictionHard: Readonly<Record<string, string>> | undefined,
  signal: string,
): EvictionSignal | undefined {
  if (evictionHard === undefined || !Object.hasOwn(evictionHard, signal)) return undefined;
  const value = evictionHard[signal] ?? "";
  const path = `spec.kubelet.evictionHard[${signal}]`;
  if (value.endsWith("%")) {
    const percent = PERCENT_RE.test(value) ? Number(value.slice(0, -1)) : NaN;
    if (!(percent >= 0 && percent <= 100)) {
      throw new ValueError(`${path}: "${value}" is not a percentage from 0% to 100%`, value, { path });
    }
    // Karpenter reads 100% as 0 (types.go mustParsePercentage).
    return { percent: percent === 100 ? 0 : percent };
  }
  try {
    return { quantity: parseQuantity(value) };
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new ValueError(`${path}: ${error.message}`, value, { path, cause: error });
  }
}

/**
 * The size of the volume pods write to, from the block device mappings (types.go `ephemeralStorage`, without the
 * RAID0 case, which depends on the instance type): the root volume's, else for Custom the last mapping's (or 20Gi),
 * else the mapping of the family's ephemeral device. Undefined when none says: the family's default applies.
 */
function ephemeralVolumeSize(
  family: AMIFamily,
  mappings: NonNullable<EC2NodeClassSpec["blockDeviceMappings"]>,
): Quantity | undefined {
  if (mappings.length === 0) return undefined;
  const size = (index: number): Quantity | undefined => {
    const raw = mappings[index]?.ebs?.volumeSize;
    if (raw === undefined) return undefined;
    const path = `spec.blockDeviceMappings[${index}].ebs.volumeSize`;
    try {
      return parseQuantity(raw);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      throw new ValueError(`${path}: ${error.message}`, raw, { path, cause: error });
    }
  };
  const root = mappings.findIndex((mapping) => mapping.rootVolume === true);
  const rootSize = root < 0 ? undefined : size(root);
  if (rootSize !== undefined) return rootSize;
  if (family === "Custom")
    return size(mappings.length - 1) ?? parseQuantity(amiFamilyTraits(family).defaultEphemeralVolumeSize);
  const device = amiFamilyTraits(family).ephemeralBlockDevice;
  const index = mappings.findIndex((mapping) => mapping.deviceName === device);
  return index < 0 ? undefined : size(index);
}
