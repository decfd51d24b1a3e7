// How each of the world's components reacts to the store: a change it watches asks for a pass, passes asked for
// within one turn run once (on the microtask queue, after the write that asked), and a pass that wrote is followed
// by another until one writes nothing — the world's stand-in for a work queue, deterministic given the store and
// the clock. WorldControllers (controllers/) works the same way.
import type { ObjectStore, StoreWatch } from "../kube/store/object-store.ts";
import type { ResourceKind } from "../kube/store/resource-kind.ts";

/** Passes in a row before a component gives up on settling (one that keeps writing is a bug). */
const MAX_PASSES = 50;

export class CoalescedPasses {
  readonly #store: ObjectStore;
  readonly #name: string;
  readonly #pass: () => void;
  #scheduled = false;
  #running = false;
  #stopped = false;
  readonly #watches: StoreWatch[] = [];

  constructor(store: ObjectStore, name: string, pass: () => void) {
    this.#store = store;
    this.#name = name;
    this.#pass = pass;
  }

  /** Asks for a pass on every change to these kinds from now on, and for one now. */
  watch(kinds: readonly ResourceKind[]): void {
    const from = { resourceVersion: String(this.#store.resourceVersion), readOnly: true };
    for (const kind of kinds) this.#watches.push(this.#store.watch(kind, from, () => this.request()));
    this.request();
  }

  /** Asks for a pass soon (once per turn, however often asked). */
  request(): void {
    if (this.#scheduled || this.#running || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      if (!this.#stopped) this.run();
    });
  }

  /** Runs passes now until one writes nothing; returns how many ran. */
  run(): number {
    if (this.#running) return 0;
    this.#running = true;
    try {
      for (let pass = 1; pass <= MAX_PASSES; pass++) {
        const before = this.#store.resourceVersion;
        this.#pass();
        if (this.#store.resourceVersion === before) return pass;
      }
      throw new Error(`the world's ${this.#name} did not settle after ${MAX_PASSES} passes`);
    } finally {
      this.#running = false;
      this.#scheduled = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const watch of this.#watches.splice(0)) watch.stop();
  }
}
