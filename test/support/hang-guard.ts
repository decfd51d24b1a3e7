// Tests wait for events (a log line, a timer being armed, a connection closing) instead of sleeping. If the event
// never comes — a regression — such a test would hang instead of failing; this guard turns the hang into a failure
// after a time so generous that no slow machine reaches it. It asserts nothing about speed.
export const HANG_GUARD_MS = 60_000;
/**
 * A child process's start (loading its modules, cloning, its first sync) on a machine shared by many such processes
 * took over a minute of wall time: waits on a child's log get this longer guard.
 */
export const CHILD_HANG_GUARD_MS = 5 * 60_000;

/**
 * Settles as `promise` does; rejects naming `what` if it is still pending after `guardMs` (HANG_GUARD_MS), with what
 * `diagnose` says at that moment (the state of the processes waited for, their last log lines) appended.
 */
export function guardAgainstHang<T>(
  promise: Promise<T>,
  what: string,
  guardMs = HANG_GUARD_MS,
  diagnose?: () => string,
): Promise<T> {
  let guard: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    guard = setTimeout(() => {
      const diagnosis = diagnose === undefined ? "" : `\n${diagnose()}`;
      reject(new Error(`still waiting for ${what} after ${guardMs} ms: a hang, not a slow machine${diagnosis}`));
    }, guardMs);
    // The guard alone does not keep the process alive: with nothing else pending, node:test reports the hang at once.
    guard.unref();
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(guard));
}
