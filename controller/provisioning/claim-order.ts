/**
 * The NodeClaims opened in a run, in the order each pod tries them: fewest pods first (Karpenter sorts its new
 * NodeClaims by pod count before each pod, core:pkg/controllers/provisioning/scheduling/scheduler.go). Kept in
 * buckets by pod count instead of sorting thousands of claims for every pod; within a bucket, the order claims
 * reached that count (Karpenter's sort is not stable, so any fixed order is as faithful).
 */
export class ClaimOrder<T extends { readonly pods: readonly unknown[] }> {
  readonly #buckets: Set<T>[] = [];

  add(claim: T): void {
    this.#bucket(claim.pods.length).add(claim);
  }

  /** After a pod was added to the claim: from the bucket of one fewer pods to its own. */
  grew(claim: T): void {
    if (this.#buckets[claim.pods.length - 1]?.delete(claim) !== true) return;
    this.#bucket(claim.pods.length).add(claim);
  }

  /**
   * After a pod was added to the claim, whether or not this order still held it: at the end of its new count's
   * bucket, where `add` then `grew` would have put it had it never left.
   */
  returned(claim: T): void {
    this.#buckets[claim.pods.length - 1]?.delete(claim);
    this.#bucket(claim.pods.length).add(claim);
  }

  /** The same claims in the same order, to be narrowed on its own. */
  copy(): ClaimOrder<T> {
    const out = new ClaimOrder<T>();
    this.#buckets.forEach((bucket, count) => (out.#buckets[count] = new Set(bucket)));
    return out;
  }

  /** No longer tried (a claim closed to the pods this order serves). */
  remove(claim: T): void {
    this.#buckets[claim.pods.length]?.delete(claim);
  }

  /** The first claim, fewest pods first, for which `accept` is true. */
  find(accept: (claim: T) => boolean): T | undefined {
    for (const bucket of this.#buckets) {
      if (bucket === undefined) continue;
      for (const claim of bucket) if (accept(claim)) return claim;
    }
    return undefined;
  }

  #bucket(count: number): Set<T> {
    let bucket = this.#buckets[count];
    if (bucket === undefined) {
      for (let i = this.#buckets.length; i <= count; i++) this.#buckets[i] ??= new Set();
      bucket = this.#buckets[count] as Set<T>;
    }
    return bucket;
  }
}
