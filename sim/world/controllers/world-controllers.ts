// The world's controller manager: the Deployment, ReplicaSet, DaemonSet, Job and disruption controllers over one
// store, then what ends objects' lives (the kubelet's final delete of pods whose grace period is over, the
// namespace controller, the garbage collector). A write to any kind schedules a pass (on the microtask queue, so a burst of writes is one
// pass); a pass reconciles every object of every kind in a fixed order — deployments, replica sets, daemon
// sets, jobs, then disruption budgets, each by namespace and name — and passes repeat until one writes nothing.
// There are no work queues, informers or random back-offs: given the store and the clock, what the controllers
// do is deterministic. The disruption controller's one timed duty (disruptedPods entries expire after 2 minutes)
// runs on the clock, so a test moves a virtual clock instead of waiting.
import { systemClock, type Timer, type TimerClock } from "../../../api/index.ts";
import type { ObjectStore, StoreWatch } from "../../kube/store/object-store.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { namespaceOf, type ControllerContext } from "./controller-context.ts";
import { reconcileDaemonSet } from "./daemon-set.ts";
import { reconcileDeployment } from "./deployment.ts";
import { reconcileDisruptionBudget } from "./disruption.ts";
import { collectGarbage } from "./garbage-collector.ts";
import { reconcileJob } from "./job.ts";
import { finalizeNamespaces } from "./namespace-deleter.ts";
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
  #scheduled = false;
  #running = false;
  #timer: { at: number; timer: Timer } | undefined;
  #stopped = false;

  constructor(store: ObjectStore, options: { clock?: TimerClock } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#kinds = worldKinds(store.registry);
  }

  /** Watches the store (every kind: any object may be an owner the garbage collector watches) and reconciles now. */
  start(): this {
    for (const kind of this.#store.registry.all()) {
      this.#watches.push(
        this.#store.watch(kind, { resourceVersion: String(this.#store.resourceVersion) }, () => this.#schedule()),
      );
    }
    this.reconcile();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    for (const watch of this.#watches.splice(0)) watch.stop();
    this.#timer?.timer.stop();
    this.#timer = undefined;
  }

  /** Runs passes until one writes nothing; returns how many ran. */
  reconcile(): number {
    if (this.#running) return 0;
    this.#running = true;
    try {
      for (let pass = 1; pass <= MAX_PASSES; pass++) {
        const before = this.#store.resourceVersion;
        this.#pass();
        if (this.#store.resourceVersion === before) return pass;
      }
      throw new Error(`the world's controllers did not settle after ${MAX_PASSES} passes`);
    } finally {
      this.#running = false;
      this.#scheduled = false;
    }
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
    collectGarbage(this.#store);
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
