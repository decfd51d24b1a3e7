// The InterruptionQueue port in process over the world's SQS queues, for tests that need no wire: the same
// defaults, limits and long poll as adapters/aws's SqsInterruptionQueue against the simulated SQS (both wait on the
// world's clock), and the world's SQS errors as the port's typed errors. Mirrors aws:pkg/providers/sqs's calls.
import {
  AwsApiError,
  type InterruptionQueue,
  NotFound,
  type QueueMessage,
  type ReceiveOptions,
} from "../../../api/index.ts";
import { CloudError } from "./cloud-error.ts";
import type { Queue, Queues } from "./queues.ts";

// aws:pkg/providers/sqs/sqs.go: 10 messages, 20 s long poll, 20 s visibility; SQS's limits on each.
const DEFAULTS = { maxMessages: 10, waitSeconds: 20, visibilityTimeoutSeconds: 20 } as const;
const MAX_WAIT_SECONDS = 20;
const MAX_VISIBILITY_SECONDS = 43_200;

/** A world SQS error as the port's error: a missing queue is NotFound, the rest keep their SQS code. */
function portError(error: unknown): unknown {
  if (!(error instanceof CloudError)) return error;
  if (error.code === "QueueDoesNotExist") return new NotFound(error.code, error.message, { cause: error });
  return new AwsApiError(error.code, error.message, { cause: error });
}

function checkedInteger(name: string, value: number, [min, max]: [number, number]): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CloudError(
      "InvalidParameterValue",
      `Value ${value} for parameter ${name} is invalid. Reason: Must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

export class WorldInterruptionQueue implements InterruptionQueue {
  readonly queueName: string;
  readonly #queues: Queues;

  constructor(queues: Queues, queueName: string) {
    this.#queues = queues;
    this.queueName = queueName;
  }

  async #call<T>(call: (queue: Queue) => T | Promise<T>): Promise<T> {
    try {
      return await call(this.#queues.byName(this.queueName));
    } catch (error) {
      throw portError(error);
    }
  }

  receive(options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    return this.#call(async (queue) => {
      const max = checkedInteger("MaxNumberOfMessages", options.maxMessages ?? DEFAULTS.maxMessages, [1, 10]);
      const visibility = checkedInteger(
        "VisibilityTimeout",
        options.visibilityTimeoutSeconds ?? DEFAULTS.visibilityTimeoutSeconds,
        [0, MAX_VISIBILITY_SECONDS],
      );
      const wait = checkedInteger(
        "WaitTimeSeconds",
        Math.min(options.waitSeconds ?? DEFAULTS.waitSeconds, MAX_WAIT_SECONDS),
        [0, MAX_WAIT_SECONDS],
      );
      const messages = await queue.longPoll(max, visibility, wait);
      return messages.map((m) => ({
        id: m.id,
        receiptHandle: m.receiptHandle ?? "",
        body: m.body,
        receiveCount: m.receiveCount,
      }));
    });
  }

  delete(receiptHandle: string): Promise<void> {
    return this.#call((queue) => queue.delete(receiptHandle));
  }

  changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    return this.#call((queue) =>
      queue.changeVisibility(receiptHandle, checkedInteger("VisibilityTimeout", seconds, [0, MAX_VISIBILITY_SECONDS])),
    );
  }
}
