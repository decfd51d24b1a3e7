/**
 * The error thrown by the `api/` value parsers when their input is not a valid value.
 *
 * A parser throws instead of returning NaN or a guessed value, so a bad manifest is reported rather than
 * silently mis-evaluated. The message names the offending value and says what was expected.
 */
export class ValueError extends Error {
  override readonly name = "ValueError";
  /** The input that was rejected, as given. */
  readonly value: unknown;
  /** Where the value was found, e.g. `spec.limits.memory`, when the caller said. */
  readonly path: string | undefined;

  constructor(message: string, value: unknown, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.value = value;
    this.path = options?.path;
  }
}

/**
 * What `compute` returns, or undefined when it rejects its input with a ValueError: for callers to whom an invalid
 * value is someone else's finding. Any other error is a bug and propagates.
 */
export function unlessInvalid<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ValueError) return undefined;
    throw error;
  }
}
