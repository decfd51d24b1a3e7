/**
 * The topology state of one scheduling run (Karpenter's `Topology`, core:pkg/controllers/provisioning/scheduling/
 * topology.go): the groups the pending pods' spreads and pod (anti-)affinity terms form, shared by pods that state
 * the same term, with the domains the pools and nodes offer and the pods already bound counted in; and the inverse
 * anti-affinity groups, which keep a pod out of the domains where some pod's required anti-affinity selects it.
 * `narrow` adds to a node's requirements the domains each group allows; `record` counts a placed pod.
 */
import { RequirementSet } from "../../scheduling/index.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import { type PodAffinityTerm, podAffinityTerms } from "./pod-topology-terms.ts";
import type { LeaveOut } from "./existing-list.ts";
import type { ListedPool } from "./pool-list.ts";
import type { BoundPod, ExistingCapacity } from "./snapshot.ts";
import {
  LABEL_HOSTNAME,
  type NodeFilter,
  type NodeView,
  TopologyGroup,
  type TopologyGroupInit,
  type TopologyGroupKind,
} from "./topology-group.ts";

export interface TopologyInput {
  readonly pools: readonly ListedPool[];
  readonly existing: readonly ExistingCapacity[];
  /** Existing nodes the run leaves out, as if `existing` did not list them. */
  readonly leaveOut?: LeaveOut | undefined;
  readonly boundPods: readonly BoundPod[];
  /** Namespace name → its labels, for terms with a namespaceSelector. */
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The group that allowed no domain, for the explanation. */
export interface TopologyViolation {
  readonly group: TopologyGroup;
  /** The pod's own term, or undefined when another pod's anti-affinity keeps it out. */
  readonly inverse: boolean;
}

const EMPTY = RequirementSet.fromRequirements([]);

export class Topology {
  readonly #input: TopologyInput;
  readonly #groups = new Map<string, TopologyGroup>();
  readonly #inverse = new Map<string, TopologyGroup>();
  readonly #owned = new Map<string, TopologyGroup[]>();
  readonly #inverseOwned = new Map<string, TopologyGroup[]>();
  readonly #universe = new Map<string, readonly string[]>();
  // Per pod: the groups that select it and the inverse groups that select it, with the group counts they were
  // worked out for (groups are only ever added, so a changed count means the list may be stale).
  readonly #selecting = new Map<string, { readonly size: number; readonly groups: TopologyGroup[] }>();
  readonly #inverseSelecting = new Map<string, { readonly size: number; readonly groups: TopologyGroup[] }>();
  readonly #ids = new Map<TopologyGroup, number>();

  constructor(input: TopologyInput, pods: readonly PodConstraints[]) {
    this.#input = input;
    for (const pod of pods) this.update(pod);
    for (const { pod, node } of input.boundPods) {
      const view = this.existingView(node);
      if (view === undefined) continue;
      let terms: PodAffinityTerm[];
      try {
        terms = podAffinityTerms(pod.spec ?? {}, "");
      } catch {
        continue; // a bound pod the API server admitted; one we cannot read constrains nothing here
      }
      const namespace = pod.metadata.namespace ?? "default";
      for (const term of terms.filter((t) => t.kind === "anti-affinity" && t.weight === undefined)) {
        const group = this.#inverseGroup(term, namespace);
        for (const domain of this.#domainsOf(view, term.topologyKey)) group.record(domain);
      }
    }
  }

  /** The view of an existing node by name; undefined for one the run leaves out. */
  existingView(name: string): NodeView | undefined {
    if (this.#input.leaveOut?.has(name) === true) return undefined;
    return viewsByName(this.#input.existing).get(name);
  }

  /** (Re)builds the groups a pod owns, after it is read or relaxed (`Topology.Update`). */
  update(pod: PodConstraints): void {
    const owned: TopologyGroup[] = [];
    for (const spread of pod.spreads) {
      const filter: NodeFilter = {
        canonical: `${spread.nodeAffinityPolicy === "Honor" ? pod.required.map(String).join("|") : "*"}#${
          spread.nodeTaintsPolicy === "Honor" ? JSON.stringify(pod.tolerations) : "*"
        }`,
        alternatives: spread.nodeAffinityPolicy === "Honor" ? pod.required : undefined,
        tolerations: spread.nodeTaintsPolicy === "Honor" ? pod.tolerations : undefined,
      };
      owned.push(
        this.#group(this.#groups, {
          kind: "spread",
          topologyKey: spread.topologyKey,
          selector: spread.selector,
          namespaces: new Set([pod.namespace]),
          maxSkew: spread.maxSkew,
          minDomains: spread.minDomains,
          nodeFilter: filter,
        }),
      );
    }
    const inverse: TopologyGroup[] = [];
    for (const term of pod.affinityTerms) {
      const namespaces = this.#namespaces(term, pod.namespace);
      owned.push(this.#group(this.#groups, affinityGroupInit(term, term.kind, namespaces)));
      // Only required anti-affinity keeps other pods away (Karpenter does not track inverse preferences).
      if (term.kind === "anti-affinity" && term.weight === undefined)
        inverse.push(this.#inverseGroup(term, pod.namespace));
    }
    this.#owned.set(pod.key, owned);
    this.#inverseOwned.set(pod.key, inverse);
  }

  /**
   * Whether a hostname group rules the node out before anything else is asked: the pod's own hostname
   * anti-affinity or spread, or another pod's hostname anti-affinity that selects it. The same rule as
   * `nextDomains` for hostname, asked first because it is a map lookup and most NodeClaims fail it for such pods.
   */
  hostnameBlocked(pod: PodConstraints, hostname: string): boolean {
    for (const group of this.#owned.get(pod.key) ?? []) {
      if (group.topologyKey !== LABEL_HOSTNAME || group.kind === "affinity") continue;
      if (
        group.nextDomains(group.selects(pod.namespace, pod.labels), EMPTY, {
          requirements: EMPTY,
          hostname,
          taints: [],
        }).length === 0
      ) {
        return true;
      }
    }
    for (const group of this.#selectingOf(pod, this.#inverse, this.#inverseSelecting)) {
      if (group.topologyKey === LABEL_HOSTNAME && (group.counts.get(hostname) ?? 0) > 0) return true;
    }
    return false;
  }

  /** Whether any group counts the pod (a spread or affinity term selects it) or keeps it out (anti-affinity). */
  selectsAny(pod: PodConstraints): boolean {
    return (
      this.#selectingOf(pod, this.#groups, this.#selecting).length > 0 ||
      this.#selectingOf(pod, this.#inverse, this.#inverseSelecting).length > 0
    );
  }

  /**
   * What `hostnameBlocked` asks of a pod, as a string: two pods with the same one are blocked from the same
   * hostnames (claim-shortlists.ts groups pods by it).
   */
  hostnameSignature(pod: PodConstraints): string {
    const parts: string[] = [];
    for (const group of this.#owned.get(pod.key) ?? []) {
      if (group.topologyKey !== LABEL_HOSTNAME || group.kind === "affinity") continue;
      parts.push(`${this.#idOf(group)}${group.selects(pod.namespace, pod.labels) ? "+" : ""}`);
    }
    parts.push("/");
    for (const group of this.#selectingOf(pod, this.#inverse, this.#inverseSelecting)) {
      if (group.topologyKey === LABEL_HOSTNAME) parts.push(String(this.#idOf(group)));
    }
    return parts.join(",");
  }

  #idOf(group: TopologyGroup): number {
    let id = this.#ids.get(group);
    if (id === undefined) this.#ids.set(group, (id = this.#ids.size));
    return id;
  }

  /**
   * The node's requirements narrowed to the domains every group the pod is subject to allows, or the group that
   * allows none (`Topology.AddRequirements`). Each group sees the narrowing of the ones before it, so two spreads
   * cannot pick different zones.
   */
  narrow(pod: PodConstraints, alternative: RequirementSet, node: NodeView): RequirementSet | TopologyViolation {
    let requirements = node.requirements;
    const groups = this.#owned.get(pod.key) ?? [];
    if (groups.length === 0 && this.#selectingOf(pod, this.#inverse, this.#inverseSelecting).length === 0) {
      return requirements;
    }
    const check = (group: TopologyGroup, inverse: boolean): TopologyViolation | undefined => {
      const selfSelecting = !inverse && group.selects(pod.namespace, pod.labels);
      const view = requirements === node.requirements ? node : { ...node, requirements };
      const found = group.nextDomains(selfSelecting, alternative, view);
      if (found.length === 0) return { group, inverse };
      // An anti-affinity owner is pinned to one empty domain: Karpenter leaves it open and so blocks every empty
      // domain for the pods it selects (its "Schrödinger" test); pinning lets them use the others.
      const domains = !inverse && group.kind === "anti-affinity" ? found.slice(0, 1) : found;
      if (group.topologyKey === LABEL_HOSTNAME) return undefined;
      const allowed = requirements.valuesFor(group.topologyKey);
      if (allowed.complement || allowed.values.length !== domains.length) {
        requirements = requirements.intersection(
          RequirementSet.fromRequirements([{ key: group.topologyKey, operator: "In", values: domains }]),
        );
      }
      return undefined;
    };
    for (const group of groups) {
      this.#registerDomains(group);
      const violation = check(group, false);
      if (violation !== undefined) return violation;
    }
    for (const group of this.#selectingOf(pod, this.#inverse, this.#inverseSelecting)) {
      this.#registerDomains(group);
      const violation = check(group, true);
      if (violation !== undefined) return violation;
    }
    return requirements;
  }

  /** Counts a placed pod in every group that selects it, and its own anti-affinity where it landed (`Record`). */
  record(pod: PodConstraints, node: NodeView): void {
    for (const group of this.#selectingOf(pod, this.#groups, this.#selecting)) {
      if (!group.countsOn(node)) continue;
      const domains = this.#domainsOf(node, group.topologyKey);
      // Anti-affinity blocks every domain the pod might land in; the others count only a known domain.
      if (group.kind === "anti-affinity") for (const d of domains) group.record(d);
      else if (domains.length === 1) group.record(domains[0] as string);
    }
    for (const group of this.#inverseOwned.get(pod.key) ?? []) {
      for (const d of this.#domainsOf(node, group.topologyKey)) group.record(d);
    }
  }

  #selectingOf(
    pod: PodConstraints,
    groups: ReadonlyMap<string, TopologyGroup>,
    cache: Map<string, { readonly size: number; readonly groups: TopologyGroup[] }>,
  ): readonly TopologyGroup[] {
    const cached = cache.get(pod.key);
    if (cached !== undefined && cached.size === groups.size) return cached.groups;
    const selecting = [...groups.values()].filter((g) => g.selects(pod.namespace, pod.labels));
    cache.set(pod.key, { size: groups.size, groups: selecting });
    return selecting;
  }

  #group(into: Map<string, TopologyGroup>, init: TopologyGroupInit): TopologyGroup {
    const id = [
      init.kind,
      init.topologyKey,
      init.namespaces === undefined ? "*" : [...init.namespaces].sort().join(","),
      init.maxSkew,
      init.minDomains ?? "",
      init.selector.canonical,
      init.nodeFilter?.canonical ?? "",
    ].join("\u0000");
    const found = into.get(id);
    if (found !== undefined) return found;
    const group = new TopologyGroup(init);
    into.set(id, group);
    this.#countBound(group);
    return group;
  }

  #inverseGroup(term: PodAffinityTerm, namespace: string): TopologyGroup {
    const namespaces = this.#namespaces(term, namespace);
    const id = [
      term.topologyKey,
      namespaces === undefined ? "*" : [...namespaces].sort().join(","),
      term.selector.canonical,
    ].join("\u0000");
    let group = this.#inverse.get(id);
    if (group === undefined) {
      group = new TopologyGroup(affinityGroupInit(term, "anti-affinity", namespaces));
      this.#inverse.set(id, group);
    }
    return group;
  }

  // buildNamespaceList: the pod's own namespace unless namespaces or a namespace selector are given.
  #namespaces(term: PodAffinityTerm, own: string): ReadonlySet<string> | undefined {
    if (term.namespaces.length === 0 && term.namespaceSelector === undefined) return new Set([own]);
    if (term.namespaceSelector?.canonical === "") return undefined; // `{}` selects every namespace
    const selected = new Set(term.namespaces);
    if (term.namespaceSelector !== undefined) {
      for (const [name, labels] of Object.entries(this.#input.namespaceLabels)) {
        if (term.namespaceSelector.matches(labels)) selected.add(name);
      }
    }
    return selected;
  }

  // countDomains: the domains nodes and pools offer, and the bound pods the group selects, where they run.
  #countBound(group: TopologyGroup): void {
    this.#registerDomains(group);
    const leaveOut = this.#input.leaveOut;
    for (const [name, view] of viewsByName(this.#input.existing)) {
      if (leaveOut?.has(name) === true || !group.countsOn(view)) continue;
      for (const d of this.#domainsOf(view, group.topologyKey)) group.register(d);
    }
    for (const { pod, node } of this.#input.boundPods) {
      const view = this.existingView(node);
      if (view === undefined || !group.countsOn(view)) continue;
      if (!group.selects(pod.metadata.namespace ?? "default", pod.metadata.labels ?? {})) continue;
      for (const d of this.#domainsOf(view, group.topologyKey)) group.record(d);
    }
  }

  #registerDomains(group: TopologyGroup): void {
    if (group.topologyKey === LABEL_HOSTNAME) return;
    for (const d of this.#universeOf(group.topologyKey)) group.register(d);
  }

  // The values the pools' instance types and offerings give a key (Karpenter's domain groups); existing nodes'
  // domains are registered per group, through its node filter.
  #universeOf(key: string): readonly string[] {
    let domains = this.#universe.get(key);
    if (domains === undefined) {
      const found = new Set<string>();
      for (const pool of this.#input.pools) {
        for (const it of pool.instanceTypes) {
          const sources = [it.requirements, ...[...it.offerings].map((o) => o.requirements)];
          for (const source of sources) {
            const allowed = source.valuesFor(key);
            if (allowed.complement) continue;
            for (const value of allowed.values) if (pool.template.requirements.allows(key, value)) found.add(value);
          }
        }
      }
      domains = [...found].sort();
      this.#universe.set(key, domains);
    }
    return domains;
  }

  #domainsOf(node: NodeView, key: string): readonly string[] {
    if (key === LABEL_HOSTNAME) return [node.hostname];
    if (node.labels !== undefined) {
      const value = node.labels[key];
      return value === undefined ? [] : [value];
    }
    const allowed = node.requirements.valuesFor(key);
    if (!allowed.complement) return allowed.values;
    return this.#universeOf(key).filter((d) => node.requirements.allows(key, d));
  }
}

// Affinity groups have no skew or node filter: any count is allowed where the rule allows the domain.
function affinityGroupInit(
  term: PodAffinityTerm,
  kind: TopologyGroupKind,
  namespaces: ReadonlySet<string> | undefined,
): TopologyGroupInit {
  return {
    kind,
    topologyKey: term.topologyKey,
    selector: term.selector,
    namespaces,
    maxSkew: Number.MAX_SAFE_INTEGER,
    minDomains: undefined,
    nodeFilter: undefined,
  };
}

// Per node, as the caller passes it: a disruption pass schedules thousands of times over the same nodes, and reading
// each node's labels into requirements is most of a run's set-up otherwise. Views are never written.
const views = new WeakMap<ExistingCapacity, NodeView>();

// Per list, as the caller passes it, made when first needed (bound pods, a group counting domains): a run whose pods
// state no topology reads none, and a disruption pass's runs share one.
const viewMaps = new WeakMap<readonly ExistingCapacity[], ReadonlyMap<string, NodeView>>();

function viewsByName(existing: readonly ExistingCapacity[]): ReadonlyMap<string, NodeView> {
  let found = viewMaps.get(existing);
  if (found === undefined) {
    found = new Map(existing.map((e) => [e.name, existingView(e)]));
    viewMaps.set(existing, found);
  }
  return found;
}

export function existingView(existing: ExistingCapacity): NodeView {
  let view = views.get(existing);
  if (view === undefined) {
    view = {
      requirements: RequirementSet.fromLabels(existing.labels),
      hostname: existing.labels[LABEL_HOSTNAME] ?? existing.name,
      taints: existing.taints,
      labels: existing.labels,
    };
    views.set(existing, view);
  }
  return view;
}
