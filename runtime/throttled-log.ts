// A log line for an event that comes in floods when the server is under attack or overloaded (a connection refused
// at the limit, a request shed): the first is logged at once, then at most one line per interval, each saying how
// many were left out since the one before, so the log shows the flood without becoming it. The counters beside
// these lines (runtime/metrics.ts) count every one.
import type { Clock } from "../api/index.ts";

/** Returns the function to call at each event; `write` is called for the events logged, with the count left out. */
export function throttledLog(clock: Clock, intervalMs: number, write: (leftOut: number) => void): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let leftOut = 0;
  return () => {
    const now = clock.now().getTime();
    if (now - last < intervalMs) {
      leftOut++;
      return;
    }
    last = now;
    write(leftOut);
    leftOut = 0;
  };
}
