/**
 * An object the scheduler was given cannot be read (a bad quantity, an unknown selector operator). The message
 * names the object and the field, e.g. `Pod default/web-1: spec.containers[0].resources.requests.cpu: ...`.
 * The API server would have refused such an object; the stand-in says so instead of guessing.
 */
export class SchedulerInputError extends Error {
  override readonly name = "SchedulerInputError";
}

/** Runs `read`, prefixing any input error with the object it was reading (`Pod default/web-1`). */
export function readingObject<T>(object: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SchedulerInputError && !error.message.startsWith(object)) {
      throw new SchedulerInputError(`${object}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
