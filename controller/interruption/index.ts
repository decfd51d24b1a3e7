// Interruption (Karpenter's aws:pkg/controllers/interruption): the queue's consumer, EventBridge messages as typed
// events, the actions they call for through termination's one drain, the DescribeInstanceStatus poll, and what is
// reported (Events, metrics, the Git status). See docs/interruption.md.
export { type ConsumedMessage, InterruptionConsumer, type ConsumerOptions } from "./consumer.ts";
export { instanceIdOf } from "./claim-index.ts";
export {
  type HandledMessage,
  type InstanceOutcome,
  InterruptionController,
  type InterruptionControllerOptions,
  INTERRUPTION_NOTICE_MS,
} from "./interruption-controller.ts";
export {
  type InstanceStatus,
  type InstanceStatusSource,
  type InstanceStatusVerdict,
  instanceStatusVerdicts,
} from "./instance-status.ts";
export {
  type InterruptionEvent,
  MAX_BODY_BYTES,
  type MessageKind,
  type ParsedMessage,
  parseMessage,
} from "./messages.ts";
export { type InterruptionEndOptions, reportInterruptionEnd } from "./interruption-end.ts";
export { createInterruptionMetrics, type InterruptionMetrics } from "./metrics.ts";
export { type InterruptionQueueRef, resolveInterruptionQueue } from "./queue-name.ts";
export { ANNOTATION_REBALANCE, type RebalanceDecision, rebalanceDecision, rebalancePolicy } from "./rebalance.ts";
export type { InterruptionStatusEvent, InterruptionStatusSink } from "./status-sink.ts";
