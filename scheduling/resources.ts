/**
 * Resource lists (`corev1.ResourceList`): resource name to quantity, as in `requests`, `limits`, `capacity`.
 * YAML gives them as `{ cpu: "1000", memory: "1000Gi", "nvidia.com/gpu": 4 }`; arithmetic is exact (see quantity.ts).
 */
import { Quantity, addQuantities, formatQuantity, parseQuantity, subtractQuantities } from "../api/index.ts";
import type { QuantityLike } from "../api/index.ts";
import { ValueError } from "../api/index.ts";

export type ResourceList = Readonly<Record<string, Quantity>>;
/** A parsed list or one straight from YAML. */
export type ResourceListLike = Readonly<Record<string, QuantityLike>>;

const ZERO = new Quantity(0n);
const SIMPLE_KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Parses every quantity in a resource list. Throws ValueError naming the bad entry, e.g.
 * `limits.memory: invalid quantity "10GB": ...`, with `path` set; `pathPrefix` is the list's own path ("limits").
 */
export function parseResourceList(input: unknown, pathPrefix?: string): ResourceList {
  if (typeof input !== "object" || input === null || Array.isArray(input) || input instanceof Quantity) {
    const where = pathPrefix === undefined ? "resource list" : pathPrefix;
    throw new ValueError(`${where}: expected a map of resource names to quantities, got ${describe(input)}`, input, {
      ...(pathPrefix === undefined ? {} : { path: pathPrefix }),
    });
  }
  const entries = Object.entries(input).map(([name, raw]): [string, Quantity] => {
    const path = childPath(pathPrefix, name);
    if (name === "") throw new ValueError(`${path}: resource name must be non-empty`, input, { path });
    try {
      return [name, parseQuantity(raw as QuantityLike)];
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      throw new ValueError(`${path}: ${error.message}`, raw, { path, cause: error });
    }
  });
  // fromEntries defines own properties, so a "__proto__" resource name stays a plain entry.
  return Object.freeze(Object.fromEntries(entries));
}

/** The sum of several lists; a resource missing from a list counts as zero. */
export function addResources(...lists: readonly ResourceListLike[]): ResourceList {
  const sum = new Map<string, Quantity>();
  for (const list of lists) {
    for (const [name, quantity] of Object.entries(parseResourceList(list))) {
      const existing = sum.get(name);
      sum.set(name, existing === undefined ? quantity : addQuantities(existing, quantity));
    }
  }
  return Object.freeze(Object.fromEntries(sum));
}

/** `a - b` per resource over the resources of both; results may be negative. */
export function subtractResources(a: ResourceListLike, b: ResourceListLike): ResourceList {
  const result = new Map(Object.entries(parseResourceList(a)));
  for (const [name, quantity] of Object.entries(parseResourceList(b))) {
    result.set(name, subtractQuantities(result.get(name) ?? ZERO, quantity));
  }
  return Object.freeze(Object.fromEntries(result));
}

/** The largest value of each resource across the lists (Karpenter `resources.MaxResources`). */
export function maxResources(...lists: readonly ResourceListLike[]): ResourceList {
  const max = new Map<string, Quantity>();
  for (const list of lists) {
    for (const [name, quantity] of Object.entries(parseResourceList(list))) {
      const existing = max.get(name);
      if (existing === undefined || quantity.nanos > existing.nanos) max.set(name, quantity);
    }
  }
  return Object.freeze(Object.fromEntries(max));
}

/**
 * The resources that keep `requests` from fitting in `capacity`, sorted: each requested resource above its
 * capacity (a missing capacity is zero, so a missing resource fails only a non-zero request), and, as Karpenter's
 * `resources.Fits` has it, any resource whose capacity is negative (an overcommitted list fits nothing).
 */
export function insufficientResources(requests: ResourceListLike, capacity: ResourceListLike): string[] {
  const requested = parseResourceList(requests, "requests");
  const available = parseResourceList(capacity, "capacity");
  const names = new Set<string>();
  for (const [name, quantity] of Object.entries(available)) if (quantity.nanos < 0n) names.add(name);
  for (const [name, quantity] of Object.entries(requested)) {
    if (quantity.nanos > (Object.hasOwn(available, name) ? (available[name]?.nanos ?? 0n) : 0n)) names.add(name);
  }
  return [...names].sort();
}

/** Whether `requests` fit in `capacity` (see `insufficientResources`). */
export function fits(requests: ResourceListLike, capacity: ResourceListLike): boolean {
  return insufficientResources(requests, capacity).length === 0;
}

/** Whether every quantity is zero (an empty list is zero). */
export function isZero(list: ResourceListLike): boolean {
  return Object.values(parseResourceList(list)).every((quantity) => quantity.isZero());
}

/** Canonical strings, for writing a list back as YAML or JSON: `{ memory: "1536Mi" }`. */
export function toRawResourceList(list: ResourceListLike): Record<string, string> {
  return Object.fromEntries(Object.entries(parseResourceList(list)).map(([name, q]) => [name, formatQuantity(q)]));
}

/** For messages: `cpu=1500m, memory=2Gi, nvidia.com/gpu=4`, sorted by name; `{}` when empty. */
export function formatResourceList(list: ResourceListLike): string {
  const entries = Object.entries(parseResourceList(list)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return "{}";
  return entries.map(([name, quantity]) => `${name}=${formatQuantity(quantity)}`).join(", ");
}

function childPath(prefix: string | undefined, name: string): string {
  const segment = SIMPLE_KEY_RE.test(name) ? name : `[${name}]`;
  if (prefix === undefined || prefix === "") return segment;
  return segment.startsWith("[") ? `${prefix}${segment}` : `${prefix}.${segment}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Quantity) return `the single quantity ${formatQuantity(value)}`;
  return typeof value === "string" ? `the string "${value}"` : `${typeof value} ${String(value)}`;
}
