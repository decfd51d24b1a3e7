/**
 * One topology constraint shared by every pod that states it (Karpenter's `TopologyGroup`,
 * core:pkg/controllers/provisioning/scheduling/topologygroup.go): a topology key, the pods it counts (selector and
 * namespaces), how many of them each domain holds, and the rule that picks the domains a pod may go to — the
 * least-loaded domain within `maxSkew` for a spread, a domain that already holds a selected pod for affinity (any
 * domain for the first of a self-selecting group), an empty domain for anti-affinity. Hostname domains are each
 * node's own: a new NodeClaim is a domain with no pods yet, so the global minimum for hostname is always zero.
 */
import {
  type LabelSelector,
  type RequirementSet,
  type Taint,
  type Toleration,
  untoleratedTaints,
} from "../../scheduling/index.ts";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";

export type TopologyGroupKind = "spread" | "affinity" | "anti-affinity";

/** A place a pod may go: an existing node (requirements from its labels) or a NodeClaim being built. */
export interface NodeView {
  readonly requirements: RequirementSet;
  readonly hostname: string;
  readonly taints: readonly Taint[];
  /** An existing node's labels: its domain for a key is its label, or none. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

/**
 * Which nodes a spread counts (Karpenter's `TopologyNodeFilter`, kube-scheduler's `nodeAffinityPolicy` and
 * `nodeTaintsPolicy`): with Honor, only nodes the pod's required node affinity admits, or whose taints it tolerates.
 */
export interface NodeFilter {
  /** Identifies equal filters, for sharing groups. */
  readonly canonical: string;
  readonly alternatives: readonly RequirementSet[] | undefined;
  readonly tolerations: readonly Toleration[] | undefined;
}

export interface TopologyGroupInit {
  readonly kind: TopologyGroupKind;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  /** undefined: every namespace. */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly maxSkew: number;
  readonly minDomains: number | undefined;
  readonly nodeFilter: NodeFilter | undefined;
}

export class TopologyGroup {
  readonly kind: TopologyGroupKind;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly maxSkew: number;
  readonly minDomains: number | undefined;
  readonly nodeFilter: NodeFilter | undefined;
  /** Selected pods per registered domain. */
  readonly counts = new Map<string, number>();
  #recorded = 0;

  constructor(init: TopologyGroupInit) {
    this.kind = init.kind;
    this.topologyKey = init.topologyKey;
    this.selector = init.selector;
    this.namespaces = init.namespaces;
    this.maxSkew = init.maxSkew;
    this.minDomains = init.minDomains;
    this.nodeFilter = init.nodeFilter;
  }

  register(domain: string): void {
    if (!this.counts.has(domain)) this.counts.set(domain, 0);
  }

  record(domain: string): void {
    this.counts.set(domain, (this.counts.get(domain) ?? 0) + 1);
    this.#recorded += 1;
  }

  selects(namespace: string, labels: Readonly<Record<string, string>>): boolean {
    return (this.namespaces === undefined || this.namespaces.has(namespace)) && this.selector.matches(labels);
  }

  /** Whether pods on this node count for the group (`TopologyNodeFilter.Matches`). */
  countsOn(node: NodeView): boolean {
    const filter = this.nodeFilter;
    if (filter === undefined) return true;
    if (filter.alternatives !== undefined && !filter.alternatives.some((alt) => node.requirements.intersects(alt))) {
      return false;
    }
    return filter.tolerations === undefined || untoleratedTaints(filter.tolerations, node.taints).length === 0;
  }

  /**
   * The domains a pod may take on this node (`TopologyGroup.Get`); empty when none. `selfSelecting`: the group
   * counts the pod itself. `pod` is the pod's current requirements.
   */
  nextDomains(selfSelecting: boolean, pod: RequirementSet, node: NodeView): string[] {
    const key = this.topologyKey;
    if (key === LABEL_HOSTNAME) return this.#nextHostname(selfSelecting, pod, node.hostname);
    const candidates = [...this.counts.keys()].filter((d) => pod.allows(key, d) && node.requirements.allows(key, d));
    switch (this.kind) {
      case "spread":
        return this.#nextSpread(selfSelecting, pod, candidates);
      case "affinity": {
        const populated = candidates.filter((d) => (this.counts.get(d) ?? 0) > 0);
        if (populated.length > 0) return populated;
        // The first of a self-selecting group (or one whose pods are all where it cannot go) picks a domain.
        if (selfSelecting && !this.#anyPopulated(pod)) return candidates.sort().slice(0, 1);
        return [];
      }
      case "anti-affinity":
        return candidates.filter((d) => (this.counts.get(d) ?? 0) === 0);
    }
  }

  #nextHostname(selfSelecting: boolean, pod: RequirementSet, hostname: string): string[] {
    const count = this.counts.get(hostname) ?? 0;
    switch (this.kind) {
      case "spread":
        return count + (selfSelecting ? 1 : 0) <= this.maxSkew ? [hostname] : [];
      case "affinity":
        if (!pod.allows(LABEL_HOSTNAME, hostname)) return [];
        if (count > 0) return [hostname];
        return selfSelecting && (this.#recorded === 0 || !this.#anyPopulated(pod)) ? [hostname] : [];
      case "anti-affinity":
        return count === 0 ? [hostname] : [];
    }
  }

  // nextDomainTopologySpread: 'existing matching' + 'self-match' − 'global minimum' ≤ maxSkew, least loaded first.
  #nextSpread(selfSelecting: boolean, pod: RequirementSet, candidates: readonly string[]): string[] {
    const min = this.#minCount(pod);
    let best: string | undefined;
    let bestCount = Number.POSITIVE_INFINITY;
    for (const domain of candidates) {
      const count = (this.counts.get(domain) ?? 0) + (selfSelecting ? 1 : 0);
      if (count - min > this.maxSkew) continue;
      if (count < bestCount || (count === bestCount && best !== undefined && domain < best)) {
        best = domain;
        bestCount = count;
      }
    }
    return best === undefined ? [] : [best];
  }

  // domainMinCount: the least count over the domains the pod may use; zero while fewer than minDomains exist.
  #minCount(pod: RequirementSet): number {
    let min = Number.POSITIVE_INFINITY;
    let domains = 0;
    for (const [domain, count] of this.counts) {
      if (!pod.allows(this.topologyKey, domain)) continue;
      domains += 1;
      if (count < min) min = count;
    }
    if (this.minDomains !== undefined && domains < this.minDomains) return 0;
    return min === Number.POSITIVE_INFINITY ? 0 : min;
  }

  #anyPopulated(pod: RequirementSet): boolean {
    for (const [domain, count] of this.counts) if (count > 0 && pod.allows(this.topologyKey, domain)) return true;
    return false;
  }
}
