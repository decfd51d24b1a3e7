/**
 * The EC2 instance-type catalog: which types a NodePool's requirements allow, the labels Karpenter gives them, and
 * the sizes that NodePool limits are checked against. The default catalog is the bundled
 * `data/ec2-instance-types.json` (see `data/SOURCE.md`); `parseCatalog` reads a user's file of the same format.
 *
 * The model is Karpenter's compatibility check (`Requirements.Intersects` between a NodePool's requirements and each
 * instance type's requirements), restricted to what the data knows; see `matching` and `keyModel`.
 */
import data from "../../data/ec2-instance-types.json" with { type: "json" };
import { TypeIndex } from "./catalog-index.ts";
import { instanceTypeLabels, keyModel, modeledValues } from "./catalog-labels.ts";
import { validateCatalogJson } from "./catalog-parse.ts";
import { extendedResources, vmMemoryMiB } from "../capacity.ts";
import { parseQuantity } from "../../api/index.ts";
import { RequirementSet, normalizeRequirementKey } from "../../scheduling/index.ts";
import type { NodeSelectorRequirement } from "../../scheduling/index.ts";
import type { ResourceList } from "../../scheduling/index.ts";
import { ValueError } from "../../api/index.ts";

export * from "./catalog-labels.ts";
export { CatalogError, formatCatalogProblem, type CatalogProblem } from "./catalog-parse.ts";

/**
 * One EC2 instance type as the catalog records it, flat, with one on-demand price; field meanings and sources are in
 * `data/SOURCE.md`. Not the cloud provider's `InstanceType` (requirements, offerings, capacity, overhead), which
 * `catalogInstanceTypes` builds from it.
 */
export interface CatalogInstanceType {
  /** e.g. `m5.large` */
  readonly name: string;
  /** e.g. `m5`, `m7i-flex` */
  readonly family: string;
  /** e.g. `m`, `inf`, `trn` */
  readonly category: string;
  readonly generation: number;
  /** e.g. `large`, `metal-24xl` */
  readonly size: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly arch: "amd64" | "arm64";
  /** `aws`, `intel`, `amd` */
  readonly cpuManufacturer: string;
  /** 0 when the type has no GPU. */
  readonly gpus: number;
  readonly gpuType?: string;
  readonly gpuManufacturer?: string;
  /** Per GPU. */
  readonly gpuMemoryMiB?: number;
  /** Neuron (Inferentia, Trainium) devices. */
  readonly accelerators?: number;
  readonly acceleratorType?: string;
  readonly localNvmeGiB?: number;
  /** Absent for older types AWS rates only as "Moderate"/"High". */
  readonly networkMbps?: number;
  readonly enis: number;
  readonly ipv4PerEni: number;
  /** ENI-limited pods (VPC CNI formula), Karpenter's default pod capacity. */
  readonly maxPods: number;
  readonly bareMetal: boolean;
  readonly burstable: boolean;
  /** Karpenter's allocatable estimate for AL2023 defaults. */
  readonly allocCpuMilli: number;
  readonly allocMemoryMiB: number;
  /** us-east-1, Linux, shared tenancy. */
  readonly onDemandUsd: number;
  /** Only on entries taken from an older Karpenter docs version. */
  readonly src?: string;
}

/** A requirement as NodePools, NodeClaims and pods write it; operators and values are checked when used. */
export type NodeSelectorRequirementLike = {
  key: string;
  operator: string;
  values?: readonly string[];
  minValues?: number;
};

/** For one requirement with `minValues`: how many distinct values of its key the given types offer. */
export interface MinValuesCheck {
  /** The requirement's position in the list. */
  readonly index: number;
  /** Normalized. */
  readonly key: string;
  readonly minValues: number;
  /**
   * The distinct values of `key` among the types, counting only values the requirements allow (sorted); undefined
   * when the catalog does not know the key's values (zone, region, user labels, unmodeled keys).
   */
  readonly values: readonly string[] | undefined;
  /** `minValues - values.length` when positive, else 0; 0 when the values are unknown. */
  readonly shortfall: number;
}

/** The smallest and largest value of one measure among some types, with the (first) types that have them. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly smallest: string;
  readonly largest: string;
}

/** Ranges over a non-empty list of types, for limits checks (e.g. a `limits.cpu` below the smallest type's vCPUs). */
export interface ResourceRanges {
  readonly count: number;
  readonly vcpu: NumberRange;
  /** EC2's figure (the `instance-memory` label). */
  readonly memoryMiB: NumberRange;
  /** Node capacity as Karpenter counts it against `limits.memory` (see `karpenterMemoryMiB`), default overhead. */
  readonly capacityMemoryMiB: NumberRange;
  readonly allocCpuMilli: NumberRange;
  readonly allocMemoryMiB: NumberRange;
  readonly maxPods: NumberRange;
  readonly gpus: NumberRange;
  readonly onDemandUsd: NumberRange;
}

export interface CapacityOptions {
  /** Karpenter's `vmMemoryOverheadPercent` setting, a fraction (default 0.075). */
  readonly vmMemoryOverheadPercent?: number;
}

export interface InstanceTypeCatalog {
  /** In catalog order (the bundled data is sorted by name). Frozen objects. */
  readonly types: readonly CatalogInstanceType[];
  byName(name: string): CatalogInstanceType | undefined;
  /** Karpenter's well-known labels of a type, as Karpenter sets them on nodes (see `instanceTypeLabels`). */
  labelsOf(type: CatalogInstanceType): Readonly<Record<string, string>>;
  /**
   * The types a NodePool's requirements allow, in catalog order (a new array). A requirement on a label the catalog
   * describes filters by it (an absent label satisfies only NotIn/DoesNotExist); `kubernetes.io/os` allows linux
   * and windows on amd64, linux only on arm64; `karpenter.sh/capacity-type` is satisfied by any of on-demand, spot,
   * reserved; zone and region filter only when no zone or region name could satisfy them (DoesNotExist, In [],
   * Gt/Lt); other keys (user labels, zone-id, `UNMODELED_INSTANCE_TYPE_LABELS`) do not filter. `minValues` does not
   * filter: see `minValuesShortfall`. Throws ValueError for an invalid requirement (unknown operator, bad integer).
   */
  matching(requirements: readonly NodeSelectorRequirementLike[]): CatalogInstanceType[];
  /** Whether a requirement on `key` (normalized) can filter this catalog's types. */
  describes(key: string): boolean;
  /** See the function `minValuesShortfall`; `types` defaults to `matching(requirements)`. */
  minValuesShortfall(
    requirements: readonly NodeSelectorRequirementLike[],
    types?: readonly CatalogInstanceType[],
  ): MinValuesCheck[];
  /** Smallest and largest vCPU, memory, pods, price... among `types`; undefined when `types` is empty. */
  resourceRanges(types: readonly CatalogInstanceType[]): ResourceRanges | undefined;
  /** See the function `capacityOf`. */
  capacityOf(type: CatalogInstanceType, options?: CapacityOptions): ResourceList;
  /** See the function `allocatableOf`. */
  allocatableOf(type: CatalogInstanceType): ResourceList;
}

class Catalog implements InstanceTypeCatalog {
  readonly types: readonly CatalogInstanceType[];
  readonly #byName: ReadonlyMap<string, CatalogInstanceType>;
  readonly #index: TypeIndex;

  constructor(types: readonly CatalogInstanceType[]) {
    // Frozen, so the labels computed for a type cannot go stale.
    const list = types.map((type) => (Object.isFrozen(type) ? type : Object.freeze({ ...type })));
    this.types = Object.freeze([...list]);
    const byName = new Map<string, CatalogInstanceType>();
    for (const type of list) {
      if (byName.has(type.name)) {
        throw new ValueError(`instance-type catalog: duplicate instance type "${type.name}"`, type.name);
      }
      byName.set(type.name, type);
    }
    this.#byName = byName;
    this.#index = new TypeIndex(list);
  }

  byName(name: string): CatalogInstanceType | undefined {
    return this.#byName.get(name);
  }

  labelsOf(type: CatalogInstanceType): Readonly<Record<string, string>> {
    return instanceTypeLabels(type);
  }

  describes(key: string): boolean {
    return keyModel(normalizeRequirementKey(key)) !== "unmodeled";
  }

  matching(requirements: readonly NodeSelectorRequirementLike[]): CatalogInstanceType[] {
    return this.#index.select(requirementSet(requirements));
  }

  minValuesShortfall(
    requirements: readonly NodeSelectorRequirementLike[],
    types?: readonly CatalogInstanceType[],
  ): MinValuesCheck[] {
    return minValuesShortfall(requirements, types ?? this.matching(requirements));
  }

  resourceRanges(types: readonly CatalogInstanceType[]): ResourceRanges | undefined {
    return resourceRanges(types);
  }

  capacityOf(type: CatalogInstanceType, options?: CapacityOptions): ResourceList {
    return capacityOf(type, options);
  }

  allocatableOf(type: CatalogInstanceType): ResourceList {
    return allocatableOf(type);
  }
}

function requirementSet(requirements: readonly NodeSelectorRequirementLike[]): RequirementSet {
  // fromRequirements validates each requirement (operator included) and throws ValueError for a bad one.
  return RequirementSet.fromRequirements(requirements as readonly NodeSelectorRequirement[]);
}

/** A catalog of these types. Throws ValueError if two share a name. */
export function createCatalog(types: readonly CatalogInstanceType[]): InstanceTypeCatalog {
  return new Catalog(types);
}

let bundled: InstanceTypeCatalog | undefined;

/** The catalog of the bundled `data/ec2-instance-types.json`, built on first use. */
export function defaultCatalog(): InstanceTypeCatalog {
  // The bundled file is checked by the tests (parseCatalog accepts it), so it is not validated again here.
  bundled ??= createCatalog(data as readonly CatalogInstanceType[]);
  return bundled;
}

/**
 * A catalog from a parsed JSON document in the bundled data's format (an array of instance-type objects). Throws
 * `CatalogError` (a ValueError) naming `file`, each bad entry's index and name, and the field.
 */
export function parseCatalog(json: unknown, file: string): InstanceTypeCatalog {
  return createCatalog(validateCatalogJson(json, file));
}

/**
 * For each requirement with `minValues`, the distinct values of its key among `types` (normally the types the
 * requirements match) against the minimum, as Karpenter counts them when it launches a node; a positive
 * `shortfall` means no node can satisfy the NodePool. Only values the requirements allow count (for os and capacity
 * type, which a type offers several of). Throws ValueError for an invalid requirement.
 */
export function minValuesShortfall(
  requirements: readonly NodeSelectorRequirementLike[],
  types: readonly CatalogInstanceType[],
): MinValuesCheck[] {
  const set = requirementSet(requirements);
  const checks: MinValuesCheck[] = [];
  requirements.forEach((requirement, index) => {
    const minValues = requirement.minValues;
    if (minValues === undefined) return;
    const key = normalizeRequirementKey(requirement.key);
    const model = keyModel(key);
    if (model !== "label" && model !== "set") {
      checks.push({ index, key, minValues, values: undefined, shortfall: 0 });
      return;
    }
    const distinct = new Set<string>();
    for (const type of types) {
      for (const value of modeledValues(type, key) ?? []) if (set.allows(key, value)) distinct.add(value);
    }
    const values = [...distinct].sort(compareValues);
    checks.push({ index, key, minValues, values, shortfall: Math.max(0, minValues - values.length) });
  });
  return checks;
}

// Numeric label values (cpu, memory, generation) read best in numeric order.
function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Smallest and largest of each measure among `types`; undefined for no types. */
export function resourceRanges(types: readonly CatalogInstanceType[]): ResourceRanges | undefined {
  const [first] = types;
  if (first === undefined) return undefined;
  const range = (measure: (type: CatalogInstanceType) => number): NumberRange => {
    let min = measure(first);
    let max = min;
    let smallest = first.name;
    let largest = first.name;
    for (const type of types) {
      const value = measure(type);
      if (value < min) {
        min = value;
        smallest = type.name;
      }
      if (value > max) {
        max = value;
        largest = type.name;
      }
    }
    return { min, max, smallest, largest };
  };
  return {
    count: types.length,
    vcpu: range((t) => t.vcpu),
    memoryMiB: range((t) => t.memoryMiB),
    capacityMemoryMiB: range((t) => karpenterMemoryMiB(t)),
    allocCpuMilli: range((t) => t.allocCpuMilli),
    allocMemoryMiB: range((t) => t.allocMemoryMiB),
    maxPods: range((t) => t.maxPods),
    gpus: range((t) => t.gpus),
    onDemandUsd: range((t) => t.onDemandUsd),
  };
}

/**
 * The memory capacity Karpenter gives a node of this type, in MiB (see `vmMemoryMiB` in capacity.ts): EC2's figure
 * less the arm64 and VM overheads. This, not `memoryMiB`, is what counts against a NodePool's `limits.memory`, and
 * what the data's `allocMemoryMiB` was computed from.
 */
export function karpenterMemoryMiB(type: CatalogInstanceType, options?: CapacityOptions): number {
  return vmMemoryMiB(type, options?.vmMemoryOverheadPercent);
}

/**
 * The node capacity Karpenter computes for a type (what NodePool limits count): cpu, memory (see
 * `karpenterMemoryMiB`), pods (ENI-limited), and the GPU or Neuron resource when the type has one; that is,
 * `instanceTypeCapacity` (capacity.ts) with default settings, less ephemeral storage, which depends on the
 * EC2NodeClass.
 */
// Types are frozen, so a type's capacity with the default overhead is computed once.
const defaultCapacity = new WeakMap<CatalogInstanceType, ResourceList>();

export function capacityOf(type: CatalogInstanceType, options?: CapacityOptions): ResourceList {
  if (options === undefined) {
    let cached = defaultCapacity.get(type);
    if (!cached) {
      cached = resourceList(String(type.vcpu), `${karpenterMemoryMiB(type)}Mi`, type);
      defaultCapacity.set(type, cached);
    }
    return cached;
  }
  return resourceList(String(type.vcpu), `${karpenterMemoryMiB(type, options)}Mi`, type);
}

/** Karpenter's allocatable estimate for AL2023 defaults (from the data), with the same extended resources. */
export function allocatableOf(type: CatalogInstanceType): ResourceList {
  return resourceList(`${type.allocCpuMilli}m`, `${type.allocMemoryMiB}Mi`, type);
}

function resourceList(cpu: string, memory: string, type: CatalogInstanceType): ResourceList {
  return Object.freeze({
    cpu: parseQuantity(cpu),
    memory: parseQuantity(memory),
    pods: parseQuantity(String(type.maxPods)),
    ...extendedResources(type),
  });
}
