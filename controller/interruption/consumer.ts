// The interruption queue's consumer: long polls (20 s) for batches of up to 10, handles a configurable number of
// messages at once, and deletes each message as soon as its handling resolves (the taint and the NodeClaim's
// deletion persisted, or nothing to do); a handling that rejects leaves the message to come back after its
// visibility timeout. A failed receive backs off exponentially on the TimerClock (1 s doubling to 30 s) and
// recovers on the next answer; nothing is lost, since SQS keeps what was not deleted.
//
// Why not sqs-consumer (v15), which the issue names for this loop: it retries a failed ReceiveMessage after its
// fixed `pollingWaitTimeMs` (0 by default: a busy loop against a queue answering 503) and backs off only on
// authentication and connection errors, by a fixed 10 s — no growing backoff through an outage; its polling waits,
// heartbeats and timeouts are the process's setTimeout, so none of them can run on the controller's clock (a test
// cannot move through an outage or a long poll); it takes only an SQSClient, so it cannot drive the in-process
// port; and it waits for the slowest handler of a batch before polling again, which would tie the next batch's
// cordon latency to the drains in flight. Heartbeats are not needed here: a message is deleted once its durable
// act is done, seconds at most, long before the 20 s visibility runs out.
import type { InterruptionQueue, QueueMessage, Timer, TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";
import type { HandledMessage } from "./interruption-controller.ts";
import type { InterruptionMetrics } from "./metrics.ts";

export interface ConsumerOptions {
  queue: InterruptionQueue;
  handle(message: QueueMessage): Promise<HandledMessage>;
  clock: TimerClock;
  logger?: Logger;
  metrics?: InterruptionMetrics;
  /** Messages handled at once; 10 (Karpenter handles a batch of 10 in parallel). */
  concurrency?: number;
  /** Long poll, seconds; 20. */
  waitSeconds?: number;
  /** How long a received message stays hidden, seconds; 20 (Karpenter's). */
  visibilityTimeoutSeconds?: number;
  backoff?: { minMs: number; maxMs: number };
  /** Told after each message is done: deleted (with what handling said) or left queued (with the error). */
  onDone?: (done: ConsumedMessage) => void;
  /** Told after each failed receive, with the backoff before the next. */
  onReceiveError?: (error: unknown, backoffMs: number) => void;
}

export type ConsumedMessage =
  | { message: QueueMessage; deleted: true; handled: HandledMessage }
  | { message: QueueMessage; deleted: false; error: unknown };

export class InterruptionConsumer {
  readonly #o: ConsumerOptions;
  readonly #concurrency: number;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #failures = 0;
  #wake: (() => void) | undefined;
  #sleep: Timer | undefined;

  constructor(options: ConsumerOptions) {
    this.#o = options;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    void this.#run().catch((error: unknown) =>
      this.#o.logger?.error({ err: error }, "the interruption consumer stopped"),
    );
    return this;
  }

  /**
   * Stops polling and waits for the messages being handled. A long poll already sent cannot be called back: what
   * it brings after the stop is made visible again at once, for the next consumer.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#sleep?.stop();
    this.#wake?.();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #run(): Promise<void> {
    const { queue, clock } = this.#o;
    while (this.#running) {
      const free = this.#concurrency - this.#inFlight.size;
      if (free <= 0) {
        await Promise.race(this.#inFlight);
        continue;
      }
      let messages: QueueMessage[];
      try {
        messages = await queue.receive({
          maxMessages: Math.min(10, free),
          waitSeconds: this.#o.waitSeconds ?? 20,
          visibilityTimeoutSeconds: this.#o.visibilityTimeoutSeconds ?? 20,
        });
        this.#failures = 0;
      } catch (error) {
        if (!this.#running) return;
        const { minMs, maxMs } = this.#o.backoff ?? { minMs: 1_000, maxMs: 30_000 };
        const wait = Math.min(maxMs, minMs * 2 ** this.#failures++);
        this.#o.logger?.warn({ err: error, backoffMs: wait }, "receiving from the interruption queue failed");
        this.#o.onReceiveError?.(error, wait);
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#sleep = clock.afterFunc(wait, resolve);
        });
        continue;
      }
      if (!this.#running) {
        await Promise.allSettled(messages.map((m) => queue.changeVisibility(m.receiptHandle, 0)));
        return;
      }
      for (const message of messages) this.#dispatch(message);
    }
  }

  #dispatch(message: QueueMessage): void {
    const work = this.#consume(message).finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  }

  async #consume(message: QueueMessage): Promise<void> {
    const { queue, metrics, logger, clock } = this.#o;
    let handled: HandledMessage;
    try {
      handled = await this.#o.handle(message);
    } catch (error) {
      logger?.warn({ messageId: message.id, err: error }, "handling an interruption message failed; it stays queued");
      this.#o.onDone?.({ message, deleted: false, error });
      return;
    }
    try {
      await queue.delete(message.receiptHandle);
    } catch (error) {
      // Redelivered later, and then a no-op: the act it asked for is done.
      logger?.warn({ messageId: message.id, err: error }, "deleting an interruption message failed");
      this.#o.onDone?.({ message, deleted: false, error });
      return;
    }
    metrics?.deleted.inc({ message_type: handled.messageType });
    if (handled.noticeAt !== undefined) {
      const seconds = Math.max(0, (clock.now().getTime() - handled.noticeAt) / 1000);
      metrics?.queueDuration.observe({ message_type: handled.messageType }, seconds);
    }
    this.#o.onDone?.({ message, deleted: true, handled });
  }
}
