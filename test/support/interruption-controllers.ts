// The controllers `poolkeeper run` will assemble for interruption, assembled here over an interruption world: the
// termination controller (whose reports close interruptions), the interruption controller and its consumer over
// the given queue, metrics in their own registry, and the status events kept for the test to read.
import { Registry } from "prom-client";
import type { InterruptionQueue } from "../../api/index.ts";
import {
  createInterruptionMetrics,
  InterruptionConsumer,
  InterruptionController,
  type InstanceStatusSource,
  type InterruptionMetrics,
  TerminationController,
  type TerminationReport,
} from "../../controller/index.ts";
import type { ConsumedMessage, InterruptionStatusEvent } from "../../controller/interruption/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { guardAgainstHang } from "./hang-guard.ts";
import type { InterruptionWorld } from "./interruption-world.ts";

export interface InterruptionControllers {
  interruption: InterruptionController;
  termination: TerminationController;
  consumer: InterruptionConsumer;
  registry: Registry;
  metrics: InterruptionMetrics;
  statusEvents: InterruptionStatusEvent[];
  reports: TerminationReport[];
  done: ConsumedMessage[];
  receiveErrors: number[];
  /** Resolves once `count` messages are done (deleted or left queued): an event to wait for, not a time. */
  whenDone(count: number): Promise<void>;
  /** Resolves once `count` receives have failed. */
  whenReceiveErrors(count: number): Promise<void>;
  /** A metric's value for the labels, from the registry (0 when never recorded). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export function startInterruptionControllers(
  w: InterruptionWorld,
  options: { queue: InterruptionQueue; instanceStatus?: InstanceStatusSource; logger?: Logger },
): InterruptionControllers {
  const registry = new Registry();
  const metrics = createInterruptionMetrics(registry);
  const statusEvents: InterruptionStatusEvent[] = [];
  const reports: TerminationReport[] = [];
  const done: ConsumedMessage[] = [];
  const receiveErrors: number[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const until = (check: () => boolean, what: string) =>
    guardAgainstHang(
      new Promise<void>((resolve) => {
        const waiter = () => {
          if (!check()) return;
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
        waiter();
      }),
      what,
    );
  const interruption = new InterruptionController({
    cluster: w.cluster,
    cloudProvider: w.provider,
    clock: w.clock,
    metrics,
    status: { record: (event) => statusEvents.push(event) },
    ...(options.instanceStatus ? { instanceStatus: options.instanceStatus } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const termination = new TerminationController({
    cluster: w.cluster,
    cloudProvider: w.provider,
    clock: w.clock,
    onTerminated: (report) => {
      reports.push(report);
      interruption.terminated(report);
    },
  }).start();
  const consumer = new InterruptionConsumer({
    queue: options.queue,
    handle: (message) => interruption.handleMessage(message),
    clock: w.clock,
    metrics,
    onDone: (d) => {
      done.push(d);
      notify();
    },
    onReceiveError: (_error, backoffMs) => {
      receiveErrors.push(backoffMs);
      notify();
    },
    ...(options.logger ? { logger: options.logger } : {}),
  }).start();
  return {
    interruption,
    termination,
    consumer,
    registry,
    metrics,
    statusEvents,
    reports,
    done,
    receiveErrors,
    whenDone: (count) => until(() => done.length >= count, `${count} message(s) done`),
    whenReceiveErrors: (count) => until(() => receiveErrors.length >= count, `${count} failed receive(s)`),
    async metric(name, labels = {}) {
      const metric = registry.getSingleMetric(name);
      if (metric === undefined) return 0;
      const { values } = await metric.get();
      const matching = values.filter(
        (v) =>
          Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value) &&
          !("metricName" in v && String(v.metricName).endsWith("_bucket")),
      );
      const count = matching.find((v) => "metricName" in v && String(v.metricName).endsWith("_count"));
      return count ? count.value : matching.reduce((sum, v) => sum + v.value, 0);
    },
    async stop() {
      await consumer.stop();
      await termination.stop();
      interruption.close();
    },
  };
}
