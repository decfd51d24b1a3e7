// `--interruption-queue` (the chart's `settings.interruptionQueue`) by name, as Karpenter takes it, or by URL, as
// the SQS console shows it: the queue's name (what the SQS adapter looks up with GetQueueUrl) and, from a URL, the
// owning account and the region of an AWS endpoint. Pure; a bad value is an error naming the setting.

export interface InterruptionQueueRef {
  readonly name: string;
  /** The URL as given, when a URL was given. */
  readonly url?: string;
  readonly accountId?: string;
  /** From `sqs.<region>.amazonaws.com` or `<region>.queue.amazonaws.com`. */
  readonly region?: string;
}

// SQS queue names: 1–80 of letters, digits, hyphens and underscores (a FIFO queue's `.fifo` suffix: EventBridge
// cannot target FIFO queues with these rules, so it is refused as the reference infrastructure never makes one).
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const AWS_HOST = /^(?:sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?)$/;

export function resolveInterruptionQueue(value: string, setting = "--interruption-queue"): InterruptionQueueRef {
  const given = value.trim();
  if (QUEUE_NAME.test(given)) return { name: given };
  if (!/^https?:\/\//i.test(given)) {
    throw new Error(
      `${setting}: "${given.slice(0, 100)}" is neither an SQS queue name (1–80 letters, digits, - and _) nor a queue URL`,
    );
  }
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`${setting}: "${given.slice(0, 100)}" is not a valid URL`);
  }
  const parts = url.pathname.split("/").filter((p) => p !== "");
  const [accountId, name] = parts;
  if (parts.length !== 2 || !/^\d{12}$/.test(accountId ?? "") || !QUEUE_NAME.test(name ?? "")) {
    throw new Error(
      `${setting}: the URL's path "${url.pathname.slice(0, 100)}" is not /<12-digit account>/<queue name>`,
    );
  }
  const host = AWS_HOST.exec(url.hostname);
  const region = host?.[1] ?? host?.[2];
  return { name: name ?? "", url: given, accountId: accountId ?? "", ...(region ? { region } : {}) };
}
