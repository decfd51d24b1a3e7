// SQS's JSON protocol as @aws-sdk/client-sqs v3 sends it (awsJson1_0 since 2023): POST with
// `X-Amz-Target: AmazonSQS.<Operation>` and `Content-Type: application/x-amz-json-1.0`, a JSON body in, a JSON
// body out, and errors as `{"__type": "com.amazonaws.sqs#<Code>", "message": …}` with the legacy query code in
// `x-amzn-query-error` (the SDK's awsQueryCompatible mode reads it). Long polls wait on the world's clock.
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { Queue, QueueMessage, QueueSettings, Queues } from "../../world/cloud/queues.ts";

export interface SqsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Json = Record<string, unknown>;

/** The query-protocol codes SQS still sends beside the JSON ones (x-amzn-query-error: <code>;<Sender|Receiver>). */
const QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: "AWS.SimpleQueueService.NonExistentQueue",
  MessageNotInflight: "AWS.SimpleQueueService.MessageNotInflight",
  QueueNameExists: "QueueAlreadyExists",
  TooManyEntriesInBatchRequest: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
  EmptyBatchRequest: "AWS.SimpleQueueService.EmptyBatchRequest",
  BatchEntryIdsNotDistinct: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
};

const SETTINGS: Record<string, keyof QueueSettings> = {
  VisibilityTimeout: "visibilityTimeoutS",
  MessageRetentionPeriod: "messageRetentionPeriodS",
  DelaySeconds: "delaySeconds",
  ReceiveMessageWaitTimeSeconds: "receiveMessageWaitTimeSeconds",
  MaximumMessageSize: "maximumMessageSize",
};

const LIMITS: Record<keyof QueueSettings, [number, number]> = {
  visibilityTimeoutS: [0, 43_200],
  messageRetentionPeriodS: [60, 1_209_600],
  delaySeconds: [0, 900],
  receiveMessageWaitTimeSeconds: [0, 20],
  maximumMessageSize: [1024, 1_048_576],
};

function str(body: Json, name: string, optional: true): string | undefined;
function str(body: Json, name: string): string;
function str(body: Json, name: string, optional = false): string | undefined {
  const value = body[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string")
    throw new CloudError("MissingParameter", `The request must contain the parameter ${name}.`);
  return value;
}

function int(body: Json, name: string, [min, max]: [number, number]): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new CloudError(
      "InvalidParameterValue",
      `Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: Must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

function settingsOf(attributes: unknown): Partial<QueueSettings> {
  const settings: Partial<QueueSettings> = {};
  if (attributes === undefined) return settings;
  if (typeof attributes !== "object" || attributes === null)
    throw new CloudError("InvalidAttributeValue", "Attributes must be a map.");
  for (const [name, value] of Object.entries(attributes)) {
    const key = SETTINGS[name];
    if (!key) throw new CloudError("InvalidAttributeName", `Unknown or unsimulated attribute ${name}.`);
    const n = Number(value);
    const [min, max] = LIMITS[key];
    if (typeof value !== "string" || !/^[0-9]+$/.test(value) || n < min || n > max) {
      throw new CloudError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
    }
    settings[key] = n;
  }
  return settings;
}

function queueAttributes(queue: Queue, names: readonly string[]): Record<string, string> {
  const counts = queue.counts();
  const all: Record<string, string> = {
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    QueueArn: queue.arn,
    VisibilityTimeout: String(queue.settings.visibilityTimeoutS),
    MessageRetentionPeriod: String(queue.settings.messageRetentionPeriodS),
    DelaySeconds: String(queue.settings.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.settings.receiveMessageWaitTimeSeconds),
    MaximumMessageSize: String(queue.settings.maximumMessageSize),
  };
  if (names.includes("All")) return all;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = all[name];
    if (value === undefined) throw new CloudError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    out[name] = value;
  }
  return out;
}

function messageAttributes(
  message: QueueMessage,
  names: readonly string[],
  senderId: string,
): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SentTimestamp: String(message.sentAt),
    SenderId: senderId,
  };
  if (names.includes("All")) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

interface BatchEntry {
  Id: string;
  [member: string]: unknown;
}

function batchEntries(body: Json): BatchEntry[] {
  const entries = body.Entries;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new CloudError(
      "EmptyBatchRequest",
      "There should be at least one SendMessageBatchRequestEntry in the request.",
    );
  if (entries.length > 10)
    throw new CloudError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const ids = new Set<string>();
  return entries.map((entry: unknown) => {
    const id = (entry as Json | null)?.Id;
    if (typeof id !== "string")
      throw new CloudError("MissingParameter", "The request must contain the parameter Entries.N.Id.");
    if (ids.has(id)) throw new CloudError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    ids.add(id);
    return entry as BatchEntry;
  });
}

/** Each entry answered on its own: failures go to `Failed` with their code, as SQS reports batch entries. */
function batch(body: Json, each: (entry: BatchEntry) => Json): Json {
  const successful: Json[] = [];
  const failed: Json[] = [];
  for (const entry of batchEntries(body)) {
    try {
      successful.push({ Id: entry.Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful: successful, Failed: failed };
}

/** SQS's JSON error: `__type` and message, the legacy query code in `x-amzn-query-error`. */
export function sqsErrorAnswer(error: CloudError): SqsAnswer {
  const queryCode = QUERY_CODES[error.code] ?? error.code;
  return {
    status: error.status,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-query-error": `${queryCode};${error.status >= 500 ? "Receiver" : "Sender"}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
  };
}

export class SqsHandler {
  readonly #queues: Queues;
  readonly #accountId: string;

  constructor(queues: Queues, accountId: string) {
    this.#queues = queues;
    this.#accountId = accountId;
  }

  async handle(target: string, raw: string): Promise<SqsAnswer> {
    try {
      const operation = target.slice("AmazonSQS.".length);
      let body: unknown;
      try {
        body = raw === "" ? {} : JSON.parse(raw);
      } catch {
        throw new CloudError("SerializationException", "The request body is not valid JSON.");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new CloudError("SerializationException", "The request body must be a JSON object.");
      }
      const result = await this.#operation(operation, body as Json);
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(result) };
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      return sqsErrorAnswer(error);
    }
  }

  async #operation(operation: string, body: Json): Promise<Json> {
    const queues = this.#queues;
    switch (operation) {
      case "CreateQueue":
        return { QueueUrl: queues.create(str(body, "QueueName"), settingsOf(body.Attributes)).url };
      case "GetQueueUrl":
        return { QueueUrl: queues.byName(str(body, "QueueName")).url };
      case "GetQueueAttributes": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        return { Attributes: queueAttributes(queue, stringList(body.AttributeNames)) };
      }
      case "SendMessage": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        const message = queue.send(str(body, "MessageBody"), int(body, "DelaySeconds", LIMITS.delaySeconds));
        return { MessageId: message.id, MD5OfMessageBody: message.md5OfBody };
      }
      case "SendMessageBatch": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        return batch(body, (entry) => {
          const message = queue.send(str(entry, "MessageBody"), int(entry, "DelaySeconds", LIMITS.delaySeconds));
          return { MessageId: message.id, MD5OfMessageBody: message.md5OfBody };
        });
      }
      case "ReceiveMessage":
        return this.#receive(body);
      case "DeleteMessage":
        queues.byUrl(str(body, "QueueUrl")).delete(str(body, "ReceiptHandle"));
        return {};
      case "DeleteMessageBatch": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        return batch(body, (entry) => {
          queue.delete(str(entry, "ReceiptHandle"));
          return {};
        });
      }
      case "ChangeMessageVisibility": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        queue.changeVisibility(
          str(body, "ReceiptHandle"),
          int(body, "VisibilityTimeout", LIMITS.visibilityTimeoutS) ?? 0,
        );
        return {};
      }
      case "ChangeMessageVisibilityBatch": {
        const queue = queues.byUrl(str(body, "QueueUrl"));
        return batch(body, (entry) => {
          queue.changeVisibility(
            str(entry, "ReceiptHandle"),
            int(entry, "VisibilityTimeout", LIMITS.visibilityTimeoutS) ?? 0,
          );
          return {};
        });
      }
      default:
        throw new CloudError(
          "InvalidAction",
          `The action ${operation} is not valid for this endpoint (not simulated).`,
        );
    }
  }

  async #receive(body: Json): Promise<Json> {
    const queue = this.#queues.byUrl(str(body, "QueueUrl"));
    const max = int(body, "MaxNumberOfMessages", [1, 10]) ?? 1;
    const visibility = int(body, "VisibilityTimeout", LIMITS.visibilityTimeoutS);
    const waitS = int(body, "WaitTimeSeconds", [0, 20]) ?? queue.settings.receiveMessageWaitTimeSeconds;
    const names = [...stringList(body.AttributeNames), ...stringList(body.MessageSystemAttributeNames)];
    const messages = await queue.longPoll(max, visibility, waitS);
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5OfBody,
        Body: m.body,
        Attributes: messageAttributes(m, names, this.#accountId),
      })),
    };
  }
}
