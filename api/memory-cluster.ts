// A ClusterView held in memory: the webhook's tests, the server's tests and the simulator use it where the real
// one would list the objects from the API server. It behaves as the API server does for what the view exposes:
// one object per kind and name (a second one replaces the first), and callers get copies, never the stored ones.
import { cloneJson, isRecord } from "./plain-object.ts";
import type { ClusterView } from "./ports.ts";

export type ClusterKind = "NodePool" | "EC2NodeClass";

const GROUPS: Record<ClusterKind, string> = { NodePool: "karpenter.sh", EC2NodeClass: "karpenter.k8s.aws" };

/** The kind an object is stored under, or undefined for objects the view does not hold (other kinds). */
function kindOf(object: unknown): ClusterKind | undefined {
  if (!isRecord(object) || typeof object.apiVersion !== "string") return undefined;
  const group = object.apiVersion.split("/")[0];
  if (object.kind === "NodePool" && group === GROUPS.NodePool) return "NodePool";
  if (object.kind === "EC2NodeClass" && group === GROUPS.EC2NodeClass) return "EC2NodeClass";
  return undefined;
}

function nameOf(object: Record<string, unknown>): string {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  return typeof metadata.name === "string" ? metadata.name : "";
}

export class MemoryCluster implements ClusterView {
  readonly #objects: Record<ClusterKind, Map<string, Record<string, unknown>>> = {
    NodePool: new Map(),
    EC2NodeClass: new Map(),
  };

  /** Objects of other kinds are ignored, as a view of Karpenter's objects would never list them. */
  constructor(objects: readonly unknown[] = []) {
    this.set(objects);
  }

  /** Replaces everything the view holds. */
  set(objects: readonly unknown[]): void {
    this.#objects.NodePool.clear();
    this.#objects.EC2NodeClass.clear();
    this.add(...objects);
  }

  /** Adds objects, replacing any of the same kind and name. */
  add(...objects: readonly unknown[]): void {
    for (const object of objects) {
      const kind = kindOf(object);
      if (!kind || !isRecord(object)) continue;
      this.#objects[kind].set(nameOf(object), cloneJson(object));
    }
  }

  /** Removes one object; returns whether it was there. */
  remove(kind: ClusterKind, name: string): boolean {
    return this.#objects[kind].delete(name);
  }

  /** A copy of one object, or undefined. */
  get(kind: ClusterKind, name: string): Record<string, unknown> | undefined {
    const object = this.#objects[kind].get(name);
    return object && cloneJson(object);
  }

  listNodePools(): Promise<unknown[]> {
    return Promise.resolve(this.#list("NodePool"));
  }

  listNodeClasses(): Promise<unknown[]> {
    return Promise.resolve(this.#list("EC2NodeClass"));
  }

  #list(kind: ClusterKind): unknown[] {
    return [...this.#objects[kind].values()].map((object) => cloneJson(object));
  }
}
