/**
 * The interruption queue over `@aws-sdk/client-sqs`, as aws:pkg/providers/sqs polls it: ReceiveMessage with a
 * long poll and a visibility timeout, DeleteMessage, ChangeMessageVisibility. The queue is named, as Karpenter's
 * `--interruption-queue` names it; its URL is looked up once and kept.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { InterruptionQueue, QueueMessage, ReceiveOptions } from "../../api/index.ts";
import { mapped } from "./aws-errors.ts";
import { awsClientConfig, type AwsClientOptions } from "./client-config.ts";

// aws:pkg/providers/sqs/sqs.go: 10 messages, 20 s long poll, 20 s visibility.
const DEFAULTS = { maxMessages: 10, waitSeconds: 20, visibilityTimeoutSeconds: 20 } as const;
const MAX_WAIT_SECONDS = 20;

export class SqsInterruptionQueue implements InterruptionQueue {
  readonly client: SQSClient;
  readonly queueName: string;
  #url: Promise<string> | undefined;

  constructor(queueName: string, options: AwsClientOptions = {}) {
    this.queueName = queueName;
    // A long poll holds the response for up to 20 s: the request timeout allows for it.
    this.client = new SQSClient(awsClientConfig(options, MAX_WAIT_SECONDS * 1000));
  }

  #queueUrl(): Promise<string> {
    this.#url ??= mapped(async () => {
      const answer = await this.client.send(new GetQueueUrlCommand({ QueueName: this.queueName }));
      return answer.QueueUrl ?? "";
    }).catch((error: unknown) => {
      this.#url = undefined;
      throw error;
    });
    return this.#url;
  }

  async receive(options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const url = await this.#queueUrl();
    return mapped(async () => {
      const answer = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: options.maxMessages ?? DEFAULTS.maxMessages,
          WaitTimeSeconds: Math.min(options.waitSeconds ?? DEFAULTS.waitSeconds, MAX_WAIT_SECONDS),
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? DEFAULTS.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      );
      return (answer.Messages ?? []).map((m) => ({
        id: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? "1"),
      }));
    });
  }

  async delete(receiptHandle: string): Promise<void> {
    const url = await this.#queueUrl();
    await mapped(() => this.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle })));
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const url = await this.#queueUrl();
    await mapped(() =>
      this.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
      ),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
