// The interruption controller's prom-client metrics (Karpenter's `karpenter_interruption_*`, under poolkeeper's
// prefix), made into the given registry. The controller records through the narrow `InterruptionMetrics`.
import { Counter, Histogram, type Registry } from "prom-client";

export interface InterruptionMetrics {
  received: { inc(labels: { message_type: string }): void };
  deleted: { inc(labels: { message_type: string }): void };
  /** Seconds from the notice (the envelope's time) to the message's deletion. */
  queueDuration: { observe(labels: { message_type: string }, seconds: number): void };
  /** Seconds from the notice to the node drained (or its instance gone, when the deadline cut the drain). */
  noticeToDrained: { observe(labels: { message_type: string }, seconds: number): void };
  unhealthy: { inc(labels: { check: string }): void };
}

export function createInterruptionMetrics(registry: Registry): InterruptionMetrics {
  const registers = [registry];
  const labelNames = ["message_type"] as const;
  return {
    received: new Counter({
      name: "poolkeeper_interruption_received_messages_total",
      help: "Interruption queue messages received, by message type (no_op, malformed for the rest).",
      labelNames,
      registers,
    }),
    deleted: new Counter({
      name: "poolkeeper_interruption_deleted_messages_total",
      help: "Interruption queue messages deleted once handled, by message type.",
      labelNames,
      registers,
    }),
    queueDuration: new Histogram({
      name: "poolkeeper_interruption_message_queue_duration_seconds",
      help: "Time from an interruption notice to its message being handled and deleted.",
      labelNames,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    noticeToDrained: new Histogram({
      name: "poolkeeper_interruption_notice_to_drained_seconds",
      help: "Time from an interruption notice to its node drained, by message type.",
      labelNames,
      buckets: [5, 10, 20, 30, 45, 60, 75, 90, 105, 120, 180, 300, 600],
      registers,
    }),
    unhealthy: new Counter({
      name: "poolkeeper_interruption_instance_status_unhealthy_total",
      help: "Instances DescribeInstanceStatus reported impaired or with a scheduled event, by check.",
      labelNames: ["check"] as const,
      registers,
    }),
  };
}
