// Resource ids in EC2's formats (`i-` and 17 hex digits, `r-…`, `fleet-<uuid>`, `lt-…`), drawn from counters so
// that a world replays with the same ids.
export class IdSource {
  readonly #next = new Map<string, number>();

  #count(prefix: string): number {
    const n = (this.#next.get(prefix) ?? 0) + 1;
    this.#next.set(prefix, n);
    return n;
  }

  /** `i-0000000000000001f`-style: the prefix and 17 hex digits. */
  hex17(prefix: string): string {
    return `${prefix}-${this.#count(prefix).toString(16).padStart(17, "0")}`;
  }

  /** `fleet-00000000-0000-4000-8000-000000000001`-style. */
  uuid(prefix: string): string {
    const n = this.#count(prefix).toString(16).padStart(12, "0");
    return `${prefix}-00000000-0000-4000-8000-${n}`;
  }

  /** A request id, as EC2 and SQS send one with every response. */
  requestId(): string {
    return this.uuid("req").slice("req-".length);
  }
}
