/**
 * The existing and in-flight nodes of one scheduling run, in name order (existingnode.go's order), each prepared —
 * resource vectors, topology view, host ports — only when a pod first tries it; and, for a pod, the nodes it could
 * match at all: each of its alternatives pins some label to a list of values (a nodeSelector, `In`), and an index
 * of that label gives the nodes that carry one of them. The others would fail the pod's requirements in
 * `addToNode`, so the answer is the same; a disruption simulation moves a few pods among thousands of nodes.
 */
import { normalizedLabelValue, type RequirementSet } from "../../scheduling/index.ts";
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
  readonly #nodes: readonly ExistingCapacity[];
  readonly #prepare: (existing: ExistingCapacity) => OpenNode;
  readonly #prepared: (OpenNode | undefined)[];
  // Per label key: value → the positions of the nodes with it, ascending.
  readonly #byLabel = new Map<string, Map<string, number[]>>();

  constructor(existing: readonly ExistingCapacity[], prepare: (existing: ExistingCapacity) => OpenNode) {
    this.#nodes = [...existing].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.#prepare = prepare;
    this.#prepared = new Array<OpenNode | undefined>(this.#nodes.length);
  }

  /** The first node, in name order, among those the pod could match, that `fits` accepts. */
  find(pod: PodConstraints, fits: (node: OpenNode) => boolean): OpenNode | undefined {
    const positions = this.#candidates(pod.alternatives);
    if (positions === undefined) {
      for (let i = 0; i < this.#nodes.length; i++) {
        const node = this.#at(i);
        if (fits(node)) return node;
      }
      return undefined;
    }
    for (const i of positions) {
      const node = this.#at(i);
      if (fits(node)) return node;
    }
    return undefined;
  }

  #at(i: number): OpenNode {
    let node = this.#prepared[i];
    if (node === undefined) {
      node = this.#prepare(this.#nodes[i] as ExistingCapacity);
      this.#prepared[i] = node;
    }
    return node;
  }

  // Ascending positions of the nodes some alternative could match, or undefined for all of them (an alternative
  // pins no label to a list of values).
  #candidates(alternatives: readonly RequirementSet[]): readonly number[] | undefined {
    const found = new Set<number>();
    for (const alt of alternatives) {
      const key = alt.keys().find((k) => {
        const allowed = alt.valuesFor(k);
        return !allowed.complement && !allowed.allowsAbsent;
      });
      if (key === undefined) return undefined;
      const index = this.#index(key);
      for (const value of alt.valuesFor(key).values) for (const i of index.get(value) ?? []) found.add(i);
    }
    return [...found].sort((a, b) => a - b);
  }

  #index(key: string): Map<string, number[]> {
    let index = this.#byLabel.get(key);
    if (index === undefined) {
      index = new Map();
      this.#nodes.forEach((node, i) => {
        const value = normalizedLabelValue(node.labels, key);
        if (value === undefined) return;
        const list = index?.get(value);
        if (list === undefined) index?.set(value, [i]);
        else list.push(i);
      });
      this.#byLabel.set(key, index);
    }
    return index;
  }
}
