/**
 * The plain core/v1 (and a few apps/v1, storage/v1) object shapes the simulated world's scheduler reads, as JSON
 * gives them: only the fields kube-scheduler's default plugins look at. Quantities stay as written ("500m", 2) and
 * are parsed where they are used, so a bad one is reported with the object and field it came from.
 *
 * sim/ defines these itself (it may import only api/ and runtime/): the world's scheduler must not share the
 * controller's scheduling vocabulary, so that a provisioning bug shows as a pod that stays pending.
 */

/** A resource.Quantity as written in a manifest: "500m", "1Gi", 2. */
export type QuantityValue = string | number;

/** core/v1 ResourceList: resource name → quantity. */
export type ResourceList = Record<string, QuantityValue>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** Empty or missing for cluster-scoped objects. The API server always sets it on pods. */
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  /** Set while the object is being deleted; a terminating pod still holds its node's resources. */
  deletionTimestamp?: string;
}

export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** metav1.LabelSelector: a missing selector selects nothing, an empty one everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type NodeSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  /** Missing or empty means Equal. */
  operator?: "Equal" | "Exists" | "";
  value?: string;
  /** Missing or empty: every effect. */
  effect?: TaintEffect | "";
  tolerationSeconds?: number;
}

export type NodeInclusionPolicy = "Honor" | "Ignore";

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: NodeInclusionPolicy;
  nodeTaintsPolicy?: NodeInclusionPolicy;
  matchLabelKeys?: string[];
}

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface Container {
  name: string;
  image?: string;
  resources?: ResourceRequirements;
  /** "Always" on an init container makes it a sidecar (restartable init container). */
  restartPolicy?: "Always";
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

export interface PodSpec {
  nodeName?: string;
  schedulerName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  containers: Container[];
  initContainers?: Container[];
  /** Pod-level requests (PodLevelResources, beta and on by default since 1.34). */
  resources?: ResourceRequirements;
  /** Set by the RuntimeClass admission controller. */
  overhead?: ResourceList;
  /** Resolved from priorityClassName by the Priority admission controller; missing is 0. */
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
  volumes?: Volume[];
}

export interface PodCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions?: PodCondition[];
  nominatedNodeName?: string;
}

export interface Pod {
  apiVersion?: "v1";
  kind?: "Pod";
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: PodStatus;
}

export interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
}

export interface Node {
  apiVersion?: "v1";
  kind?: "Node";
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: Taint[]; providerID?: string };
  status?: { capacity?: ResourceList; allocatable?: ResourceList; conditions?: NodeCondition[] };
}

export interface Namespace {
  metadata: ObjectMeta;
}

export interface PersistentVolumeClaim {
  metadata: ObjectMeta;
  spec: { volumeName?: string; storageClassName?: string | null; resources?: ResourceRequirements };
}

export interface PersistentVolume {
  metadata: ObjectMeta;
  spec?: { storageClassName?: string; nodeAffinity?: { required?: NodeSelector } };
}

export interface StorageClass {
  metadata: ObjectMeta;
  provisioner?: string;
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
}

/** A Service, as far as default topology spreading reads one: its selector. */
export interface Service {
  metadata: ObjectMeta;
  spec?: { selector?: Record<string, string> };
}

/** A ReplicationController's selector is a plain label map. */
export interface ReplicationController {
  metadata: ObjectMeta;
  spec?: { selector?: Record<string, string> };
}

/** ReplicaSets and StatefulSets, as far as default topology spreading reads them: their selector. */
export interface ReplicaSet {
  metadata: ObjectMeta;
  spec: { selector: LabelSelector };
}

export interface StatefulSet {
  metadata: ObjectMeta;
  spec: { selector: LabelSelector };
}

/** An object's namespace as the scheduler compares it: missing is "" (the API server always sets it on pods). */
export function namespaceOf(object: { metadata: ObjectMeta }): string {
  return object.metadata.namespace ?? "";
}
