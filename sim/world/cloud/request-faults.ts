// Faults on demand at the API's door: the next requests to a service (or to one of its operations) are throttled
// (EC2's RequestLimitExceeded, SQS's RequestThrottled), fail as an outage (500 InternalError / 503
// ServiceUnavailable), or are answered late, after a delay on the world's clock; and SQS may deliver the next
// messages twice. Each fault is armed for a number of requests and used up by them, so a test says exactly how
// many attempts fail and the SDK's retry is what succeeds.
import { CloudError } from "./cloud-error.ts";

export type AwsService = "ec2" | "sqs";

export interface RequestFault {
  service: AwsService;
  /** The operation (EC2 Action, SQS target's operation) it applies to; every operation when absent. */
  operation?: string;
  /** How many requests it affects; afterwards it is gone. */
  count: number;
  /** The error answered; none for a fault that only delays. */
  error?: CloudError;
  /** Simulated milliseconds the answer waits before it is sent. */
  delayMs?: number;
}

/** What a fault does to one request. */
export interface FaultVerdict {
  error?: CloudError;
  delayMs: number;
}

/** EC2's and SQS's throttling errors as they send them (HTTP 503 for EC2, 400 for SQS's JSON protocol). */
export function throttlingError(service: AwsService): CloudError {
  return service === "ec2"
    ? new CloudError("RequestLimitExceeded", "Request limit exceeded.", 503)
    : new CloudError("RequestThrottled", "The request was denied due to request throttling.", 400);
}

/** An outage: the service's internal error. */
export function outageError(service: AwsService): CloudError {
  return service === "ec2"
    ? new CloudError("InternalError", "An internal error has occurred", 500)
    : new CloudError("ServiceUnavailable", "Service is unable to handle request.", 503);
}

export class RequestFaults {
  #faults: RequestFault[] = [];
  #duplicates = 0;

  /** Arms a fault for the next `fault.count` matching requests. */
  add(fault: RequestFault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) {
      throw new RangeError(`a request fault needs a positive whole count, not ${fault.count}`);
    }
    this.#faults.push({ ...fault });
  }

  throttle(service: AwsService, count: number, operation?: string): void {
    this.add({ service, operation, count, error: throttlingError(service) });
  }

  outage(service: AwsService, count: number, operation?: string): void {
    this.add({ service, operation, count, error: outageError(service) });
  }

  slow(service: AwsService, delayMs: number, count: number, operation?: string): void {
    this.add({ service, operation, count, delayMs });
  }

  /** The next `count` messages SQS delivers stay visible, so a later receive gets them again. */
  duplicateDeliveries(count: number): void {
    this.#duplicates += count;
  }

  /** Uses up one duplicate delivery if one is armed. */
  takeDuplicate(): boolean {
    if (this.#duplicates === 0) return false;
    this.#duplicates--;
    return true;
  }

  /** Disarms every fault. */
  clear(): void {
    this.#faults = [];
    this.#duplicates = 0;
  }

  /** What happens to a request: the first armed fault that matches it is used once. */
  take(service: AwsService, operation: string): FaultVerdict {
    const index = this.#faults.findIndex(
      (f) => f.service === service && (f.operation === undefined || f.operation === operation),
    );
    const fault = this.#faults[index];
    if (!fault) return { delayMs: 0 };
    fault.count--;
    if (fault.count === 0) this.#faults.splice(index, 1);
    return { error: fault.error, delayMs: fault.delayMs ?? 0 };
  }
}
