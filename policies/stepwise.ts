// Long pure work written as a generator that yields between its steps (an object judged, a file parsed), so that
// the same code can run to its end at once — the CLI, the webhook, tests — or in slices, with the event loop let
// through in between, where a server must keep answering while it judges (the Git gate in `sync`, through
// runtime's runInSlices). The steps yield nothing: they only mark where the work may pause.

/** Work that pauses after each step and returns a T. */
export type Stepwise<T> = Generator<void, T, void>;

/** Runs `steps` to their end without pausing, and returns their result. */
export function runToEnd<T>(steps: Stepwise<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}
