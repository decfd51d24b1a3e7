/**
 * The failures of the EC2-shaped port a caller acts on, whatever transport raised them: adapters map the SDK's
 * errors here (by EC2, SSM and IAM error code), in-memory implementations throw them directly. Each keeps the
 * service's `code` and the original error as `cause`.
 */

/** Any error an AWS API answered with; the subclasses are the ones a caller tells apart. */
export class AwsApiError extends Error {
  override readonly name: string = "AwsApiError";
  /** The service's error code, e.g. `InvalidInstanceID.NotFound`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

/** The offering a capacity error is about, when the call names one (a CreateFleet override). */
export interface OfferingRef {
  readonly instanceType: string | undefined;
  readonly zone: string | undefined;
  readonly capacityType: "spot" | "on-demand" | undefined;
}

/**
 * EC2 could not provide the capacity (`InsufficientInstanceCapacity`, `MaxSpotInstanceCountExceeded`,
 * `VcpuLimitExceeded`, `UnfulfillableCapacity`, `Unsupported`, `InsufficientFreeAddressesInSubnet`, …: the codes
 * aws:pkg/errors `IsUnfulfillableCapacity` lists).
 */
export class InsufficientCapacity extends AwsApiError {
  override readonly name = "InsufficientCapacity";
  readonly offering: OfferingRef;

  constructor(code: string, message: string, offering: OfferingRef, options?: { cause?: unknown }) {
    super(code, message, options);
    this.offering = offering;
  }
}

/** The request rate was exceeded after the SDK's own retries (`RequestLimitExceeded`, `Throttling`, …). */
export class Throttled extends AwsApiError {
  override readonly name = "Throttled";
}

/** The named resource does not exist (`*.NotFound`, `NoSuchEntity`, `ParameterNotFound`, …). */
export class NotFound extends AwsApiError {
  override readonly name = "NotFound";
}

/** A client token was reused with other parameters: the launch it names was a different request. */
export class IdempotentParameterMismatch extends AwsApiError {
  override readonly name = "IdempotentParameterMismatch";
}

/** The credentials are missing, wrong or not allowed the call (`UnauthorizedOperation`, `AccessDenied`, …). */
export class Unauthorized extends AwsApiError {
  override readonly name = "Unauthorized";
}

// aws:pkg/errors/errors.go: unfulfillableCapacityErrorCodes.
const UNFULFILLABLE_CAPACITY_CODES: ReadonlySet<string> = new Set([
  "InsufficientInstanceCapacity",
  "MaxSpotInstanceCountExceeded",
  "VcpuLimitExceeded",
  "UnfulfillableCapacity",
  "Unsupported",
  "InsufficientFreeAddressesInSubnet",
  "MaxFleetCountExceeded",
  "ReservationCapacityExceeded",
]);

/** Whether EC2's error code says the capacity is not there (aws:pkg/errors `IsUnfulfillableCapacity`). */
export function isUnfulfillableCapacityCode(code: string): boolean {
  return UNFULFILLABLE_CAPACITY_CODES.has(code);
}

// The SDK's throttling codes (@smithy/service-error-classification THROTTLING_ERROR_CODES): through the SDK
// they reach us only once its standard retries are spent.
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
