/**
 * One node of cluster state (Karpenter's `StateNode`, core:pkg/controllers/state/statenode.go): a Node, a NodeClaim,
 * or both once the claim's instance has registered, with what scheduling and disruption need of it — labels, the
 * taints scheduling sees, capacity and allocatable, the pods bound to it and those nominated to it, and what they
 * request. Before a node registers its resources are the NodeClaim's (its status as launched, else its instance
 * type's); until it has initialized, the NodeClaim's allocatable is used too, since a new node reports extended
 * resources late.
 */
import type { Node, NodeClaim, Pod } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/nodepool-template.ts";
import { addResources, parseResourceList, type ResourceList, type Taint } from "../../scheduling/index.ts";
import { schedulingTaints } from "./ephemeral-taints.ts";
import { CONDITION_INITIALIZED, isConditionTrue } from "./nodeclaim-conditions.ts";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export interface StateNode {
  /** The NodeClaim's name when there is one (it outlives the Node's appearance), else the Node's. */
  readonly key: string;
  readonly node: Node | undefined;
  readonly nodeClaim: NodeClaim | undefined;
  readonly nodePool: string | undefined;
  readonly providerID: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** What scheduling sees: ephemeral and startup taints left out until initialized; a cordon as its taint. */
  readonly taints: readonly Taint[];
  readonly capacity: ResourceList;
  readonly allocatable: ResourceList;
  /** Bound, not finished. */
  readonly pods: readonly Pod[];
  /** Pending pods nominated to it, not yet bound. */
  readonly nominatedPods: readonly Pod[];
  /** Bound and nominated pods' requests (for a claim not yet registered: its own requests, pods and daemonsets). */
  readonly requested: ResourceList;
  readonly initialized: boolean;
  /** Being deleted (either object): no new pods go there. */
  readonly markedForDeletion: boolean;
}

export interface StateNodeInput {
  readonly node: Node | undefined;
  readonly nodeClaim: NodeClaim | undefined;
  readonly pods: readonly Pod[];
  readonly nominatedPods: readonly Pod[];
  /** Those of `nominatedPods` the NodeClaim was not created for: its own requests do not count them. */
  readonly nominatedAfterCreation: readonly Pod[];
  /** The pods' requests (pod-requests.ts), passed in so unreadable specs are handled once, by the caller. */
  readonly requestsOf: (pod: Pod) => ResourceList;
  /** The instance type a launched NodeClaim runs, for one whose status has no allocatable. */
  readonly instanceType: InstanceType | undefined;
}

export function stateNode(input: StateNodeInput): StateNode {
  const { node, nodeClaim } = input;
  const key = nodeClaim?.metadata.name ?? node?.metadata.name ?? "";
  const initialized = nodeClaim === undefined ? node !== undefined : isConditionTrue(nodeClaim, CONDITION_INITIALIZED);
  const labels = { ...claimLabels(nodeClaim), ...(node?.metadata.labels ?? {}) };
  labels[LABEL_HOSTNAME] ??= key;
  const raw = node?.spec?.taints ?? (nodeClaim?.spec.taints as Taint[] | undefined) ?? [];
  const startup = (nodeClaim?.spec.startupTaints ?? []) as Taint[];
  const taints = initialized ? [...raw] : schedulingTaints(raw as Taint[], startup);
  if (node?.spec?.unschedulable === true) taints.push(UNSCHEDULABLE_TAINT);
  const claimResources = (field: "capacity" | "allocatable"): ResourceList | undefined => {
    const status = nodeClaim?.status?.[field];
    if (status !== undefined) return parseResourceList(status, `NodeClaim ${key} status.${field}`);
    if (input.instanceType === undefined) return undefined;
    return field === "capacity" ? input.instanceType.capacity : input.instanceType.allocatable();
  };
  const nodeResources = (field: "capacity" | "allocatable"): ResourceList | undefined => {
    const status = node?.status?.[field];
    return status === undefined ? undefined : parseResourceList(status, `node ${node?.metadata.name} status.${field}`);
  };
  const pick = (field: "capacity" | "allocatable"): ResourceList =>
    (initialized || nodeClaim === undefined
      ? (nodeResources(field) ?? claimResources(field))
      : (claimResources(field) ?? nodeResources(field))) ?? {};
  const boundRequests = addResources(...[...input.pods, ...input.nominatedPods].map(input.requestsOf));
  // A claim whose node has not registered carries its daemonsets only in its own requests.
  const ownRequests =
    node === undefined && nodeClaim?.spec.resources?.requests !== undefined
      ? parseResourceList(nodeClaim.spec.resources.requests, `NodeClaim ${key} spec.resources.requests`)
      : undefined;
  return {
    key,
    node,
    nodeClaim,
    nodePool: nodeClaim?.metadata.labels?.[LABEL_NODE_POOL] ?? node?.metadata.labels?.[LABEL_NODE_POOL],
    providerID: nodeClaim?.status?.providerID ?? node?.spec?.providerID,
    labels,
    taints,
    capacity: pick("capacity"),
    allocatable: pick("allocatable"),
    pods: input.pods,
    nominatedPods: input.nominatedPods,
    requested:
      ownRequests === undefined
        ? boundRequests
        : addResources(ownRequests, ...input.nominatedAfterCreation.map(input.requestsOf)),
    initialized,
    markedForDeletion: Boolean(node?.metadata.deletionTimestamp ?? nodeClaim?.metadata.deletionTimestamp),
  };
}

/** The claim's labels with each requirement that pins one value (Karpenter's in-flight node labels). */
function claimLabels(nodeClaim: NodeClaim | undefined): Record<string, string> {
  if (nodeClaim === undefined) return {};
  const pinned = nodeClaim.spec.requirements.flatMap((r) =>
    r.operator === "In" && r.values?.length === 1 && r.values[0] !== undefined ? [[r.key, r.values[0]] as const] : [],
  );
  return { ...Object.fromEntries(pinned), ...(nodeClaim.metadata.labels ?? {}) };
}

export function podKeyOf(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? "?"}`;
}
