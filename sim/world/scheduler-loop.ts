// The kube-scheduler stand-in running: the pure `schedule()` (scheduler/) driven as kube-scheduler's scheduleOne loop
// drives its framework (pkg/scheduler/schedule_one.go, backend/queue/scheduling_queue.go): pending pods in the
// activeQ's order (priority, then age: the PrioritySort plugin), one cycle each against the scheduler's cache
// (scheduler/cache.ts: synced once per pass, the previous cycles' pods assumed), bound through `pods/binding`, or
// marked `PodScheduled=False/Unschedulable` with the FitError message and a FailedScheduling event. An unschedulable
// pod waits in the unschedulable set until the cluster changes in a way that could make room — a node added or changed,
// an assigned pod changed or deleted, a volume or claim changed (MoveAllToActiveOrBackoffQueue on those cluster events)
// — or its own spec changes, or podMaxInUnschedulablePodsDuration (5 min) passes.
import { isDeepStrictEqual } from "node:util";
import type { Timer, TimerClock } from "../../api/index.ts";
import { timestamp, type ObjectStore, type StoreWatch, type WatchEvent } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { CoalescedPasses } from "./coalesced-passes.ts";
import type { EventRecorder } from "./events.ts";
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodCondition,
  ReplicaSet,
  Service,
  StorageClass,
} from "./objects.ts";
import { schedule, SchedulerCache, SchedulerInputError } from "./scheduler/index.ts";
import type { ClusterObjects } from "./scheduler/index.ts";

/** DefaultPodMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
export const POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60 * 1000;

const DEFAULT_SCHEDULER = "default-scheduler";

interface Waiting {
  /** The cluster generation the pod failed against; a later change makes it worth another try. */
  generation: number;
  /** The pod's resourceVersion after its failure was written; a change of its own makes it worth another try. */
  resourceVersion: string;
}

export class SchedulerLoop {
  readonly #store: ObjectStore;
  readonly #clock: TimerClock;
  readonly #seed: number;
  readonly #events: EventRecorder;
  readonly #kinds: Record<
    "pods" | "nodes" | "namespaces" | "pvcs" | "pvs" | "storageClasses" | "services" | "replicaSets",
    ResourceKind
  >;
  readonly #watches: StoreWatch[] = [];
  readonly #unschedulable = new Map<string, Waiting>();
  #generation = 0;
  #nextStartNodeIndex = 0;
  /** NodeInfos kept across cycles and passes: a cycle no longer rebuilds every node and bound pod. */
  readonly #cache = new SchedulerCache();
  readonly #passes: CoalescedPasses;
  #stopped = false;
  #flush: Timer | undefined;

  constructor(store: ObjectStore, options: { clock: TimerClock; seed: number; events: EventRecorder }) {
    this.#store = store;
    this.#clock = options.clock;
    this.#seed = options.seed;
    this.#events = options.events;
    this.#passes = new CoalescedPasses(store, "scheduler", () => this.#pass());
    const get = (g: string, v: string, p: string) => store.registry.get(g, v, p);
    this.#kinds = {
      pods: get("", "v1", "pods"),
      nodes: get("", "v1", "nodes"),
      namespaces: get("", "v1", "namespaces"),
      pvcs: get("", "v1", "persistentvolumeclaims"),
      pvs: get("", "v1", "persistentvolumes"),
      storageClasses: get("storage.k8s.io", "v1", "storageclasses"),
      services: get("", "v1", "services"),
      replicaSets: get("apps", "v1", "replicasets"),
    };
  }

  start(): this {
    const k = this.#kinds;
    const from = { resourceVersion: String(this.#store.resourceVersion), readOnly: true };
    this.#watches.push(this.#store.watch(k.pods, from, (event) => this.#onPod(event)));
    for (const kind of [k.nodes, k.pvcs, k.pvs, k.storageClasses])
      this.#watches.push(this.#store.watch(kind, from, () => this.#clusterChanged()));
    this.#armFlush();
    this.#schedule();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    this.#passes.stop();
    for (const watch of this.#watches.splice(0)) watch.stop();
    this.#flush?.stop();
  }

  /** Pods waiting for the cluster to change (the unschedulable set), as namespace/name. */
  get unschedulable(): string[] {
    return [...this.#unschedulable.keys()].sort();
  }

  /** Runs scheduling passes until one binds and writes nothing; returns how many ran. */
  runPasses(): number {
    return this.#passes.run();
  }

  #onPod(event: WatchEvent): void {
    const pod = event.object as unknown as Pod;
    // An assigned pod added, changed or gone can make room (or satisfy an affinity) for a waiting one.
    if (pod.spec?.nodeName) this.#clusterChanged();
    else this.#schedule();
  }

  #clusterChanged(): void {
    this.#generation++;
    this.#schedule();
  }

  #armFlush(): void {
    // flushUnschedulablePodsLeftover: pods that waited longer than the maximum go back to the active queue.
    this.#flush = this.#clock
      .afterFunc(POD_MAX_IN_UNSCHEDULABLE_MS, () => {
        if (this.#stopped) return;
        this.#generation++;
        this.#armFlush();
        this.#schedule();
      })
      .unref();
  }

  #schedule(): void {
    this.#passes.request();
  }

  #pass(): void {
    const k = this.#kinds;
    const list = <T>(kind: ResourceKind): T[] => this.#store.list(kind, { readOnly: true }).items as unknown as T[];
    const allPods = list<Pod>(k.pods);
    const pods = allPods.filter((pod) => pod.spec.nodeName);
    const pending = allPods.filter((pod) => this.#wantsScheduling(pod)).sort(activeQueueOrder);
    const pendingKeys = new Set(pending.map(podKeyOf));
    for (const key of this.#unschedulable.keys()) if (!pendingKeys.has(key)) this.#unschedulable.delete(key);
    if (pending.length === 0) return;
    const cluster: ClusterObjects = {
      nodes: list<Node>(k.nodes),
      pods,
      namespaces: list<Namespace>(k.namespaces),
      persistentVolumeClaims: list<PersistentVolumeClaim>(k.pvcs),
      persistentVolumes: list<PersistentVolume>(k.pvs),
      storageClasses: list<StorageClass>(k.storageClasses),
      services: list<Service>(k.services),
      replicaSets: list<ReplicaSet>(k.replicaSets),
    };
    this.#cache.sync(cluster);
    for (const pod of pending) {
      const key = podKeyOf(pod);
      const waiting = this.#unschedulable.get(key);
      if (waiting && waiting.generation === this.#generation && waiting.resourceVersion === resourceVersionOf(pod))
        continue;
      this.#cycle(pod);
    }
  }

  #wantsScheduling(pod: Pod): boolean {
    const phase = pod.status?.phase;
    return (
      !pod.spec.nodeName &&
      !pod.metadata.deletionTimestamp &&
      phase !== "Succeeded" &&
      phase !== "Failed" &&
      (pod.spec.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER
    );
  }

  #cycle(pod: Pod): void {
    const key = podKeyOf(pod);
    const ns = pod.metadata.namespace ?? "default";
    let result;
    try {
      result = schedule(pod, this.#cache.updateSnapshot(), {
        seed: this.#seed,
        nextStartNodeIndex: this.#nextStartNodeIndex,
      });
    } catch (error) {
      if (!(error instanceof SchedulerInputError)) throw error;
      // What the API server would have refused: say so on the pod instead of guessing.
      this.#markUnschedulable(pod, {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message: error.message,
      });
      return;
    }
    this.#nextStartNodeIndex = result.nextStartNodeIndex;
    if (!result.scheduled) {
      this.#markUnschedulable(pod, result.condition);
      return;
    }
    const pods = this.#kinds.pods;
    pods.actions?.binding?.(
      this.#store,
      pods,
      { namespace: ns, name: pod.metadata.name },
      { target: { kind: "Node", name: result.nodeName } },
    );
    this.#unschedulable.delete(key);
    // Assume the pod on its node for the next cycles of this pass, as the scheduler cache does.
    this.#cache.assumePod(pod, result.nodeName);
    this.#events.record(
      pod as unknown as KubeObject,
      "Normal",
      "Scheduled",
      `Successfully assigned ${ns}/${pod.metadata.name} to ${result.nodeName}`,
    );
  }

  #markUnschedulable(pod: Pod, condition: PodCondition): void {
    const pods = this.#kinds.pods;
    const ns = pod.metadata.namespace ?? "default";
    const conditions = pod.status?.conditions ?? [];
    const current = conditions.find((c) => c.type === "PodScheduled");
    let resourceVersion = resourceVersionOf(pod);
    const same =
      current &&
      isDeepStrictEqual(
        { status: current.status, reason: current.reason, message: current.message },
        { status: condition.status, reason: condition.reason, message: condition.message },
      );
    if (!same) {
      const next = {
        ...condition,
        lastProbeTime: null,
        lastTransitionTime: timestamp(this.#clock.now()),
      };
      const fresh = this.#store.get(pods, ns, pod.metadata.name);
      const status = (fresh.status ?? {}) as { conditions?: PodCondition[] };
      const written = this.#store.update(
        pods,
        ns,
        pod.metadata.name,
        {
          ...fresh,
          status: {
            ...status,
            conditions: [...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"), next],
          },
        },
        { subresource: "status" },
      );
      resourceVersion = String((written.metadata as { resourceVersion?: unknown }).resourceVersion);
      this.#events.record(pod as unknown as KubeObject, "Warning", "FailedScheduling", condition.message ?? "");
    }
    this.#unschedulable.set(podKeyOf(pod), { generation: this.#generation, resourceVersion });
  }
}

function resourceVersionOf(pod: Pod): string {
  return String((pod.metadata as { resourceVersion?: unknown }).resourceVersion ?? "");
}

function podKeyOf(pod: Pod): string {
  return `${pod.metadata.namespace ?? ""}/${pod.metadata.name}`;
}

/** The PrioritySort plugin's Less: higher priority first, then the earlier queued (created) pod. */
function activeQueueOrder(a: Pod, b: Pod): number {
  const byPriority = (b.spec.priority ?? 0) - (a.spec.priority ?? 0);
  if (byPriority !== 0) return byPriority;
  const at = (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "");
  return at !== 0 ? at : podKeyOf(a).localeCompare(podKeyOf(b));
}
