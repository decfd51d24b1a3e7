// The ports the other parts code against, so that each can run over the real world (adapters/), a simulated one
// (sim/) or a plain in-memory one in tests, and so that pure code never reads the clock or the network itself.
// For now: the cluster's NodePools and EC2NodeClasses, read-only, and the time.

/**
 * A read-only view of the cluster's Karpenter objects, as the API server stores them (v1, defaulted, with
 * metadata and status). The webhook fetches both lists before judging a request that needs them.
 */
export interface ClusterView {
  listNodePools(): Promise<unknown[]>;
  listNodeClasses(): Promise<unknown[]>;
}

/** The time, passed in so that decisions (exemption expiry, budget windows) stay pure and testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant, for tests and for replaying a decision. */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}
