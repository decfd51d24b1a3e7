// What one node's termination came to, for whoever started it (interruption's status report and metrics,
// disruption's later): counted by the process that drained it.
export interface TerminationReport {
  readonly nodeClaim: string;
  /** Its Node's name, also when the Node was deleted before (the NodeClaim's `status.nodeName`). */
  readonly node?: string;
  readonly pool?: string;
  readonly providerID?: string;
  /** The NodeClaim's annotations at its end: why it terminated, for whoever started it (an interruption's notice). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The NodeClaim's deletionTimestamp (ms since the epoch). */
  readonly deletedAt: number;
  /** When the last pod the drain waited for was gone (undefined when the deadline cut the drain short). */
  readonly drainedAt?: number;
  /** When the instance was found gone and the finalizer removed. */
  readonly terminatedAt: number;
  /** Pods evicted through the eviction API. */
  readonly evicted: number;
  /** Pods deleted because the deadline left no time to evict them (PDB-blocked ones included). */
  readonly deletedAtDeadline: number;
  /** Evictions refused with a 429 (a disruption budget) and retried. */
  readonly blockedEvictions: number;
  /** True when the deadline passed before the drain finished (the drain and volume waits were skipped). */
  readonly forced: boolean;
}
