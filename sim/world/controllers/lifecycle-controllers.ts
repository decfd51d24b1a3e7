// The controllers that end objects' lives, beside WorldControllers: the garbage collector and the namespace
// controller of kube-controller-manager, and the kubelet's final delete of pods whose grace period is over. Like
// WorldControllers: a write to any kind schedules a pass (on the microtask queue), passes repeat until one
// writes nothing, and the one timed duty (the next grace period's end) runs on the clock, so a test moves a
// virtual clock instead of waiting.
import { systemClock, type Timer, type TimerClock } from "../../../api/index.ts";
import type { ObjectStore, StoreWatch } from "../../kube/store/object-store.ts";
import { collectGarbage } from "./garbage-collector.ts";
import { finalizeNamespaces } from "./namespace-deleter.ts";
import { terminatePods } from "./pod-termination.ts";

const MAX_PASSES = 50;

export class LifecycleControllers {
  readonly #store: ObjectStore;
  readonly #clock: TimerClock;
  readonly #watches: StoreWatch[] = [];
  #scheduled = false;
  #running = false;
  #stopped = false;
  #timer: { at: number; timer: Timer } | undefined;

  constructor(store: ObjectStore, options: { clock?: TimerClock } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
  }

  /** Watches every kind and reconciles now. */
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
        const next = terminatePods(this.#store, this.#clock.now());
        finalizeNamespaces(this.#store);
        collectGarbage(this.#store);
        if (this.#store.resourceVersion === before) {
          if (next) this.#requeueAt(next);
          return pass;
        }
      }
      throw new Error(`the lifecycle controllers did not settle after ${MAX_PASSES} passes`);
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
      .afterFunc(Math.max(0, due - this.#clock.now().getTime()), () => {
        this.#timer = undefined;
        if (!this.#stopped) this.reconcile();
      })
      .unref();
    this.#timer = { at: due, timer };
  }
}
