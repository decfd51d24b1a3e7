/**
 * SDK errors as the port's typed errors (api/ports/ec2-errors.ts), by the service's error code — the SDK names a
 * modelled or unmodelled service error after its code. Errors that are not a service's answer (a timeout, a
 * refused connection) pass through unchanged.
 */
import {
  AwsApiError,
  IdempotentParameterMismatch,
  InsufficientCapacity,
  isUnfulfillableCapacityCode,
  NotFound,
  type OfferingRef,
  Throttled,
  Unauthorized,
} from "../../api/index.ts";

// The SDK's throttling codes (@smithy/service-error-classification THROTTLING_ERROR_CODES) that reach us only once
// its standard retries are spent.
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);

const UNAUTHORIZED_CODES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthFailure",
  "InvalidClientTokenId",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
]);

// EC2's `*.NotFound` codes, IAM's NoSuchEntity, SSM's ParameterNotFound, SQS's receipt and queue errors.
function isNotFoundCode(code: string): boolean {
  return (
    code.endsWith(".NotFound") ||
    code.endsWith("NotFoundException") ||
    code === "NoSuchEntity" ||
    code === "ParameterNotFound" ||
    code === "QueueDoesNotExist" ||
    code === "AWS.SimpleQueueService.NonExistentQueue"
  );
}

/** The service's error code of an SDK error, or undefined for an error no service answered with. */
export function awsErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("$metadata" in error)) return undefined;
  const code = (error as { Code?: unknown }).Code;
  return typeof code === "string" && code !== "" ? code : error.name;
}

/** The typed error for `error`; `offering` names the offering a capacity error is about, when known. */
export function toPortError(error: unknown, offering?: OfferingRef): unknown {
  const code = awsErrorCode(error);
  if (code === undefined) return error;
  return portErrorOf(code, error instanceof Error ? error.message : String(error), offering, error);
}

/** The typed error for a code and message EC2 returned as data (a CreateFleet override's error). */
export function portErrorOf(code: string, message: string, offering?: OfferingRef, cause?: unknown): AwsApiError {
  const options = cause === undefined ? {} : { cause };
  if (isUnfulfillableCapacityCode(code)) {
    return new InsufficientCapacity(
      code,
      message,
      offering ?? { instanceType: undefined, zone: undefined, capacityType: undefined },
      options,
    );
  }
  if (THROTTLING_CODES.has(code)) return new Throttled(code, message, options);
  if (UNAUTHORIZED_CODES.has(code)) return new Unauthorized(code, message, options);
  if (code === "IdempotentParameterMismatch") return new IdempotentParameterMismatch(code, message, options);
  if (isNotFoundCode(code)) return new NotFound(code, message, options);
  return new AwsApiError(code, message, options);
}

/** Runs an SDK call and rethrows its failure as the port's typed error. */
export async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toPortError(error);
  }
}
