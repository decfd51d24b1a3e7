// Builders that mirror kube-scheduler's test wrappers (kubernetes/kubernetes pkg/scheduler/testing/wrappers.go,
// `st.MakePod()`, `st.MakeNode()`, `st.MakeLabelSelector()`), so that the ported tables read like the Go ones
// and say the same thing: e.g. MakeNode() gives a node 32 allocatable pods, Req() adds a container with requests.
import type {
  LabelSelector,
  Node,
  NodeInclusionPolicy,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodAffinity,
  PodAffinityTerm,
  ResourceList,
  Taint,
  TopologySpreadConstraint,
} from "../../../../sim/world/objects.ts";

export class LabelSelectorWrapper {
  readonly #selector: LabelSelector = {};
  label(key: string, value: string): this {
    this.#selector.matchLabels = { ...this.#selector.matchLabels, [key]: value };
    return this;
  }
  in(key: string, values: string[]): this {
    return this.#expression({ key, operator: "In", values });
  }
  notIn(key: string, values: string[]): this {
    return this.#expression({ key, operator: "NotIn", values });
  }
  exists(key: string): this {
    return this.#expression({ key, operator: "Exists" });
  }
  notExist(key: string): this {
    return this.#expression({ key, operator: "DoesNotExist" });
  }
  #expression(expression: NonNullable<LabelSelector["matchExpressions"]>[number]): this {
    this.#selector.matchExpressions = [...(this.#selector.matchExpressions ?? []), expression];
    return this;
  }
  obj(): LabelSelector {
    return structuredClone(this.#selector);
  }
}

export const makeLabelSelector = () => new LabelSelectorWrapper();

/** st.PodAffinityKind. */
export type PodAffinityKind =
  | "Nil"
  | "PodAffinityWithRequiredReq"
  | "PodAffinityWithPreferredReq"
  | "PodAffinityWithRequiredPreferredReq"
  | "PodAntiAffinityWithRequiredReq"
  | "PodAntiAffinityWithPreferredReq"
  | "PodAntiAffinityWithRequiredPreferredReq";

export class PodWrapper {
  readonly #pod: Pod = { metadata: { name: "" }, spec: { containers: [] } };

  name(name: string): this {
    this.#pod.metadata.name = name;
    return this;
  }
  uid(uid: string): this {
    this.#pod.metadata.uid = uid;
    return this;
  }
  namespace(namespace: string): this {
    this.#pod.metadata.namespace = namespace;
    return this;
  }
  node(name: string): this {
    this.#pod.spec.nodeName = name;
    return this;
  }
  label(key: string, value: string): this {
    this.#pod.metadata.labels = { ...this.#pod.metadata.labels, [key]: value };
    return this;
  }
  labels(labels: Record<string, string>): this {
    for (const [key, value] of Object.entries(labels)) this.label(key, value);
    return this;
  }
  nodeSelector(selector: Record<string, string>): this {
    this.#pod.spec.nodeSelector = selector;
    return this;
  }
  nodeAffinityIn(key: string, values: string[]): this {
    return this.#requiredNodeAffinity({ key, operator: "In", values });
  }
  nodeAffinityNotIn(key: string, values: string[]): this {
    return this.#requiredNodeAffinity({ key, operator: "NotIn", values });
  }
  #requiredNodeAffinity(expression: { key: string; operator: "In" | "NotIn"; values: string[] }): this {
    const affinity = (this.#pod.spec.affinity ??= {});
    const nodeAffinity = (affinity.nodeAffinity ??= {});
    nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
      nodeSelectorTerms: [{ matchExpressions: [expression] }],
    };
    return this;
  }
  /** A toleration with the operator Exists. */
  toleration(key: string): this {
    this.#pod.spec.tolerations = [...(this.#pod.spec.tolerations ?? []), { key, operator: "Exists" }];
    return this;
  }
  spreadConstraint(
    maxSkew: number,
    topologyKey: string,
    whenUnsatisfiable: TopologySpreadConstraint["whenUnsatisfiable"],
    labelSelector: LabelSelector | undefined,
    minDomains?: number,
    nodeAffinityPolicy?: NodeInclusionPolicy,
    nodeTaintsPolicy?: NodeInclusionPolicy,
    matchLabelKeys?: string[],
  ): this {
    const constraint: TopologySpreadConstraint = { maxSkew, topologyKey, whenUnsatisfiable };
    if (labelSelector !== undefined) constraint.labelSelector = labelSelector;
    if (minDomains !== undefined) constraint.minDomains = minDomains;
    if (nodeAffinityPolicy !== undefined) constraint.nodeAffinityPolicy = nodeAffinityPolicy;
    if (nodeTaintsPolicy !== undefined) constraint.nodeTaintsPolicy = nodeTaintsPolicy;
    if (matchLabelKeys !== undefined) constraint.matchLabelKeys = matchLabelKeys;
    this.#pod.spec.topologySpreadConstraints = [...(this.#pod.spec.topologySpreadConstraints ?? []), constraint];
    return this;
  }
  podAffinity(topologyKey: string, labelSelector: LabelSelector | undefined, kind: PodAffinityKind): this {
    return this.#affinity("podAffinity", topologyKey, labelSelector, kind);
  }
  podAntiAffinity(topologyKey: string, labelSelector: LabelSelector | undefined, kind: PodAffinityKind): this {
    return this.#affinity("podAntiAffinity", topologyKey, labelSelector, kind);
  }
  podAffinityExists(labelKey: string, topologyKey: string, kind: PodAffinityKind): this {
    return this.podAffinity(topologyKey, makeLabelSelector().exists(labelKey).obj(), kind);
  }
  podAntiAffinityExists(labelKey: string, topologyKey: string, kind: PodAffinityKind): this {
    return this.podAntiAffinity(topologyKey, makeLabelSelector().exists(labelKey).obj(), kind);
  }
  podAffinityNotExists(labelKey: string, topologyKey: string, kind: PodAffinityKind): this {
    return this.podAffinity(topologyKey, makeLabelSelector().notExist(labelKey).obj(), kind);
  }
  podAffinityIn(labelKey: string, topologyKey: string, values: string[], kind: PodAffinityKind): this {
    return this.podAffinity(topologyKey, makeLabelSelector().in(labelKey, values).obj(), kind);
  }
  podAntiAffinityIn(labelKey: string, topologyKey: string, values: string[], kind: PodAffinityKind): this {
    return this.podAntiAffinity(topologyKey, makeLabelSelector().in(labelKey, values).obj(), kind);
  }
  podAffinityNotIn(labelKey: string, topologyKey: string, values: string[], kind: PodAffinityKind): this {
    return this.podAffinity(topologyKey, makeLabelSelector().notIn(labelKey, values).obj(), kind);
  }
  /** st.PodWrapper.PodAffinity / PodAntiAffinity: preferred terms get weight 1. */
  #affinity(
    field: "podAffinity" | "podAntiAffinity",
    topologyKey: string,
    labelSelector: LabelSelector | undefined,
    kind: PodAffinityKind,
  ): this {
    if (kind === "Nil") return this;
    const affinity = (this.#pod.spec.affinity ??= {});
    const target: PodAffinity = (affinity[field] ??= {});
    const term: PodAffinityTerm = { topologyKey };
    if (labelSelector !== undefined) term.labelSelector = labelSelector;
    const anti = field === "podAntiAffinity";
    const required = kind === (anti ? "PodAntiAffinityWithRequiredReq" : "PodAffinityWithRequiredReq");
    const preferred = kind === (anti ? "PodAntiAffinityWithPreferredReq" : "PodAffinityWithPreferredReq");
    const both = kind === (anti ? "PodAntiAffinityWithRequiredPreferredReq" : "PodAffinityWithRequiredPreferredReq");
    if (required || both) {
      target.requiredDuringSchedulingIgnoredDuringExecution = [
        ...(target.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        structuredClone(term),
      ];
    }
    if (preferred || both) {
      target.preferredDuringSchedulingIgnoredDuringExecution = [
        ...(target.preferredDuringSchedulingIgnoredDuringExecution ?? []),
        { weight: 1, podAffinityTerm: structuredClone(term) },
      ];
    }
    return this;
  }
  /** A container with these requests. */
  req(requests: ResourceList): this {
    if (Object.keys(requests).length === 0) return this;
    const name = `con${this.#pod.spec.containers.length}`;
    this.#pod.spec.containers.push({ name, resources: { requests: { ...requests } } });
    return this;
  }
  /** A container with these requests and limits. */
  res(resources: ResourceList): this {
    if (Object.keys(resources).length === 0) return this;
    const name = `con${this.#pod.spec.containers.length}`;
    this.#pod.spec.containers.push({ name, resources: { requests: { ...resources }, limits: { ...resources } } });
    return this;
  }
  /** An init container with these requests and limits; `sidecar` makes it restartable. */
  initReq(resources: ResourceList, sidecar = false): this {
    if (Object.keys(resources).length === 0) return this;
    const initContainers = (this.#pod.spec.initContainers ??= []);
    const container = {
      name: `init-con${initContainers.length}`,
      resources: { requests: { ...resources }, limits: { ...resources } },
    };
    initContainers.push(sidecar ? { ...container, restartPolicy: "Always" as const } : container);
    return this;
  }
  overhead(overhead: ResourceList): this {
    this.#pod.spec.overhead = overhead;
    return this;
  }
  priority(priority: number): this {
    this.#pod.spec.priority = priority;
    return this;
  }
  preemptionPolicy(policy: "PreemptLowerPriority" | "Never"): this {
    this.#pod.spec.preemptionPolicy = policy;
    return this;
  }
  terminating(): this {
    this.#pod.metadata.deletionTimestamp = "2025-01-01T00:00:00Z";
    return this;
  }
  /** A volume backed by the PersistentVolumeClaim of that name. */
  pvc(name: string): this {
    this.#pod.spec.volumes = [...(this.#pod.spec.volumes ?? []), { name, persistentVolumeClaim: { claimName: name } }];
    return this;
  }
  ownerReference(name: string, apiVersion: string, kind: string): this {
    this.#pod.metadata.ownerReferences = [{ apiVersion, kind, name, controller: true }];
    return this;
  }
  obj(): Pod {
    return structuredClone(this.#pod);
  }
}

export const makePod = () => new PodWrapper();

export class NodeWrapper {
  readonly #node: Node = {
    metadata: { name: "" },
    spec: {},
    status: { capacity: { pods: "32" }, allocatable: { pods: "32" } },
  };

  name(name: string): this {
    this.#node.metadata.name = name;
    return this;
  }
  label(key: string, value: string): this {
    this.#node.metadata.labels = { ...this.#node.metadata.labels, [key]: value };
    return this;
  }
  /** Capacity and allocatable: 32 pods unless said otherwise, plus these. */
  capacity(resources: ResourceList): this {
    const list = { pods: "32", ...resources };
    this.#node.status = { capacity: { ...list }, allocatable: { ...list } };
    return this;
  }
  taints(taints: Taint[]): this {
    this.#node.spec = { ...this.#node.spec, taints };
    return this;
  }
  unschedulable(value: boolean): this {
    this.#node.spec = { ...this.#node.spec, unschedulable: value };
    return this;
  }
  obj(): Node {
    return structuredClone(this.#node);
  }
}

export const makeNode = () => new NodeWrapper();

export function makePVC(
  name: string,
  namespace: string,
  volumeName?: string,
  storageClassName?: string,
): PersistentVolumeClaim {
  const spec: PersistentVolumeClaim["spec"] = {};
  if (volumeName !== undefined) spec.volumeName = volumeName;
  if (storageClassName !== undefined) spec.storageClassName = storageClassName;
  return { metadata: { name, namespace }, spec };
}

export function makePV(name: string, labels: Record<string, string> = {}): PersistentVolume {
  return { metadata: { name, labels } };
}
