// At most `size` requests to the API server under way at once from one client; the rest wait their turn, in order.
// client-go speaks HTTP/2 to the API server: one connection, its requests multiplexed up to the server's
// concurrent-stream limit. client-node speaks HTTP/1.1 through undici, which opens a connection (and a TLS
// handshake) for every request beyond those in flight; a burst of a thousand (events for every pending pod) would
// open a thousand, and on a busy machine their handshakes outlast undici's connect timeout. Bounding the requests
// in flight bounds the connections, which then stay open and are reused.
export class ConnectionSlots {
  readonly #size: number;
  #used = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`connection slots: expected an integer ≥ 1, got ${size}`);
    this.#size = size;
  }

  /** Resolves once a slot is free, with the function that frees it (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.#used >= this.#size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#used--;
    };
  }
}
