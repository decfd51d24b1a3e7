// What the controller manager runs while this replica acts: controller-runtime's manager.Runnable (Start(ctx),
// returning when the context is cancelled) and its reconcile.Reconciler (one pass, a requeue or an error that is
// retried with backoff). A Reconciler becomes a Runnable through reconcileLoop (reconcile-loop.ts).
import type { TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";

/** What a Runnable is given when the manager starts it. */
export interface RunContext {
  /** Aborted when this replica stops acting (lost the lease, Karpenter took over, SIGTERM). */
  readonly signal: AbortSignal;
  /** The manager's logger with the runnable's name (`controller`). */
  readonly logger: Logger;
  readonly clock: TimerClock;
}

export interface Runnable {
  /** In Karpenter's words: `provisioner`, `nodeclaim.lifecycle`, `interruption`, `gitops.sync`. */
  readonly name: string;
  /**
   * Runs until `signal` is aborted, then finishes its current action and resolves. Rejecting (or resolving
   * before the signal) is a failure: the manager logs it and starts the runnable again after a backoff.
   */
  start(context: RunContext): Promise<void>;
}

/** What one reconcile pass is given: its id is in every log line the pass writes. */
export interface ReconcileContext extends RunContext {
  /** controller-runtime's reconcileID: one per pass. */
  readonly reconcileId: string;
}

/** controller-runtime's reconcile.Result: run again after this long (none: wait for a trigger). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler {
  readonly name: string;
  /** One pass; a rejection is logged and the pass retried with backoff (reconcile.Result + error). */
  reconcile(context: ReconcileContext): Promise<ReconcileResult | undefined>;
  /**
   * Subscribes `trigger` to what should start a pass (Cluster.onChange, a push hook); returns the unsubscribe.
   * Triggers during a pass coalesce into one more pass after it, as a workqueue key added while processing.
   */
  watch?(trigger: () => void): () => void;
}
