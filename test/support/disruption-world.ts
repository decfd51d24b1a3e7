// The simulated world with poolkeeper's disruption loop running against it beside provisioning, the NodeClaim
// lifecycle and the termination controller, on one fake clock (the provisioning world: the AWS provider over the
// SDK and HTTP to the simulated EC2, the Cluster port in process). The loop is started as `poolkeeper run` starts
// it — a Runnable from `reconcileLoop` over the controller, with an abort signal — and its status events are kept
// for the test to read. `settle` also waits for the pass's calls to the cloud, so time moves only when nothing is
// under way but waits on time or on another controller.
import { setImmediate as nextTurn } from "node:timers/promises";
import {
  DisruptionController,
  type DisruptionLoopDependencies,
  type DisruptionStatusEvent,
} from "../../controller/disruption/index.ts";
import { reconcileLoop } from "../../controller/manager/index.ts";
import { TerminationController } from "../../controller/termination/index.ts";
import { silentLogger } from "../../runtime/index.ts";
import type { KubeObject } from "../../sim/index.ts";
import { type ProvisioningWorld, startProvisioningWorld } from "./provisioning-world.ts";

export interface DisruptionWorld {
  readonly w: ProvisioningWorld;
  readonly termination: TerminationController;
  /** Set once `startDisruption` ran. */
  disruption: DisruptionController | undefined;
  /** What the Git status report was told, in order. */
  readonly status: DisruptionStatusEvent[];
  /** Starts the loop (after the test has built its cluster). */
  startDisruption(deps?: Partial<DisruptionLoopDependencies>): DisruptionController;
  /** Stops the loop as a leader that stops acting does (its pass abandoned where it waits), as a restart would. */
  stopDisruption(): Promise<void>;
  createPdb(name: string, matchLabels: Record<string, string>, minAvailable: number): void;
  settle(): Promise<void>;
  /** Moves the clock in steps until `done` holds; fails after `maxMs` of simulated time, saying `what`. */
  runUntil(done: () => boolean, what: string, maxMs?: number, stepMs?: number): Promise<void>;
  runFor(ms: number, stepMs?: number): Promise<void>;
  nodeClaims(): KubeObject[];
  nodes(): KubeObject[];
  stop(): Promise<void>;
}

export async function startDisruptionWorld(): Promise<DisruptionWorld> {
  const w = await startProvisioningWorld();
  const termination = new TerminationController({ cluster: w.cluster, cloudProvider: w.provider, clock: w.clock });
  termination.start();
  const status: DisruptionStatusEvent[] = [];
  let abort = new AbortController();
  let running: Promise<void> | undefined;
  const settle = async () => {
    for (let round = 0; round < 10_000; round++) {
      await w.settle();
      await nextTurn();
      if (!(result.disruption?.busy ?? false)) return;
      await result.disruption?.idle();
    }
    throw new Error("the disruption loop never settled");
  };
  const result: DisruptionWorld = {
    w,
    termination,
    disruption: undefined,
    status,
    startDisruption(deps = {}) {
      const controller = new DisruptionController({
        cluster: w.cluster,
        cloudProvider: w.provider,
        clock: w.clock,
        nominations: w.provisioner.nominations,
        status: { record: (event) => status.push(event) },
        ...deps,
      });
      result.disruption = controller;
      abort = new AbortController();
      running = reconcileLoop(controller).start({ signal: abort.signal, clock: w.clock, logger: silentLogger() });
      return controller;
    },
    async stopDisruption() {
      abort.abort();
      await running;
      running = undefined;
      result.disruption = undefined;
    },
    createPdb(name, matchLabels, minAvailable) {
      w.world.store.create(w.world.kind("policy", "v1", "poddisruptionbudgets"), "default", {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace: "default" },
        spec: { minAvailable, selector: { matchLabels } },
      });
    },
    settle,
    async runUntil(done, what, maxMs = 30 * 60_000, stepMs = 1_000) {
      await settle();
      for (let passed = 0; !done(); passed += stepMs) {
        if (passed >= maxMs) throw new Error(`${what}: not within ${maxMs / 1000} s of simulated time`);
        w.clock.step(stepMs);
        await settle();
      }
    },
    async runFor(ms, stepMs = 1_000) {
      for (let passed = 0; passed < ms; passed += stepMs) {
        w.clock.step(Math.min(stepMs, ms - passed));
        await settle();
      }
    },
    nodeClaims: () => w.list("karpenter.sh/v1", "NodeClaim"),
    nodes: () => w.list("v1", "Node"),
    async stop() {
      abort.abort();
      await running;
      await termination.stop();
      await w.stop();
    },
  };
  return result;
}

/** Whether the object's status has the condition True. */
export function conditionTrue(object: KubeObject, type: string): boolean {
  const conditions = (object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return (conditions ?? []).some((c) => c.type === type && c.status === "True");
}
