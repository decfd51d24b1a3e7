/**
 * Which open NodeClaims a pod still needs to try, per pod signature: the run's ClaimOrder less the claims that turned
 * a pod of the same signature away for a reason only the claim itself can change — the pool's taints, hostname
 * topology, host ports, room, or the price of growing onto a larger type. A claim changes only when a pod is added to
 * it, and then it returns to every shortlist at the end of its new pod count's bucket, where ClaimOrder puts it too,
 * so a shortlist is the run's order filtered and a pod takes the same claim it would have found by trying them all
 * (Karpenter tries every NodeClaim for every pod, scheduler.go `add`, which made the solve quadratic here). A
 * signature's pods are scheduled one after another (the queue orders by requests), so shortlists live for one
 * request vector at a time and are dropped when the queue moves on.
 */
import type { ClaimOrder } from "./claim-order.ts";

interface Shortlist<T extends { readonly pods: readonly unknown[] }> {
  readonly order: ClaimOrder<T>;
  /** Built from the plain pods' order: a claim closed to plain pods does not return to it. */
  readonly plain: boolean;
}

export class ClaimShortlists<T extends { readonly pods: readonly unknown[] }> {
  readonly #lists = new Map<string, Shortlist<T>>();
  #requests = "";

  /** The shortlist of a signature, begun from `source` (the run's order for such pods) the first time it is asked. */
  of(signature: string, requests: string, source: ClaimOrder<T>, plain: boolean): ClaimOrder<T> {
    if (requests !== this.#requests) {
      this.#lists.clear();
      this.#requests = requests;
    }
    let list = this.#lists.get(signature);
    if (list === undefined) {
      list = { order: source.copy(), plain };
      this.#lists.set(signature, list);
    }
    return list.order;
  }

  /** A NodeClaim just opened: every signature tries it. */
  opened(claim: T): void {
    for (const list of this.#lists.values()) list.order.add(claim);
  }

  /** A pod was added to the claim: what turned others away may have changed. */
  grew(claim: T, closedToPlain: boolean): void {
    for (const list of this.#lists.values()) if (!(list.plain && closedToPlain)) list.order.returned(claim);
  }

  /** No plain pod will be placed on the claim again (scheduler.ts `closeToPlain`). */
  closedToPlain(claim: T): void {
    for (const list of this.#lists.values()) if (list.plain) list.order.remove(claim);
  }

  /** Topology groups changed (a pod was relaxed): what hostname topology ruled out may no longer hold. */
  clear(): void {
    this.#lists.clear();
  }
}
