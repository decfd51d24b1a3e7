// Instances becoming Nodes, and Nodes going away with their instances: the piece of the world that stands for the
// node's boot, its kubelet's registration and the cloud node lifecycle controller, over the world's cloud, the
// object store and the clock. A boot delay after launch (60 s of simulated time by default, or when the instance
// starts running, if later) each instance is judged once (boot-check.ts): one that would join registers its Node; one that
// would not keeps running and never becomes a node, and `events` (and the log) say why. When an instance shuts
// down its Node goes NotReady after the node monitor's grace period (the node lifecycle controller's
// `node.kubernetes.io/unreachable` taints), and once it is terminated the Node is deleted, as the cloud node
// lifecycle controller deletes a node whose instance no longer exists.
//
// New instances are noticed by a check every `pollMs` (1 s); each moment something is due (a boot, a grace
// period's end, a termination) gets its own timer on the clock, so what happens does not depend on the polling.
import type { Timer, TimerClock } from "../../../api/index.ts";
import type { Logger } from "../../../runtime/index.ts";
import type { ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";
import type { Cloud } from "../cloud/index.ts";
import type { Instance } from "../cloud/instance.ts";
import { checkBoot } from "./boot-check.ts";
import { nodeObject } from "./node-object.ts";

export interface NodeRegistrationOptions {
  clock: TimerClock;
  /** Simulated time from launch to the Node's registration; 60 s by default. */
  bootDelayMs?: number;
  /** How long after its instance starts shutting down a Node goes NotReady; 40 s by default. */
  nodeMonitorGracePeriodMs?: number;
  /** How often new instances are looked for; 1 s by default. */
  pollMs?: number;
  logger?: Logger;
}

export type BootOutcome = "Registered" | "NotRegistered" | "NodeNotReady" | "NodeDeleted";

/** One thing that happened to an instance's node, in the order it happened. */
export interface BootEvent {
  time: string;
  instanceId: string;
  outcome: BootOutcome;
  nodeName?: string;
  /** Why, in words: the boot check's reason for NotRegistered. */
  message: string;
}

interface Tracked {
  outcome?: "Registered" | "NotRegistered";
  nodeName?: string;
  notReady?: boolean;
  deleted?: boolean;
}

export class NodeRegistration {
  readonly events: BootEvent[] = [];
  readonly #cloud: Cloud;
  readonly #store: ObjectStore;
  readonly #nodes: ResourceKind;
  readonly #clock: TimerClock;
  readonly #bootDelayMs: number;
  readonly #graceMs: number;
  readonly #pollMs: number;
  readonly #logger: Logger | undefined;
  readonly #tracked = new Map<string, Tracked>();
  readonly #armed = new Map<number, Timer>();
  #poll: Timer | undefined;
  #running = false;

  constructor(cloud: Cloud, store: ObjectStore, options: NodeRegistrationOptions) {
    const nodes = store.registry.resource("", "v1", "nodes");
    if (!nodes) throw new Error("the store serves no core/v1 nodes");
    this.#cloud = cloud;
    this.#store = store;
    this.#nodes = nodes;
    this.#clock = options.clock;
    this.#bootDelayMs = options.bootDelayMs ?? 60_000;
    this.#graceMs = options.nodeMonitorGracePeriodMs ?? 40_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#logger = options.logger;
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.reconcile();
    this.#schedulePoll();
    return this;
  }

  stop(): void {
    this.#running = false;
    this.#poll?.stop();
    for (const timer of this.#armed.values()) timer.stop();
    this.#armed.clear();
  }

  #schedulePoll(): void {
    this.#poll = this.#clock
      .afterFunc(this.#pollMs, () => {
        if (!this.#running) return;
        this.#reconcileLogged();
        this.#schedulePoll();
      })
      .unref();
  }

  /** A pass from a timer: a failure is logged, never thrown into the clock's callback (it would end the process). */
  #reconcileLogged(): void {
    try {
      this.reconcile();
    } catch (error) {
      this.#logger?.error({ err: error }, "node registration pass failed");
    }
  }

  /** Brings every instance's node up to date with the clock, and arms a timer for the next moment that matters. */
  reconcile(): void {
    const now = this.#clock.now().getTime();
    for (const instance of this.#cloud.instances()) {
      const tracked = this.#tracked.get(instance.id) ?? {};
      this.#tracked.set(instance.id, tracked);
      this.#step(instance, tracked, now);
      const next = this.#nextDue(instance, tracked, now);
      if (next !== undefined) this.#arm(next);
    }
  }

  #arm(due: number): void {
    if (!this.#running || this.#armed.has(due)) return;
    const delay = due - this.#clock.now().getTime();
    const timer = this.#clock
      .afterFunc(delay, () => {
        this.#armed.delete(due);
        if (this.#running) this.#reconcileLogged();
      })
      .unref();
    this.#armed.set(due, timer);
  }

  /** The boot delay after launch, or the moment the instance runs if it is pending longer than that. */
  #bootAt(instance: Instance): number {
    return instance.launchedAt + Math.max(this.#bootDelayMs, this.#cloud.scenario.pendingMs);
  }

  #nextDue(instance: Instance, tracked: Tracked, now: number): number | undefined {
    const { shuttingDownMs } = this.#cloud.scenario;
    const candidates: number[] = [];
    if (tracked.outcome === undefined && instance.terminatedAt === undefined) {
      candidates.push(this.#bootAt(instance));
    }
    if (tracked.outcome === "Registered" && instance.terminatedAt !== undefined) {
      if (!tracked.notReady) candidates.push(instance.terminatedAt + this.#graceMs);
      if (!tracked.deleted) candidates.push(instance.terminatedAt + shuttingDownMs);
    }
    return candidates.filter((t) => t > now).sort((a, b) => a - b)[0];
  }

  #step(instance: Instance, tracked: Tracked, now: number): void {
    const state = this.#cloud.stateOf(instance);
    if (tracked.outcome === undefined) {
      if (instance.terminatedAt !== undefined) {
        // Terminated before it booted: it never was a node.
        tracked.outcome = "NotRegistered";
        return;
      }
      if (state === "running" && now >= this.#bootAt(instance)) this.#boot(instance, tracked);
      return;
    }
    if (tracked.outcome !== "Registered" || instance.terminatedAt === undefined) return;
    if (state === "terminated" && !tracked.deleted) {
      tracked.deleted = true;
      this.#deleteNode(instance, tracked);
    } else if (!tracked.notReady && !tracked.deleted && now >= instance.terminatedAt + this.#graceMs) {
      tracked.notReady = true;
      this.#markNotReady(instance, tracked);
    }
  }

  #record(event: Omit<BootEvent, "time">): void {
    const full = { time: this.#clock.now().toISOString(), ...event };
    this.events.push(full);
    const level = event.outcome === "NotRegistered" ? "warn" : "info";
    this.#logger?.[level](
      { instanceId: event.instanceId, node: event.nodeName, outcome: event.outcome },
      event.message,
    );
  }

  #boot(instance: Instance, tracked: Tracked): void {
    const check = checkBoot(this.#cloud, instance);
    const type = this.#cloud.instanceType(instance.instanceType);
    if (!check.joins || !type) {
      tracked.outcome = "NotRegistered";
      const reason = check.joins ? `instance type ${instance.instanceType} is unknown` : check.reason;
      this.#record({
        instanceId: instance.id,
        outcome: "NotRegistered",
        message: `${instance.id} never joins: ${reason}`,
      });
      return;
    }
    let node: KubeObject;
    try {
      node = nodeObject({
        instance,
        type,
        imageName: this.#cloud.image(instance.imageId).name,
        bootstrap: check.bootstrap,
        scenario: this.#cloud.scenario,
        now: this.#clock.now(),
      });
    } catch (error) {
      tracked.outcome = "NotRegistered";
      this.#record({
        instanceId: instance.id,
        outcome: "NotRegistered",
        message: `${instance.id} never joins: kubelet: ${(error as Error).message}`,
      });
      return;
    }
    const name = String(node.metadata?.name);
    try {
      this.#store.create(this.#nodes, undefined, node);
    } catch (error) {
      // A Node of that name already there (written by someone else) or refused by the store: the kubelet would
      // keep retrying; the world records it once.
      tracked.outcome = "NotRegistered";
      this.#record({
        instanceId: instance.id,
        outcome: "NotRegistered",
        message: `${instance.id} never joins: registering node ${name} failed: ${(error as Error).message}`,
      });
      return;
    }
    tracked.outcome = "Registered";
    tracked.nodeName = name;
    this.#record({
      instanceId: instance.id,
      outcome: "Registered",
      nodeName: name,
      message: `node ${name} registered`,
    });
  }

  #markNotReady(instance: Instance, tracked: Tracked): void {
    const name = tracked.nodeName ?? "";
    const node = this.#store.find(this.#nodes, undefined, name);
    if (!node) return;
    const time = this.#clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    const status = (node.status ?? {}) as { conditions?: { type: string }[] };
    const spec = (node.spec ?? {}) as { taints?: { key: string; effect: string }[] };
    const unreachable = ["NoSchedule", "NoExecute"].map((effect) => ({
      key: "node.kubernetes.io/unreachable",
      effect,
      ...(effect === "NoExecute" ? { timeAdded: time } : {}),
    }));
    const message = "Kubelet stopped posting node status.";
    this.#store.update(this.#nodes, undefined, name, {
      ...node,
      spec: {
        ...spec,
        taints: [...(spec.taints ?? []).filter((t) => t.key !== "node.kubernetes.io/unreachable"), ...unreachable],
      },
    });
    const fresh = this.#store.get(this.#nodes, undefined, name);
    this.#store.update(
      this.#nodes,
      undefined,
      name,
      {
        ...fresh,
        status: {
          ...status,
          conditions: (status.conditions ?? []).map((c) => ({
            ...c,
            status: "Unknown",
            reason: "NodeStatusUnknown",
            message,
            lastTransitionTime: time,
          })),
        },
      },
      { subresource: "status" },
    );
    this.#record({
      instanceId: instance.id,
      outcome: "NodeNotReady",
      nodeName: name,
      message: `node ${name}: ${message}`,
    });
  }

  #deleteNode(instance: Instance, tracked: Tracked): void {
    const name = tracked.nodeName ?? "";
    if (!this.#store.find(this.#nodes, undefined, name)) return;
    this.#store.delete(this.#nodes, undefined, name);
    this.#record({
      instanceId: instance.id,
      outcome: "NodeDeleted",
      nodeName: name,
      message: `node ${name} deleted: instance ${instance.id} is terminated`,
    });
  }
}
