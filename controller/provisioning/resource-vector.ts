/**
 * Resource lists as fixed-length number vectors for the scheduler's inner loop, in the units kube-scheduler compares
 * (its `framework.Resource`: MilliCPU, and `Value()` — rounded up — for memory, ephemeral storage, pods and extended
 * resources), so a fit is a few number comparisons instead of a bigint map walk. One index per scheduling run holds
 * every resource name any pod, type, node or limit mentions.
 */
import type { Quantity } from "../../api/index.ts";
import type { ResourceList } from "../../scheduling/index.ts";

export type ResourceVector = Float64Array;

export class ResourceIndex {
  readonly names: readonly string[];
  readonly #position: ReadonlyMap<string, number>;

  /** `more`: names to add after the lists' (the existing nodes', found once per list of nodes). */
  constructor(lists: Iterable<ResourceList>, more: Iterable<string> = []) {
    const names = new Set<string>(["cpu", "memory", "pods"]);
    for (const list of lists) for (const name of Object.keys(list)) names.add(name);
    for (const name of more) names.add(name);
    this.names = [...names];
    this.#position = new Map(this.names.map((name, i) => [name, i]));
  }

  get length(): number {
    return this.names.length;
  }

  vector(list: ResourceList): ResourceVector {
    const out = new Float64Array(this.names.length);
    for (const [name, quantity] of Object.entries(list)) {
      const i = this.#position.get(name);
      if (i !== undefined) out[i] = units(name, quantity);
    }
    return out;
  }

  /** A capacity vector: a resource the list does not name is 0 (a node without GPUs has none). */
  zero(): ResourceVector {
    return new Float64Array(this.names.length);
  }
}

function units(name: string, quantity: Quantity): number {
  return Number(name === "cpu" ? quantity.milliValue() : quantity.value());
}

export function addVectors(a: ResourceVector, b: ResourceVector): ResourceVector {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) + (b[i] as number);
  return out;
}

/** Whether `requests` fit in `capacity` on every resource. */
export function fitsVector(requests: ResourceVector, capacity: ResourceVector): boolean {
  for (let i = 0; i < requests.length; i++) if ((requests[i] as number) > (capacity[i] as number)) return false;
  return true;
}

/** The per-resource maximum, into `into`. */
export function maxInto(into: ResourceVector, other: ResourceVector): void {
  for (let i = 0; i < into.length; i++) if ((other[i] as number) > (into[i] as number)) into[i] = other[i] as number;
}
