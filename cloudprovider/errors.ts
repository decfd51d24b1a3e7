/**
 * The errors a cloud provider returns that the controller acts on, as Karpenter's core:pkg/cloudprovider/types.go
 * has them: each wraps the underlying error as `cause`, and its message starts the way Karpenter's does.
 * `findError` finds one anywhere in a chain of causes (Go's `errors.As`).
 */

/** The instance is gone (`NodeClaimNotFoundError`): `delete` is retried until it says this; `get` says it too. */
export class NodeClaimNotFoundError extends Error {
  override readonly name = "NodeClaimNotFoundError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(`nodeclaim not found, ${message}`, options);
  }
}

/**
 * No offering of the NodeClaim's instance types could be launched (`InsufficientCapacityError`): the NodeClaim is
 * deleted and its pods are scheduled again with what is left.
 */
export class InsufficientCapacityError extends Error {
  override readonly name = "InsufficientCapacityError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(`insufficient capacity, ${message}`, options);
  }
}

/** The EC2NodeClass is not Ready, or its status is older than its spec (`NodeClassNotReadyError`): retried later. */
export class NodeClassNotReadyError extends Error {
  override readonly name = "NodeClassNotReadyError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(`NodeClassRef not ready, ${message}`, options);
  }
}

/**
 * Launching failed for another reason (`CreateError`); `conditionReason` and `conditionMessage` go on the
 * NodeClaim's `Launched=False` condition.
 */
export class CreateError extends Error {
  override readonly name = "CreateError";
  readonly conditionReason: string;
  readonly conditionMessage: string;

  constructor(message: string, condition: { reason: string; message: string }, options?: { cause?: unknown }) {
    super(`creating nodeclaim, ${message}`, options);
    this.conditionReason = condition.reason;
    this.conditionMessage = condition.message;
  }
}

/** The first error of the class in `error` and its chain of causes; undefined when there is none. */
export function findError<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  const seen = new Set<unknown>();
  let current = error;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof type) return current;
    seen.add(current);
    current = current.cause;
  }
  return undefined;
}
