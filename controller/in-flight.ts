/**
 * The reconciles a controller has under way, so shutdown (and a test on a virtual clock) can wait until none is:
 * `idle()` resolves once every tracked promise has settled, including ones started while waiting.
 */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  get busy(): boolean {
    return this.#running.size > 0;
  }

  /** Tracks `work`; its rejection is the caller's to handle (the tracked copy swallows it). */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return work;
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
