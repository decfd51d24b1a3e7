/**
 * Pods nominated to nodes and in-flight NodeClaims, in memory as Karpenter keeps them (core:pkg/controllers/state
 * `NominateNodeForPod`, with a Nominated event on the pod): a pod nominated to a NodeClaim still launching is
 * not pending for the next batch, so no second node is launched for it. A nomination lapses when its target is
 * gone (not in the cache a nomination window after it was made: a create may still be on its way) or being deleted, or a while after the target initialized (Karpenter's nomination window, twice the batch
 * window's maximum): then a pod the kube-scheduler still has not bound is provisioned for again.
 */
export const DEFAULT_NOMINATION_WINDOW_MS = 20_000;

export interface Nomination {
  /** A StateNode's key: the NodeClaim's name, or the Node's for a node without one. */
  readonly target: string;
  /** The NodeClaim was created for this pod, so its own requests already count it. */
  readonly createdFor: boolean;
  /** When it was made: a target the cache does not show yet (its create still on the way) holds it a while. */
  readonly at: Date;
}

export class Nominations {
  readonly #byPod = new Map<string, Nomination>();

  nominate(pod: string, target: string, at: Date, options: { createdFor?: boolean } = {}): void {
    this.#byPod.set(pod, { target, createdFor: options.createdFor === true, at });
  }

  forget(pod: string): void {
    this.#byPod.delete(pod);
  }

  /** Drops every nomination to the target (its NodeClaim failed to launch, or is gone). */
  forgetTarget(target: string): string[] {
    const pods = [...this.#byPod].filter(([, n]) => n.target === target).map(([pod]) => pod);
    for (const pod of pods) this.#byPod.delete(pod);
    return pods;
  }

  get(pod: string): Nomination | undefined {
    return this.#byPod.get(pod);
  }

  get size(): number {
    return this.#byPod.size;
  }

  /** A copy, for a pure state build. */
  snapshot(): ReadonlyMap<string, Nomination> {
    return new Map(this.#byPod);
  }
}
