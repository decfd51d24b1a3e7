// What the node lifecycle controller and the pod garbage collector do about nodes
// (pkg/controller/nodelifecycle, pkg/controller/podgc): a node whose Ready condition is not True carries the
// `node.kubernetes.io/not-ready` (False) or `node.kubernetes.io/unreachable` (Unknown, or no condition) NoSchedule
// taint, which is what keeps the scheduler off it, and loses it when Ready again; pods bound to a node that no
// longer exists are deleted (gcOrphaned). Taint-based NoExecute eviction is not simulated.
import { timestamp, type ObjectStore } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { CoalescedPasses } from "./coalesced-passes.ts";

export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";
export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";

interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export class NodeLifecycle {
  readonly #store: ObjectStore;
  readonly #pods: ResourceKind;
  readonly #nodes: ResourceKind;
  readonly #passes: CoalescedPasses;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#pods = store.registry.get("", "v1", "pods");
    this.#nodes = store.registry.get("", "v1", "nodes");
    this.#passes = new CoalescedPasses(store, "node lifecycle controller", () => this.#pass());
  }

  start(): this {
    this.#passes.watch([this.#pods, this.#nodes]);
    return this;
  }

  stop(): void {
    this.#passes.stop();
  }

  #pass(): void {
    const nodes = this.#store.list(this.#nodes, { readOnly: true }).items;
    for (const node of nodes) this.#taint(node);
    const names = new Set(nodes.map((n) => String(n.metadata?.name)));
    for (const pod of this.#store.list(this.#pods, { readOnly: true }).items) {
      const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName || names.has(nodeName) || pod.metadata?.deletionTimestamp) continue;
      this.#store.delete(this.#pods, String(pod.metadata?.namespace), String(pod.metadata?.name));
    }
  }

  #taint(node: KubeObject): void {
    const conditions = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions;
    const ready = conditions?.find((c) => c.type === "Ready")?.status;
    const wanted = ready === "True" ? undefined : ready === "False" ? NOT_READY_TAINT : UNREACHABLE_TAINT;
    const spec = (node.spec ?? {}) as { taints?: Taint[] };
    const taints = spec.taints ?? [];
    const lifecycle = (t: Taint) =>
      (t.key === NOT_READY_TAINT || t.key === UNREACHABLE_TAINT) && t.effect === "NoSchedule";
    const current = taints.filter(lifecycle).map((t) => t.key);
    if (current.length === (wanted ? 1 : 0) && (wanted === undefined || current[0] === wanted)) return;
    const next = taints.filter((t) => !lifecycle(t));
    if (wanted) next.push({ key: wanted, effect: "NoSchedule", timeAdded: timestamp(this.#store.now()) });
    this.#store.update(this.#nodes, undefined, String(node.metadata?.name), {
      ...node,
      spec: { ...spec, taints: next },
    });
  }
}
