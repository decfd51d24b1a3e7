// A Reconciler run as a Runnable, as controller-runtime's controller runs one key of its workqueue: a pass at
// start, then one per trigger (triggers during a pass coalesce into one more pass after it), one at the requeue
// time a pass asks for, and after a failure one at the backoff's delay (failure-backoff.ts). Every line a pass
// logs carries its reconcileId. Stopping lets the pass under way finish: an action is never cut in half.
import { randomUUID } from "node:crypto";
import type { Timer } from "../../api/index.ts";
import { FailureBackoff, type FailureBackoffOptions } from "./failure-backoff.ts";
import type { ReconcileResult, Reconciler, RunContext, Runnable } from "./runnable.ts";

export interface ReconcileLoopOptions {
  backoff?: FailureBackoffOptions;
  /** The id of each pass; random UUIDs (controller-runtime's reconcileID) by default. */
  newId?: () => string;
}

export function reconcileLoop(reconciler: Reconciler, options: ReconcileLoopOptions = {}): Runnable {
  return {
    name: reconciler.name,
    start: (context) => runLoop(reconciler, context, options),
  };
}

async function runLoop(reconciler: Reconciler, context: RunContext, options: ReconcileLoopOptions): Promise<void> {
  const { signal, clock, logger } = context;
  const backoff = new FailureBackoff(options.backoff);
  const newId = options.newId ?? randomUUID;
  let wanted = true;
  let wake: (() => void) | undefined;
  let timer: Timer | undefined;
  const trigger = (): void => {
    wanted = true;
    wake?.();
  };
  const at = (delayMs: number): void => {
    timer?.stop();
    timer = clock.afterFunc(delayMs, trigger);
  };
  const unsubscribe = reconciler.watch?.(trigger);
  const onAbort = (): void => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      if (!wanted) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      wanted = false;
      timer?.stop();
      const reconcileId = newId();
      const passLogger = logger.child({ reconcileId });
      let result: ReconcileResult | undefined;
      try {
        result = await reconciler.reconcile({ ...context, logger: passLogger, reconcileId });
      } catch (error) {
        const delayMs = backoff.when();
        passLogger.error(
          {
            err: error instanceof Error ? error.message : String(error),
            failures: backoff.failures,
            retryInMs: delayMs,
          },
          "reconcile failed",
        );
        at(delayMs);
        continue;
      }
      backoff.forget();
      if (result?.requeueAfterMs !== undefined) at(result.requeueAfterMs);
    }
  } finally {
    timer?.stop();
    unsubscribe?.();
    signal.removeEventListener("abort", onAbort);
  }
}
