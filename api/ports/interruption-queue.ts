/**
 * The interruption queue: the SQS queue EventBridge delivers spot interruptions, rebalance recommendations, health
 * and state-change events to (aws:pkg/providers/sqs). `adapters/aws/` implements it over SQS; tests in memory.
 */

export interface QueueMessage {
  readonly id: string;
  /** What deletes it or changes its visibility; valid until it is received again. */
  readonly receiptHandle: string;
  readonly body: string;
  /** `ApproximateReceiveCount`: 1 on first delivery. */
  readonly receiveCount: number;
}

export interface ReceiveOptions {
  /** 1–10; Karpenter asks for 10. */
  readonly maxMessages?: number;
  /** Long poll, 0–20 s; Karpenter waits 20. */
  readonly waitSeconds?: number;
  /** How long a received message stays hidden; Karpenter uses 20 s. */
  readonly visibilityTimeoutSeconds?: number;
}

export interface InterruptionQueue {
  /** Up to `maxMessages` messages, or none when the long poll ends empty. */
  receive(options?: ReceiveOptions): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Hides the message for `seconds` from now (0 makes it visible at once). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}
