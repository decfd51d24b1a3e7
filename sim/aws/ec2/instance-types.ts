// DescribeInstanceTypes and DescribeInstanceTypeOfferings, in EC2's wire shapes (InstanceTypeInfo,
// InstanceTypeOffering). Only what the catalog knows is served, plus three scenario assumptions that the catalog
// cannot say and Karpenter reads: every type supports on-demand and spot, is hvm, and runs on the nitro
// hypervisor unless it is bare metal (docs/sim.md lists what is left out).
import type { Cloud } from "../../world/cloud/cloud.ts";
import type { WorldInstanceType } from "../../world/cloud/catalog.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, type FilterFields, parseFilters } from "./filters.ts";
import { paginate } from "./pagination.ts";
import { strings, text } from "./params.ts";

const MANUFACTURERS: Record<string, string> = { intel: "Intel", amd: "AMD", aws: "AWS", apple: "Apple" };

export const architectureOf = (type: WorldInstanceType): "x86_64" | "arm64" =>
  type.arch === "arm64" ? "arm64" : "x86_64";

const TYPE_FILTERS: FilterFields<WorldInstanceType> = {
  "instance-type": (t) => [t.name],
  "processor-info.supported-architecture": (t) => [architectureOf(t)],
  "vcpu-info.default-vcpus": (t) => [String(t.vcpu)],
  "memory-info.size-in-mib": (t) => [String(t.memoryMiB)],
  "bare-metal": (t) => [String(t.bareMetal)],
  "burstable-performance-supported": (t) => [String(t.burstable)],
  "supported-usage-class": () => ["on-demand", "spot"],
  "supported-virtualization-type": () => ["hvm"],
  hypervisor: (t) => (t.bareMetal ? [] : ["nitro"]),
  "network-info.maximum-network-interfaces": (t) => [String(t.enis)],
  "network-info.ipv4-addresses-per-interface": (t) => [String(t.ipv4PerEni)],
  "instance-storage-supported": (t) => [String((t.localNvmeGiB ?? 0) > 0)],
};

export function instanceTypeInfo(type: WorldInstanceType): Record<string, XmlValue> {
  const gpuMemory = type.gpuMemoryMiB;
  return {
    instanceType: type.name,
    supportedUsageClasses: ["on-demand", "spot"],
    supportedRootDeviceTypes: ["ebs"],
    supportedVirtualizationTypes: ["hvm"],
    bareMetal: type.bareMetal,
    hypervisor: type.bareMetal ? undefined : "nitro",
    processorInfo: {
      supportedArchitectures: [architectureOf(type)],
      manufacturer: MANUFACTURERS[type.cpuManufacturer] ?? type.cpuManufacturer,
    },
    vCpuInfo: { defaultVCpus: type.vcpu },
    memoryInfo: { sizeInMiB: type.memoryMiB },
    instanceStorageSupported: (type.localNvmeGiB ?? 0) > 0,
    instanceStorageInfo:
      type.localNvmeGiB === undefined ? undefined : { totalSizeInGB: type.localNvmeGiB, nvmeSupport: "required" },
    networkInfo: {
      maximumNetworkInterfaces: type.enis,
      ipv4AddressesPerInterface: type.ipv4PerEni,
    },
    gpuInfo:
      type.gpus > 0
        ? {
            gpus: [
              {
                name: type.gpuType,
                manufacturer: type.gpuManufacturer,
                count: type.gpus,
                memoryInfo: gpuMemory === undefined ? undefined : { sizeInMiB: gpuMemory },
              },
            ],
            totalGpuMemoryInMiB: gpuMemory === undefined ? undefined : gpuMemory * type.gpus,
          }
        : undefined,
    neuronInfo:
      (type.accelerators ?? 0) > 0
        ? { neuronDevices: [{ count: type.accelerators, name: type.acceleratorType }] }
        : undefined,
    burstablePerformanceSupported: type.burstable,
  };
}

export function describeInstanceTypes(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const names = strings(params, "InstanceType");
  let types = cloud.instanceTypes();
  if (names.length > 0) {
    const missing = names.filter((name) => !cloud.instanceType(name));
    if (missing.length > 0) {
      throw new CloudError(
        "InvalidInstanceType",
        `The following supplied instance types do not exist: [${missing.join(", ")}]`,
      );
    }
    types = types.filter((t) => names.includes(t.name));
  }
  types = applyFilters(types, parseFilters(params), TYPE_FILTERS);
  const page = paginate("DescribeInstanceTypes", types, params, { min: 5, max: 100 });
  return { instanceTypeSet: page.items.map(instanceTypeInfo), nextToken: page.nextToken };
}

interface Offering {
  instanceType: string;
  locationType: string;
  location: string;
}

export function describeInstanceTypeOfferings(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const locationType = text(params, "LocationType") ?? "region";
  const zones = cloud.scenario.zones;
  const offerings: Offering[] = [];
  for (const type of cloud.instanceTypes()) {
    const offeredIn = zones.filter((zone) => cloud.isOffered(type.name, zone.name));
    if (locationType === "region") {
      if (offeredIn.length > 0)
        offerings.push({ instanceType: type.name, locationType, location: cloud.scenario.region });
    } else if (locationType === "availability-zone" || locationType === "availability-zone-id") {
      for (const zone of offeredIn) {
        offerings.push({
          instanceType: type.name,
          locationType,
          location: locationType === "availability-zone" ? zone.name : zone.id,
        });
      }
    } else {
      throw new CloudError(
        "InvalidParameterValue",
        `Value (${locationType}) for parameter locationType is invalid. Expected one of region, availability-zone, availability-zone-id.`,
      );
    }
  }
  const filtered = applyFilters(offerings, parseFilters(params), {
    "instance-type": (o) => [o.instanceType],
    location: (o) => [o.location],
  });
  const page = paginate("DescribeInstanceTypeOfferings", filtered, params, { min: 5, max: 1000 });
  return { instanceTypeOfferingSet: page.items.map((o) => ({ ...o })), nextToken: page.nextToken };
}
