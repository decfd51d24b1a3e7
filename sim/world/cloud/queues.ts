// The world's SQS queues (standard queues): messages with delays, visibility timeouts, receive counts and
// retention, and long polling, all on the world's clock. A received message stays invisible for its visibility
// timeout and then reappears with a higher receive count unless it was deleted — the redelivery an interruption
// handler must tolerate. Long polls wait for a send or for the next message to become visible, by clock timers,
// so a test moves the time instead of waiting. Mirrors SQS's documented semantics for standard queues.
import { createHash } from "node:crypto";
import type { TimerClock } from "../../../api/index.ts";
import { CloudError } from "./cloud-error.ts";
import type { IdSource } from "./ids.ts";

export interface QueueMessage {
  id: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The handle of the latest receive; only it may change the visibility. */
  receiptHandle?: string;
}

/** A message some client deleted, with when (the world's clock): what a test judges an SQS consumer by. */
export interface DeletedMessage {
  id: string;
  body: string;
  sentAt: number;
  deletedAt: number;
  receiveCount: number;
}

/** Deletions kept for `deleted()`, newest last; older ones are forgotten. */
const DELETIONS_KEPT = 10_000;

export interface QueueSettings {
  visibilityTimeoutS: number;
  messageRetentionPeriodS: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  visibilityTimeoutS: 30,
  messageRetentionPeriodS: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  maximumMessageSize: 262_144,
};

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

export class Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly createdAt: number;
  settings: QueueSettings;
  readonly #clock: TimerClock;
  readonly #ids: IdSource;
  /** By id, in the order they were sent (a Map keeps insertion order): delete is O(1), expiry trims the front. */
  readonly #messages = new Map<string, QueueMessage>();
  /** Every handle ever issued, to the message id it was issued for (deleting by an older handle works). */
  readonly #handles = new Map<string, string>();
  #wakeups: (() => void)[] = [];
  readonly #deletions: DeletedMessage[] = [];
  /** Asked once per delivered message: true leaves it visible, so it is delivered again (a duplicate fault). */
  readonly #duplicate: () => boolean;

  constructor(init: {
    name: string;
    url: string;
    arn: string;
    settings: QueueSettings;
    clock: TimerClock;
    ids: IdSource;
    duplicate?: () => boolean;
  }) {
    this.name = init.name;
    this.url = init.url;
    this.arn = init.arn;
    this.settings = init.settings;
    this.#clock = init.clock;
    this.#ids = init.ids;
    this.#duplicate = init.duplicate ?? (() => false);
    this.createdAt = this.#now();
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  /** Messages still retained. */
  #live(): Map<string, QueueMessage> {
    const oldest = this.#now() - this.settings.messageRetentionPeriodS * 1000;
    for (const [id, message] of this.#messages) {
      if (message.sentAt > oldest) break;
      this.#messages.delete(id);
    }
    return this.#messages;
  }

  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.#now();
    const live = [...this.#live().values()];
    const visible = live.filter((m) => m.visibleAt <= now).length;
    const inFlight = live.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
    return { visible, inFlight, delayed: live.length - visible - inFlight };
  }

  send(body: string, delaySeconds = this.settings.delaySeconds): QueueMessage {
    if (body.length === 0)
      throw new CloudError("MissingParameter", "The request must contain the parameter MessageBody.");
    if (Buffer.byteLength(body, "utf8") > this.settings.maximumMessageSize) {
      throw new CloudError(
        "InvalidParameterValue",
        `One or more parameters are invalid. Reason: Message must be shorter than ${this.settings.maximumMessageSize} bytes.`,
      );
    }
    const now = this.#now();
    const message: QueueMessage = {
      id: this.#ids.uuid("msg").slice("msg-".length),
      body,
      md5OfBody: md5(body),
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    this.#messages.set(message.id, message);
    this.#wake();
    return message;
  }

  /** Takes up to `max` visible messages, oldest first, and hides them for `visibilityTimeoutS`. */
  receive(max: number, visibilityTimeoutS = this.settings.visibilityTimeoutS): QueueMessage[] {
    const now = this.#now();
    const taken: QueueMessage[] = [];
    for (const message of this.#live().values()) {
      if (taken.length === max) break;
      if (message.visibleAt <= now) taken.push(message);
    }
    for (const message of taken) {
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = this.#duplicate() ? now : now + visibilityTimeoutS * 1000;
      message.receiptHandle = Buffer.from(
        `${this.name}:${message.id}:${message.receiveCount}:${this.#ids.hex17("rh")}`,
      ).toString("base64");
      this.#handles.set(message.receiptHandle, message.id);
    }
    return taken.map((m) => ({ ...m }));
  }

  /**
   * ReceiveMessage's long poll: receives at once if anything is visible, else waits on the clock until a message
   * is (sent, made visible, reappearing) or `waitSeconds` pass, and answers empty then.
   */
  async longPoll(max: number, visibilityTimeoutS: number | undefined, waitSeconds: number): Promise<QueueMessage[]> {
    const deadline = this.#now() + waitSeconds * 1000;
    for (;;) {
      const messages = this.receive(max, visibilityTimeoutS);
      if (messages.length > 0 || this.#now() >= deadline) return messages;
      await this.nextChange(deadline);
    }
  }

  #byHandle(handle: string): QueueMessage | undefined {
    const id = this.#handles.get(handle);
    if (id === undefined)
      throw new CloudError(
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    return this.#live().get(id);
  }

  /** Deleting an already deleted message succeeds, as on SQS; a handle never issued here is invalid. */
  delete(handle: string): void {
    const message = this.#byHandle(handle);
    if (!message) return;
    this.#messages.delete(message.id);
    const { id, body, sentAt, receiveCount } = message;
    this.#deletions.push({ id, body, sentAt, deletedAt: this.#now(), receiveCount });
    if (this.#deletions.length > DELETIONS_KEPT) this.#deletions.shift();
  }

  /** The messages deleted so far, oldest first (the newest 10,000). */
  deleted(): readonly DeletedMessage[] {
    return this.#deletions;
  }

  changeVisibility(handle: string, visibilityTimeoutS: number): void {
    const message = this.#byHandle(handle);
    if (!message || message.receiptHandle !== handle || message.visibleAt <= this.#now()) {
      throw new CloudError(
        "MessageNotInflight",
        "Message does not exist or is not available for visibility timeout change.",
      );
    }
    message.visibleAt = this.#now() + visibilityTimeoutS * 1000;
    this.#wake();
  }

  /**
   * Resolves at the next change that may make a message receivable: a send, a visibility change, the soonest
   * hidden message becoming visible — or `deadline` (clock time), whichever comes first.
   */
  nextChange(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const now = this.#now();
      let soonest = deadline;
      for (const message of this.#live().values()) {
        if (message.visibleAt > now && message.visibleAt < soonest) soonest = message.visibleAt;
      }
      const timer = this.#clock.afterFunc(soonest - this.#now(), () => done());
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        timer.stop();
        this.#wakeups = this.#wakeups.filter((w) => w !== done);
        resolve();
      };
      this.#wakeups.push(done);
    });
  }

  #wake(): void {
    for (const wake of this.#wakeups.slice()) wake();
  }
}

/** The account's queues, by name. */
export class Queues {
  readonly #queues = new Map<string, Queue>();
  readonly #clock: TimerClock;
  readonly #ids: IdSource;
  readonly #accountId: string;
  readonly #region: string;
  readonly #duplicate?: () => boolean;
  /** Where queue URLs point (the server's address, once it listens). */
  baseUrl: string;

  constructor(options: {
    clock: TimerClock;
    ids: IdSource;
    accountId: string;
    region: string;
    baseUrl?: string;
    duplicate?: () => boolean;
  }) {
    this.#clock = options.clock;
    this.#duplicate = options.duplicate;
    this.#ids = options.ids;
    this.#accountId = options.accountId;
    this.#region = options.region;
    this.baseUrl = options.baseUrl ?? "http://127.0.0.1";
  }

  get clock(): TimerClock {
    return this.#clock;
  }

  create(name: string, settings: Partial<QueueSettings>): Queue {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new CloudError(
        "InvalidParameterValue",
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name "${name}"; FIFO queues are not simulated).`,
      );
    }
    const wanted = { ...DEFAULT_QUEUE_SETTINGS, ...settings };
    const existing = this.#queues.get(name);
    if (existing) {
      if (JSON.stringify(existing.settings) !== JSON.stringify(wanted)) {
        throw new CloudError(
          "QueueNameExists",
          `A queue already exists with the same name and a different value for attribute(s).`,
        );
      }
      return existing;
    }
    const queue = new Queue({
      name,
      url: `${this.baseUrl}/${this.#accountId}/${name}`,
      arn: `arn:aws:sqs:${this.#region}:${this.#accountId}:${name}`,
      settings: wanted,
      clock: this.#clock,
      ids: this.#ids,
      duplicate: this.#duplicate,
    });
    this.#queues.set(name, queue);
    return queue;
  }

  has(name: string): boolean {
    return this.#queues.has(name);
  }

  byName(name: string): Queue {
    const queue = this.#queues.get(name);
    if (!queue) throw new CloudError("QueueDoesNotExist", "The specified queue does not exist.");
    return queue;
  }

  /** By URL: the last path segment names the queue (whatever host the client used to reach it). */
  byUrl(url: string): Queue {
    const name = url.split("/").at(-1) ?? "";
    const queue = this.#queues.get(name);
    if (!queue || !url.endsWith(`/${this.#accountId}/${name}`)) {
      throw new CloudError("QueueDoesNotExist", "The specified queue does not exist.");
    }
    return queue;
  }
}
