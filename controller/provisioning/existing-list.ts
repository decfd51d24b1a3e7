/**
 * What a scheduling run derives from the snapshot's list of existing nodes, worked out once per list (by its
 * identity) rather than once per run: the nodes in name order (existingnode.go's order), each pool's nodes, an index
 * per label key, and the resource names the nodes mention. A disruption pass schedules its candidates' pods
 * thousands of times over the same list, each run leaving out the candidates and the nodes pods may not move to
 * (`ScheduleOptions.leaveOut`); a run then reads the list as if those nodes were not in it.
 */
import { normalizedLabelValue } from "../../scheduling/index.ts";
import type { ExistingCapacity } from "./snapshot.ts";

/** Node names a run leaves out, as if the snapshot did not list them. */
export type LeaveOut = Pick<ReadonlySet<string>, "has">;

/** Where a resource name appears: the node's position in the list and the name's place among the node's names. */
interface Occurrence {
  readonly position: number;
  readonly offset: number;
}

export class ExistingList {
  readonly nodes: readonly ExistingCapacity[];
  /** Positions in `nodes`, in name order. */
  readonly byName: Int32Array;
  // Per label key: value → positions in name order (ascending in `byName`), the nodes with it.
  readonly #byLabel = new Map<string, Map<string, number[]>>();
  #byPool: Map<string | undefined, ExistingCapacity[]> | undefined;
  #occurrences: Map<string, Occurrence[]> | undefined;

  constructor(nodes: readonly ExistingCapacity[]) {
    this.nodes = nodes;
    this.byName = Int32Array.from(nodes.keys()).sort((a, b) => {
      const x = (nodes[a] as ExistingCapacity).name;
      const y = (nodes[b] as ExistingCapacity).name;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }

  /** The pool's nodes in list order, without those left out. */
  ofPool(pool: string, leaveOut: LeaveOut | undefined): ExistingCapacity[] {
    this.#byPool ??= Map.groupBy(this.nodes, (e) => e.nodePool);
    const nodes = this.#byPool.get(pool) ?? [];
    return leaveOut === undefined ? nodes : nodes.filter((e) => !leaveOut.has(e.name));
  }

  /** Value → the places in name order (indexes into `byName`) of the nodes whose labels give `key` that value. */
  labelIndex(key: string): ReadonlyMap<string, readonly number[]> {
    let index = this.#byLabel.get(key);
    if (index === undefined) {
      index = new Map();
      for (let place = 0; place < this.byName.length; place++) {
        const node = this.nodes[this.byName[place] as number] as ExistingCapacity;
        const value = normalizedLabelValue(node.labels, key);
        if (value === undefined) continue;
        const list = index.get(value);
        if (list === undefined) index.set(value, [place]);
        else list.push(place);
      }
      this.#byLabel.set(key, index);
    }
    return index;
  }

  /**
   * The resource names the nodes kept name in their allocatable and requested lists, in the order a walk of the
   * list (each node's allocatable, then its requested) first meets them: the order a run's ResourceIndex would add
   * them in, had it been given only the nodes kept.
   */
  resourceNames(leaveOut: LeaveOut | undefined): string[] {
    const firsts: { name: string; at: Occurrence }[] = [];
    for (const [name, occurrences] of this.#resourceOccurrences()) {
      const at = occurrences.find(
        (o) => leaveOut === undefined || !leaveOut.has((this.nodes[o.position] as ExistingCapacity).name),
      );
      if (at !== undefined) firsts.push({ name, at });
    }
    firsts.sort((a, b) => a.at.position - b.at.position || a.at.offset - b.at.offset);
    return firsts.map((f) => f.name);
  }

  #resourceOccurrences(): ReadonlyMap<string, Occurrence[]> {
    if (this.#occurrences === undefined) {
      const occurrences = new Map<string, Occurrence[]>();
      this.nodes.forEach((e, position) => {
        const names = new Set([...Object.keys(e.allocatable), ...Object.keys(e.requested)]);
        let offset = 0;
        for (const name of names) {
          const at = { position, offset: offset++ };
          const list = occurrences.get(name);
          if (list === undefined) occurrences.set(name, [at]);
          else list.push(at);
        }
      });
      this.#occurrences = occurrences;
    }
    return this.#occurrences;
  }
}

const lists = new WeakMap<readonly ExistingCapacity[], ExistingList>();

/** The list's derived forms, made once per list as the caller passes it (never written after). */
export function existingList(nodes: readonly ExistingCapacity[]): ExistingList {
  let list = lists.get(nodes);
  if (list === undefined) {
    list = new ExistingList(nodes);
    lists.set(nodes, list);
  }
  return list;
}
