/**
 * The existing and in-flight nodes of one scheduling run, in name order (existingnode.go's order), each prepared —
 * resource vectors, topology view, host ports — only when a pod first tries it; and, for a pod, the nodes it could
 * match at all: each of its alternatives pins some label to a list of values (a nodeSelector, `In`), and an index
 * of that label gives the nodes that carry one of them. The others would fail the pod's requirements in
 * `addToNode`, so the answer is the same; a disruption simulation moves a few pods among thousands of nodes. The
 * order and the indexes are the list's (existing-list.ts), shared by the runs over it; the nodes a run leaves out
 * are skipped.
 */
import type { RequirementSet } from "../../scheduling/index.ts";
import type { ExistingList, LeaveOut } from "./existing-list.ts";
import type { HostPort } from "./host-ports.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import type { ExistingCapacity } from "./snapshot.ts";
import type { NodeView } from "./topology-group.ts";
import type { ResourceVector } from "./resource-vector.ts";

export interface OpenNode {
  readonly existing: ExistingCapacity;
  readonly view: NodeView;
  readonly allocatable: ResourceVector;
  requested: ResourceVector;
  readonly hostPorts: HostPort[];
}

export class ExistingNodes {
  readonly #list: ExistingList;
  readonly #leaveOut: LeaveOut | undefined;
  readonly #prepare: (existing: ExistingCapacity) => OpenNode;
  // By place in name order; a node left out is never prepared.
  readonly #prepared = new Map<number, OpenNode>();

  constructor(list: ExistingList, leaveOut: LeaveOut | undefined, prepare: (existing: ExistingCapacity) => OpenNode) {
    this.#list = list;
    this.#leaveOut = leaveOut;
    this.#prepare = prepare;
  }

  /** The first node, in name order, among those the pod could match, that `fits` accepts. */
  find(pod: PodConstraints, fits: (node: OpenNode) => boolean): OpenNode | undefined {
    const places = this.#candidates(pod.alternatives);
    if (places === undefined) {
      for (let place = 0; place < this.#list.byName.length; place++) {
        const node = this.#at(place);
        if (node !== undefined && fits(node)) return node;
      }
      return undefined;
    }
    for (const place of places) {
      const node = this.#at(place);
      if (node !== undefined && fits(node)) return node;
    }
    return undefined;
  }

  #at(place: number): OpenNode | undefined {
    let node = this.#prepared.get(place);
    if (node === undefined) {
      const existing = this.#list.nodes[this.#list.byName[place] as number] as ExistingCapacity;
      if (this.#leaveOut?.has(existing.name) === true) return undefined;
      node = this.#prepare(existing);
      this.#prepared.set(place, node);
    }
    return node;
  }

  // Ascending places in name order of the nodes some alternative could match, or undefined for all of them (an
  // alternative pins no label to a list of values).
  #candidates(alternatives: readonly RequirementSet[]): readonly number[] | undefined {
    const found = new Set<number>();
    for (const alt of alternatives) {
      const key = alt.keys().find((k) => {
        const allowed = alt.valuesFor(k);
        return !allowed.complement && !allowed.allowsAbsent;
      });
      if (key === undefined) return undefined;
      const index = this.#list.labelIndex(key);
      for (const value of alt.valuesFor(key).values) for (const i of index.get(value) ?? []) found.add(i);
    }
    return [...found].sort((a, b) => a - b);
  }
}
