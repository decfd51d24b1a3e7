/**
 * The scheduler's cache (pkg/scheduler/backend/cache/cache.go): NodeInfos kept up to date across cycles instead of
 * built for every pod, and `updateSnapshot` handing a cycle the NodeInfos as they stand.
 *
 * kube-scheduler feeds its cache from informer events and `AssumePod`; the stand-in reconciles it with the store's
 * lists once per scheduling pass (`sync`) and assumes each pod it binds (`assumePod`), so the next cycle sees it at
 * once. A NodeInfo is rebuilt only when its node object or the list of pods bound to it changed (the store replaces
 * an object on every write, never changes one in place, so identity says "unchanged"); every rebuild takes a new
 * generation (NodeInfo.Generation), and `updateSnapshot` returns the previous snapshot itself while no generation
 * moved — as `UpdateSnapshot` copies only the NodeInfos newer than the snapshot's generation. The NodeInfos are
 * immutable, so "copying" one is sharing it. Decisions are those of a fresh `new Snapshot(objects)`: a NodeInfo is
 * reused only when what it was built from is identical, and an assumed pod is appended after the node's stored pods,
 * where a fresh snapshot over the same pods would list it.
 */
import type { Node, Pod } from "../objects.ts";
import { nodeTreeOrder, zoneKey } from "./node-tree.ts";
import { buildNodeInfo, podsByNodeName, Snapshot, type ClusterObjects, type NodeInfo } from "./snapshot.ts";

interface CachedNode {
  readonly node: Node;
  /** The pods the NodeInfo was built from, in order. */
  readonly pods: readonly Pod[];
  readonly info: NodeInfo;
}

function samePods(a: readonly Pod[], b: readonly Pod[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SchedulerCache {
  readonly #nodes = new Map<string, CachedNode>();
  /** Node names in the node tree's order (zones interleaved); recomputed when the node set changes. */
  #order: string[] = [];
  #orderedNodes: readonly Node[] = [];
  /** The objects of the last sync, with the pods assumed since appended (preemption's dry run reads them). */
  #objects: ClusterObjects = { nodes: [], pods: [] };
  #pods: Pod[] = [];
  #snapshot: Snapshot | undefined;
  /** Whether the node list (or order) changed since the last snapshot, which a generation cannot say. */
  #orderChanged = true;

  /** Reconciles the cache with the cluster as listed (the informers' adds, updates and deletes since last time). */
  sync(objects: ClusterObjects): void {
    this.#pods = [...objects.pods];
    this.#objects = { ...objects, pods: this.#pods };
    const byNode = podsByNodeName(objects.pods);
    if (!sameNodeTree(this.#orderedNodes, objects.nodes)) {
      this.#orderedNodes = objects.nodes;
      this.#order = nodeTreeOrder(objects.nodes).map((node) => node.metadata.name);
      this.#orderChanged = true;
    }
    const seen = new Set<string>();
    for (const node of objects.nodes) {
      const name = node.metadata.name;
      seen.add(name);
      const pods = byNode.get(name) ?? [];
      const cached = this.#nodes.get(name);
      if (cached !== undefined && cached.node === node && samePods(cached.pods, pods)) continue;
      this.#nodes.set(name, { node, pods, info: buildNodeInfo(node, pods) });
    }
    for (const name of this.#nodes.keys()) if (!seen.has(name)) this.#nodes.delete(name);
    // The snapshot's objects are the ones just listed even where no NodeInfo moved.
    this.#snapshot = undefined;
  }

  /** AssumePod: the pod counts on its node from the next cycle on, before the binding is seen in a list. */
  assumePod(pod: Pod, nodeName: string): void {
    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    this.#pods.push(assumed);
    const cached = this.#nodes.get(nodeName);
    if (cached === undefined) return;
    const pods = [...cached.pods, assumed];
    this.#nodes.set(nodeName, { node: cached.node, pods, info: buildNodeInfo(cached.node, pods) });
  }

  /** The snapshot for the next cycle: the previous one while nothing moved, else one over the current NodeInfos. */
  updateSnapshot(): Snapshot {
    const previous = this.#snapshot;
    if (previous !== undefined && !this.#orderChanged && !this.#movedSince(previous.generation)) return previous;
    const infos: NodeInfo[] = [];
    for (const name of this.#order) {
      const cached = this.#nodes.get(name);
      if (cached !== undefined) infos.push(cached.info);
    }
    this.#orderChanged = false;
    this.#snapshot = new Snapshot(this.#objects, infos);
    return this.#snapshot;
  }

  #movedSince(generation: number): boolean {
    for (const cached of this.#nodes.values()) if (cached.info.generation > generation) return true;
    return false;
  }
}

/** Whether two node lists give the same node tree: the same names in the same order, each in the same zone. */
function sameNodeTree(a: readonly Node[], b: readonly Node[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined || y === undefined) return false;
    if (x.metadata.name !== y.metadata.name || zoneKey(x) !== zoneKey(y)) return false;
  }
  return true;
}
