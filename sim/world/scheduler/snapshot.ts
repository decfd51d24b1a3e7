/**
 * What one scheduling cycle sees (the scheduler cache's `Snapshot`): a `NodeInfo` per node, in the order the
 * scheduler's node tree lists them, with the pods bound to it and what they request, plus the objects the
 * plugins look up (namespaces, volumes, the owners default spreading reads).
 */
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  ReplicationController,
  Service,
  StatefulSet,
  StorageClass,
} from "../objects.ts";
import { namespaceOf } from "../objects.ts";
import { podAffinityTermsOf, type PodAffinityTerms } from "./affinity-terms.ts";
import { readingObject, SchedulerInputError } from "./input-error.ts";
import { nodeTreeOrder } from "./node-tree.ts";
import { addRequests, emptyResource, podFootprint, resourceOfList, type Resource } from "./resources.ts";
import { matchesSelector, type Labels, type Selector } from "./selector.ts";

/** The objects a scheduling decision reads, as the API server holds them. Node order is the order they were added. */
export interface ClusterObjects {
  readonly nodes: readonly Node[];
  /** All pods; those bound to a node (spec.nodeName) and not Succeeded or Failed occupy it. */
  readonly pods: readonly Pod[];
  readonly namespaces?: readonly Namespace[];
  readonly persistentVolumeClaims?: readonly PersistentVolumeClaim[];
  readonly persistentVolumes?: readonly PersistentVolume[];
  readonly storageClasses?: readonly StorageClass[];
  readonly services?: readonly Service[];
  readonly replicationControllers?: readonly ReplicationController[];
  readonly replicaSets?: readonly ReplicaSet[];
  readonly statefulSets?: readonly StatefulSet[];
}

export interface PodInfo {
  readonly pod: Pod;
  readonly terms: PodAffinityTerms;
}

export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  readonly pods: readonly PodInfo[];
  readonly podsWithAffinity: readonly PodInfo[];
  readonly podsWithRequiredAntiAffinity: readonly PodInfo[];
  /** Sum of the pods' requests. */
  readonly requested: Resource;
  /** cpu and memory with the 100m / 200Mi a container without requests counts as (for scoring). */
  readonly nonZeroRequested: { readonly milliCPU: number; readonly memory: number };
  readonly allocatable: Resource;
  /** Moves whenever the NodeInfo changes (NodeInfo.Generation): a snapshot copies only the NodeInfos that moved. */
  readonly generation: number;
}

export function podKey(pod: Pod): string {
  return `${namespaceOf(pod)}/${pod.metadata.name}`;
}

/** kube-scheduler's pod informer leaves out pods that have finished (status.phase!=Succeeded,Failed). */
function occupiesNode(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec.nodeName) && phase !== "Succeeded" && phase !== "Failed";
}

// A bound pod's parsed terms, once per stored pod (the scheduler's PodInfo keeps them; the store never changes a pod
// in place).
const termsOfPod = new WeakMap<Pod, PodAffinityTerms>();

/** Existing pods' terms are parsed leniently: a term the API let through but that cannot be read is dropped. */
function lenientTerms(pod: Pod): PodAffinityTerms {
  let terms = termsOfPod.get(pod);
  if (terms !== undefined) return terms;
  try {
    terms = podAffinityTermsOf(pod);
  } catch (error) {
    if (!(error instanceof SchedulerInputError)) throw error;
    terms = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] };
  }
  termsOfPod.set(pod, terms);
  return terms;
}

// kube-scheduler's nextGeneration(): one counter for every NodeInfo, so "moved since" is a comparison.
let generations = 0;

export function nextGeneration(): number {
  return ++generations;
}

function hasPodAffinity(pod: Pod): boolean {
  const affinity = pod.spec.affinity;
  return affinity !== undefined && (affinity.podAffinity !== undefined || affinity.podAntiAffinity !== undefined);
}

// What a bound pod adds to its node, once per stored pod: the store replaces a pod on every write and never changes
// one in place, and every scheduling pass builds its snapshot from every bound pod (as the scheduler's cache keeps
// each PodInfo's computed resources instead of recomputing them per cycle).
const footprints = new WeakMap<Pod, ReturnType<typeof podFootprint>>();

function footprintOf(pod: Pod): ReturnType<typeof podFootprint> {
  let footprint = footprints.get(pod);
  if (footprint === undefined) {
    footprint = podFootprint(pod);
    footprints.set(pod, footprint);
  }
  return footprint;
}

// A node's allocatable, once per stored node (nodes too are replaced on every write, never changed in place).
const allocatables = new WeakMap<Node, Resource>();

function allocatableOf(node: Node): Resource {
  let allocatable = allocatables.get(node);
  if (allocatable === undefined) {
    allocatable = resourceOfList(node.status?.allocatable, "status.allocatable");
    allocatables.set(node, allocatable);
  }
  return allocatable;
}

export function buildNodeInfo(node: Node, pods: readonly Pod[]): NodeInfo {
  const name = node.metadata.name;
  const allocatable = readingObject(`Node ${name}`, () => allocatableOf(node));
  const requested = emptyResource();
  const nonZeroRequested = { milliCPU: 0, memory: 0 };
  const infos: PodInfo[] = [];
  for (const pod of pods) {
    const footprint = readingObject(`Pod ${podKey(pod)}`, () => footprintOf(pod));
    addRequests(requested, footprint.requests);
    nonZeroRequested.milliCPU += footprint.nonZeroMilliCPU;
    nonZeroRequested.memory += footprint.nonZeroMemory;
    infos.push({ pod, terms: lenientTerms(pod) });
  }
  return {
    node,
    name,
    pods: infos,
    podsWithAffinity: infos.filter((info) => hasPodAffinity(info.pod)),
    podsWithRequiredAntiAffinity: infos.filter((info) => info.terms.requiredAntiAffinity.length > 0),
    requested,
    nonZeroRequested,
    allocatable,
    generation: nextGeneration(),
  };
}

/** Bound pods (spec.nodeName set, not finished) by node name, in the pods' order. */
export function podsByNodeName(pods: readonly Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!occupiesNode(pod)) continue;
    const name = pod.spec.nodeName ?? "";
    const list = byNode.get(name);
    if (list === undefined) byNode.set(name, [pod]);
    else list.push(pod);
  }
  return byNode;
}

export class Snapshot {
  readonly objects: ClusterObjects;
  /** In the node tree's order (zones interleaved), as the scheduler iterates them. */
  readonly nodeInfos: readonly NodeInfo[];
  readonly #byName: ReadonlyMap<string, NodeInfo>;

  /** The largest generation among the NodeInfos when the snapshot was taken. */
  readonly generation: number;

  /** A fresh snapshot of every node and bound pod, or one over NodeInfos a `SchedulerCache` keeps. */
  constructor(objects: ClusterObjects, nodeInfos?: readonly NodeInfo[]) {
    this.objects = objects;
    if (nodeInfos === undefined) {
      const podsByNode = podsByNodeName(objects.pods);
      nodeInfos = nodeTreeOrder(objects.nodes).map((node) =>
        buildNodeInfo(node, podsByNode.get(node.metadata.name) ?? []),
      );
    }
    this.nodeInfos = nodeInfos;
    this.#byName = new Map(nodeInfos.map((info) => [info.name, info]));
    this.generation = nodeInfos.reduce((max, info) => Math.max(max, info.generation), 0);
  }

  /**
   * This snapshot with some of one node's pods gone: preemption's dry run (SelectVictimsOnNode) removes the victims
   * from a copy of that node's NodeInfo and leaves every other node's as it is, so the others are shared.
   */
  withoutPods(nodeName: string, victims: ReadonlySet<Pod>): Snapshot {
    const objects = { ...this.objects, pods: this.objects.pods.filter((pod) => !victims.has(pod)) };
    const nodeInfos = this.nodeInfos.map((info) =>
      info.name === nodeName
        ? buildNodeInfo(
            info.node,
            info.pods.map((podInfo) => podInfo.pod).filter((pod) => !victims.has(pod)),
          )
        : info,
    );
    return new Snapshot(objects, nodeInfos);
  }

  get(nodeName: string): NodeInfo | undefined {
    return this.#byName.get(nodeName);
  }

  /** The labels of a namespace, or undefined when the namespace is not known (`GetNamespaceLabelsSnapshot`). */
  namespaceLabels(namespace: string): Labels {
    return this.objects.namespaces?.find((ns) => ns.metadata.name === namespace)?.metadata.labels;
  }

  namespacesMatching(selector: Selector): string[] {
    return (this.objects.namespaces ?? [])
      .filter((ns) => matchesSelector(selector, ns.metadata.labels ?? {}))
      .map((ns) => ns.metadata.name);
  }

  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.objects.persistentVolumeClaims?.find(
      (pvc) => pvc.metadata.name === name && (pvc.metadata.namespace ?? "") === namespace,
    );
  }

  persistentVolume(name: string): PersistentVolume | undefined {
    return this.objects.persistentVolumes?.find((pv) => pv.metadata.name === name);
  }

  storageClass(name: string): StorageClass | undefined {
    return this.objects.storageClasses?.find((sc) => sc.metadata.name === name);
  }
}
