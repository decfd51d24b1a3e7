// The loops `poolkeeper run` hosts, registered with the controller manager in one place: each runs only while
// this replica leads and no Karpenter controller holds its lease. Today that is the Git sync; each controller
// loop (provisioning, NodeClaim lifecycle and garbage collection, termination, interruption, disruption) is one
// more entry in `controllerLoops`, built from `ControllerDependencies` — the real adapters, the settings and the
// one status publisher — and wrapped with `reconcileLoop` when it is a Reconciler.
import type { AwsPorts, Cluster, InterruptionQueue, TimerClock } from "../../api/index.ts";
import type { Runnable } from "../../controller/index.ts";
import { startSyncLoop, type StatusPublisher, type SyncResult, type Syncer } from "../../gitops/index.ts";
import type { Logger } from "../../runtime/index.ts";
import type { Registry } from "prom-client";
import type { ControllerSettings } from "../run-settings.ts";

/** What the loops are built from. */
export interface ControllerDependencies {
  settings: ControllerSettings;
  /** The Cluster port over the API server, its caches synced. */
  cluster: Cluster;
  /** EC2, SSM and IAM over the SDK (region, credentials, endpoints from the default chain unless overridden). */
  aws: AwsPorts;
  /** With --interruption-queue. */
  interruptionQueue?: InterruptionQueue;
  /** The one status publisher: every action and non-action with its reason goes to Git through it. */
  publisher?: StatusPublisher;
  registry: Registry;
  clock: TimerClock;
  logger: Logger;
  git: GitSyncDependencies;
}

export interface GitSyncDependencies {
  syncer: Syncer;
  pollIntervalMs: number;
  /** The push hook's trigger, pointed at the running loop while there is one. */
  pushes: PushTrigger;
  onSync?: (result: SyncResult) => void;
}

/** Where the push hook sends a verified push: the sync loop while it runs, nowhere while standing by. */
export class PushTrigger {
  #target: (() => void) | undefined;

  set target(trigger: (() => void) | undefined) {
    this.#target = trigger;
  }

  trigger(): void {
    this.#target?.();
  }
}

/** The registration point: every loop `run` starts while it acts, in start order. */
export function controllerLoops(deps: ControllerDependencies): Runnable[] {
  return [
    gitSyncLoop(deps.git),
    // Controller loops join here, one entry each, e.g. reconcileLoop(provisioner(deps)).
  ];
}

/** `sync`'s loop (poll with jitter and backoff, push-hook triggers coalesced) as a runnable. */
export function gitSyncLoop(git: GitSyncDependencies): Runnable {
  return {
    name: "gitops.sync",
    async start({ signal, clock, logger }) {
      const loop = startSyncLoop({
        sync: () => git.syncer.sync(),
        intervalMs: git.pollIntervalMs,
        signal,
        clock,
        ...(git.onSync ? { onSync: git.onSync } : {}),
        onError: (error) =>
          logger.error({ err: error instanceof Error ? error.message : String(error) }, "sync crashed"),
      });
      git.pushes.target = () => loop.trigger();
      try {
        await loop.done;
      } finally {
        git.pushes.target = undefined;
      }
    },
  };
}
