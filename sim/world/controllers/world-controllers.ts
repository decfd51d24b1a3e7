// The world's controller manager: the Deployment, ReplicaSet, DaemonSet, Job and disruption controllers over one
// store, then what ends objects' lives (the kubelet's final delete of pods whose grace period is over, the
// namespace controller, the garbage collector). A write to a kind the controllers read, one that gives the garbage
// collector work (owner-graph.ts) or one inside a Terminating namespace schedules a pass (on the microtask queue, so a
// burst of writes is one pass) — an Event's write schedules none, as no controller here reads Events; a pass
// reconciles every object of every kind in a fixed order — deployments, replica sets, daemon
// sets, jobs, then disruption budgets, each by namespace and name — and passes repeat until one writes nothing.
// There are no work queues, informers or random back-offs: given the store and the clock, what the controllers
// do is deterministic. The disruption controller's one timed duty (disruptedPods entries expire after 2 minutes)
// runs on the clock, so a test moves a virtual clock instead of waiting.
import { systemClock, type Timer, type TimerClock } from "../../../api/index.ts";
import type { ObjectStore, StoreWatch, WatchEvent } from "../../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";
import { isBeingDeleted } from "./cluster-objects.ts";
import { namespaceOf, type ControllerContext } from "./controller-context.ts";
import { reconcileDaemonSet } from "./daemon-set.ts";
import { reconcileDeployment } from "./deployment.ts";
import { reconcileDisruptionBudget } from "./disruption.ts";
import { collectGarbage } from "./garbage-collector.ts";
import { reconcileJob } from "./job.ts";
import { finalizeNamespaces } from "./namespace-deleter.ts";
import { OwnerGraph } from "./owner-graph.ts";
import { terminatePods } from "./pod-termination.ts";
import { reconcileReplicaSet } from "./replica-set.ts";
import { worldKinds, type WorldKinds } from "./world-kinds.ts";

/** Passes in a row before the manager gives up on settling (a controller that keeps writing is a bug). */
const MAX_PASSES = 50;

export class WorldControllers {
  readonly #store: ObjectStore;
  readonly #clock: TimerClock;
  readonly #kinds: WorldKinds;
  readonly #watches: StoreWatch[] = [];
  readonly #graph = new OwnerGraph();
  #scheduled = false;
  #running = false;
  #passes = 0;
  #timer: { at: number; timer: Timer } | undefined;
  #stopped = false;
  /** The kinds whose every change asks for a pass: those the controllers read, and namespaces. */
  readonly #reconciled: ReadonlySet<ResourceKind>;
  readonly #namespaces: ResourceKind;
  /** Terminating namespaces: any change inside one may be what the namespace controller waits for. */
  readonly #terminating = new Set<string>();

  constructor(store: ObjectStore, options: { clock?: TimerClock } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#kinds = worldKinds(store.registry);
    this.#namespaces = store.registry.get("", "v1", "namespaces");
    this.#reconciled = new Set([...Object.values(this.#kinds), this.#namespaces]);
  }

  /** Watches the store (every kind: any object may be an owner the garbage collector watches) and reconciles now. */
  start(): this {
    this.#graph.start(this.#store);
    for (const namespace of this.#store.scan(this.#namespaces)) this.#observeNamespace(namespace);
    const from = { resourceVersion: String(this.#store.resourceVersion), readOnly: true };
    for (const kind of this.#store.registry.all()) {
      this.#watches.push(this.#store.watch(kind, from, (event) => this.#changed(kind, event)));
    }
    this.reconcile();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    for (const watch of this.#watches.splice(0)) watch.stop();
    this.#graph.stop();
    this.#timer?.timer.stop();
    this.#timer = undefined;
  }

  /** Passes run since the start: what a burst of writes cost the controllers. */
  get passCount(): number {
    return this.#passes;
  }

  /** Runs passes until one writes nothing; returns how many ran. */
  reconcile(): number {
    if (this.#running) return 0;
    this.#running = true;
    try {
      for (let pass = 1; pass <= MAX_PASSES; pass++) {
        const before = this.#store.resourceVersion;
        this.#passes += 1;
        this.#pass();
        if (this.#store.resourceVersion === before) return pass;
      }
      throw new Error(`the world's controllers did not settle after ${MAX_PASSES} passes`);
    } finally {
      this.#running = false;
      this.#scheduled = false;
    }
  }

  // The graph has seen the change already (its watches came first).
  #changed(kind: ResourceKind, event: WatchEvent): void {
    if (kind === this.#namespaces) this.#observeNamespace(event.object, event.type === "DELETED");
    const namespace = event.object.metadata?.namespace;
    if (
      this.#reconciled.has(kind) ||
      this.#graph.hasWork() ||
      (typeof namespace === "string" && this.#terminating.has(namespace))
    )
      this.#schedule();
  }

  #observeNamespace(namespace: KubeObject, deleted = false): void {
    const name = String(namespace.metadata?.name ?? "");
    if (!deleted && isBeingDeleted(namespace)) this.#terminating.add(name);
    else this.#terminating.delete(name);
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      if (!this.#stopped) this.reconcile();
    });
  }

  #requeueAt(at: Date): void {
    const due = at.getTime();
    if (this.#timer && this.#timer.at <= due) return;
    this.#timer?.timer.stop();
    const timer = this.#clock
      .afterFunc(Math.max(0, due - this.#clock.now().getTime()) + 1, () => {
        this.#timer = undefined;
        if (!this.#stopped) this.reconcile();
      })
      .unref();
    this.#timer = { at: due, timer };
  }

  #pass(): void {
    // A caller may run passes without start(): the graph then begins with the store as it is.
    this.#graph.start(this.#store);
    const k = this.#kinds;
    // Read-only: the reconcilers copy what they write (templates, statuses), and copying every pod on every pass
    // made each write cost a copy of the cluster.
    const list = (kind: WorldKinds[keyof WorldKinds]): KubeObject[] => this.#store.list(kind, { readOnly: true }).items;
    const listedAt = this.#store.resourceVersion;
    const podsByNamespace = byNamespace(list(k.pods));
    const ctx: ControllerContext = {
      store: this.#store,
      kinds: k,
      now: () => this.#clock.now(),
      podsIn: (ns) => podsByNamespace.get(ns) ?? [],
      requeueAt: (at) => this.#requeueAt(at),
    };
    const replicaSets = list(k.replicaSets);
    for (const deployment of list(k.deployments)) reconcileDeployment(ctx, deployment, replicaSets);
    for (const rs of list(k.replicaSets)) reconcileReplicaSet(ctx, rs);
    const nodes = list(k.nodes);
    for (const ds of list(k.daemonSets)) reconcileDaemonSet(ctx, ds, nodes);
    for (const job of list(k.jobs)) reconcileJob(ctx, job);
    // The budgets see this pass's pods.
    const fresh = this.#store.resourceVersion === listedAt ? podsByNamespace : byNamespace(list(k.pods));
    const budgetCtx: ControllerContext = { ...ctx, podsIn: (ns) => fresh.get(ns) ?? [] };
    for (const pdb of list(k.podDisruptionBudgets)) reconcileDisruptionBudget(budgetCtx, pdb);
    const nextTermination = terminatePods(this.#store, ctx.now());
    if (nextTermination) this.#requeueAt(nextTermination);
    finalizeNamespaces(this.#store);
    collectGarbage(this.#store, this.#graph);
  }
}

function byNamespace(objects: KubeObject[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const object of objects) {
    const ns = namespaceOf(object);
    const bucket = out.get(ns);
    if (bucket) bucket.push(object);
    else out.set(ns, [object]);
  }
  return out;
}
