// At most `max` requests to the API server on the wire at once, the others waiting their turn in order: the bound
// client-go gets from its one transport (an HTTP/2 connection's concurrent streams, or http.Transport's
// MaxConnsPerHost over HTTP/1.1). Without it a burst — 500 NodeClaims and 1,000 Events after one scheduling run —
// opens as many connections at once, and most time out connecting.
export class ConnectionSlots {
  readonly #max: number;
  #busy = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`connection slots: expected an integer ≥ 1, got ${max}`);
    this.#max = max;
  }

  /** Resolves with the release of a slot once one is free. */
  async acquire(): Promise<() => void> {
    if (this.#busy >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) this.#busy -= 1;
      else next(); // the slot passes on: #busy stays
    };
  }
}
