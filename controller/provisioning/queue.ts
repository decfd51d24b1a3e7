/**
 * The order pods are scheduled in (Karpenter's `Queue`, core:pkg/controllers/provisioning/scheduling/queue.go
 * byCPUAndMemoryDescending): larger CPU requests first, then larger memory, so big pods claim room before small
 * ones fill it. Karpenter then breaks ties by creation time and UID; this cut keeps the input order for ties (a
 * stable sort), which callers give by creation time.
 */
import type { PodConstraints } from "./pod-constraints.ts";

export function byQueueOrder(a: PodConstraints, b: PodConstraints): number {
  for (const resource of ["cpu", "memory"]) {
    const x = a.requests[resource]?.nanos ?? 0n;
    const y = b.requests[resource]?.nanos ?? 0n;
    if (x !== y) return x > y ? -1 : 1;
  }
  return 0;
}

/**
 * The scheduling queue with retries (Karpenter's `Queue.Pop`/`Push`): a pod that cannot be placed goes to the back
 * and is tried again after the others, since a pod placed later may be what its affinity needs; the run ends when
 * every pod left has been tried once more with no progress in between. A relaxed pod resets that count.
 */
export class RetryQueue<T extends { readonly key: string }> {
  #items: T[];
  #head = 0;
  // The queue's length when each pod was last pushed back unplaced.
  #lastLength = new Map<string, number>();

  constructor(items: readonly T[]) {
    this.#items = [...items];
  }

  pop(): T | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    if (this.#lastLength.get(item.key) === this.#items.length - this.#head) return undefined;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  push(item: T, relaxed: boolean): void {
    this.#items.push(item);
    if (relaxed) this.#lastLength.clear();
    else this.#lastLength.set(item.key, this.#items.length - this.#head);
  }

  /** What is left: the pods that could not be placed. */
  remaining(): T[] {
    return this.#items.slice(this.#head);
  }
}
