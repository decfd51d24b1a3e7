// A controller that starts its own watches and timers (the Provisioner, the NodeClaim lifecycle and garbage
// collection, the termination controller, the interruption consumer) run as a Runnable: built and started each
// time this replica starts acting — so a replica that leads again starts from the cluster's state, not from what
// it knew before — and stopped, its work under way finished, when it stops acting (controller-runtime's
// manager.RunnableFunc around a controller's Start).
import type { RunContext, Runnable } from "./runnable.ts";

/** What a started controller is asked when the replica stops acting. */
export interface StartedController {
  stop(): void | Promise<void>;
  /** Resolves once its work under way is done. */
  idle?(): Promise<void>;
}

export function controllerRunnable(
  name: string,
  start: (context: RunContext) => StartedController | Promise<StartedController>,
): Runnable {
  return {
    name,
    async start(context) {
      const controller = await start(context);
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        else context.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await controller.stop();
      await controller.idle?.();
    },
  };
}
