/**
 * Cluster state, pure (Karpenter's `state.Cluster`, core:pkg/controllers/state/cluster.go, as one build rather
 * than a cache kept by events): Nodes and NodeClaims paired by provider ID into StateNodes, each with the pods
 * bound to it and those nominated to it; and from them the scheduler's ClusterSnapshot — the provisionable pods
 * not held by a nomination, the capacity of nodes and in-flight NodeClaims not being deleted, the DaemonSets.
 * Disruption reads the same StateNodes (per-node pods, NodeClaim metadata).
 */
import type { DaemonSet, Node, NodeClaim, Pod } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import type { ResourceList } from "../../scheduling/index.ts";
import { launchedPrice } from "../provisioning/hourly-cost.ts";
import { type HostPort, podHostPorts } from "../provisioning/host-ports.ts";
import { isProvisionable } from "../provisioning/provisionable.ts";
import { podRequests } from "../provisioning/pod-requests.ts";
import type { BoundPod, ClusterSnapshot, ExistingCapacity } from "../provisioning/snapshot.ts";
import { claimVolumeRequirements, type VolumeObjects } from "../provisioning/volume-topology.ts";
import { CONDITION_INITIALIZED, trueSince } from "./nodeclaim-conditions.ts";
import { DEFAULT_NOMINATION_WINDOW_MS, type Nomination } from "./nominations.ts";
import { podKeyOf, stateNode, type StateNode } from "./state-node.ts";

export interface ClusterStateInput {
  readonly nodes: readonly Node[];
  readonly nodeClaims: readonly NodeClaim[];
  readonly pods: readonly Pod[];
  readonly daemonSets: readonly DaemonSet[];
  readonly nominations: ReadonlyMap<string, Nomination>;
  /** The instance type a launched NodeClaim runs (by its labels), for one whose status has no allocatable. */
  readonly instanceTypeOf?: (nodeClaim: NodeClaim) => InstanceType | undefined;
  readonly now: Date;
  readonly nominationWindowMs?: number;
  /** PersistentVolumeClaims, PersistentVolumes and StorageClasses, for what pods' volumes require of their node. */
  readonly volumes?: VolumeObjects;
}

export interface ClusterState {
  readonly nodes: readonly StateNode[];
  readonly snapshot: ClusterSnapshot;
  /** Provisionable pods held by a nomination that still holds, and where to. */
  readonly nominated: ReadonlyMap<string, Nomination>;
  /** Pods whose nomination lapsed (its target gone, being deleted, or initialized past the window). */
  readonly lapsed: readonly string[];
  /** When the earliest nomination to an initialized target lapses, for a recheck; undefined when none will. */
  readonly nextLapse: Date | undefined;
}

const TERMINAL = new Set(["Succeeded", "Failed"]);

export function buildClusterState(input: ClusterStateInput): ClusterState {
  const window = input.nominationWindowMs ?? DEFAULT_NOMINATION_WINDOW_MS;
  const claimsByProvider = new Map<string, NodeClaim>();
  for (const claim of input.nodeClaims) {
    const id = claim.status?.providerID;
    if (id) claimsByProvider.set(id, claim);
  }
  const pairs: { node: Node | undefined; nodeClaim: NodeClaim | undefined }[] = [];
  const paired = new Set<NodeClaim>();
  for (const node of input.nodes) {
    const claim = node.spec?.providerID ? claimsByProvider.get(node.spec.providerID) : undefined;
    if (claim !== undefined) paired.add(claim);
    pairs.push({ node, nodeClaim: claim });
  }
  for (const claim of input.nodeClaims) if (!paired.has(claim)) pairs.push({ node: undefined, nodeClaim: claim });

  const keyOfNode = new Map<string, string>();
  for (const { node, nodeClaim } of pairs) {
    if (node?.metadata.name) keyOfNode.set(node.metadata.name, nodeClaim?.metadata.name ?? node.metadata.name);
  }
  const bound = new Map<string, Pod[]>();
  const pending: Pod[] = [];
  for (const pod of input.pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      if (TERMINAL.has(pod.status?.phase ?? "")) continue;
      const key = keyOfNode.get(nodeName);
      if (key !== undefined) bound.set(key, [...(bound.get(key) ?? []), pod]);
    } else if (isProvisionable(pod)) {
      pending.push(pod);
    }
  }

  const byKey = new Map(pairs.map((p) => [p.nodeClaim?.metadata.name ?? p.node?.metadata.name ?? "", p]));
  const nominated = new Map<string, Nomination>();
  const nominatedTo = new Map<string, Pod[]>();
  const lapsed: string[] = [];
  let nextLapse: number | undefined;
  const pendingPods: Pod[] = [];
  for (const pod of pending) {
    const key = podKeyOf(pod);
    const nomination = input.nominations.get(key);
    if (nomination === undefined) {
      pendingPods.push(pod);
      continue;
    }
    const target = byKey.get(nomination.target);
    const deleting = Boolean(target?.node?.metadata.deletionTimestamp ?? target?.nodeClaim?.metadata.deletionTimestamp);
    const initializedAt =
      target?.nodeClaim === undefined ? undefined : trueSince(target.nodeClaim, CONDITION_INITIALIZED);
    const lapsesAt = initializedAt === undefined ? undefined : initializedAt.getTime() + window;
    // A target the cache does not show yet is a create still on its way, for a while; then it is gone.
    const unseen = target === undefined && input.now.getTime() - nomination.at.getTime() >= window;
    if (unseen || deleting || (lapsesAt !== undefined && input.now.getTime() >= lapsesAt)) {
      lapsed.push(key);
      pendingPods.push(pod);
      continue;
    }
    if (lapsesAt !== undefined) nextLapse = Math.min(nextLapse ?? lapsesAt, lapsesAt);
    nominated.set(key, nomination);
    nominatedTo.set(nomination.target, [...(nominatedTo.get(nomination.target) ?? []), pod]);
  }

  const nodes = pairs.map(({ node, nodeClaim }) => {
    const key = nodeClaim?.metadata.name ?? node?.metadata.name ?? "";
    const nominatedPods = nominatedTo.get(key) ?? [];
    return stateNode({
      node,
      nodeClaim,
      pods: bound.get(key) ?? [],
      nominatedPods,
      nominatedAfterCreation: nominatedPods.filter((pod) => nominated.get(podKeyOf(pod))?.createdFor !== true),
      requestsOf: requestsOf,
      instanceType: nodeClaim === undefined ? undefined : input.instanceTypeOf?.(nodeClaim),
    });
  });
  const listed = nodes.filter((n) => !n.markedForDeletion && (n.node !== undefined || n.providerID !== undefined));
  const existing: ExistingCapacity[] = listed.map((n) => {
    const price =
      n.nodeClaim === undefined ? undefined : launchedPrice(typeList(input.instanceTypeOf?.(n.nodeClaim)), n.labels);
    return {
      name: n.key,
      nodePool: n.nodePool,
      labels: n.labels,
      taints: n.taints,
      capacity: n.capacity,
      allocatable: n.allocatable,
      requested: n.requested,
      hourlyPrice: price ?? 0,
      hostPorts: [...n.pods, ...n.nominatedPods].flatMap(hostPortsOf),
    };
  });
  // Topology counts the pods already placed: bound, or nominated to capacity still coming.
  const boundPods: BoundPod[] = listed.flatMap((n) =>
    [...n.pods, ...n.nominatedPods].map((pod) => ({ pod, node: n.key })),
  );
  const snapshot: ClusterSnapshot = {
    pendingPods,
    existing,
    daemonSets: input.daemonSets,
    boundPods,
    ...(input.volumes === undefined ? {} : { volumeRequirements: claimVolumeRequirements(input.volumes) }),
  };
  return {
    nodes,
    snapshot,
    nominated,
    lapsed,
    nextLapse: nextLapse === undefined ? undefined : new Date(nextLapse),
  };
}

function typeList(instanceType: InstanceType | undefined): InstanceType[] {
  return instanceType === undefined ? [] : [instanceType];
}

// A bound pod's ports as written; one whose ports cannot be read takes none (provisioning reports it when pending).
function hostPortsOf(pod: Pod): HostPort[] {
  try {
    return podHostPorts(pod.spec ?? {}, "");
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return [];
  }
}

// A pod whose requests cannot be read still takes a pod slot; provisioning reports its spec when it is pending.
function requestsOf(pod: Pod): ResourceList {
  try {
    return podRequests(pod);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return podRequests({ metadata: pod.metadata });
  }
}
