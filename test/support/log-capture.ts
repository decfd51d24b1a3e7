// A logger whose JSON lines a test reads and waits for: "the certificate was reloaded" is a log line to wait for,
// not a time to sleep.
import type { Level } from "pino";
import { createLogger, type Logger } from "../../runtime/index.ts";
import { guardAgainstHang } from "./hang-guard.ts";

type Json = Record<string, unknown>;

/** A line's `msg`, or a test of the whole line. */
export type LineMatch = string | ((line: Json) => boolean);

export interface LogCapture {
  logger: Logger;
  /** Where the lines go: for a command that makes its own logger (a `log` control). */
  destination: { write(text: string): void };
  /** Every line written so far, parsed, oldest first. */
  lines: Json[];
  /**
   * Resolves with the first matching line at index `from` or later, already written or still to come (guarded
   * against a hang). Pass `lines.length` to wait only for what comes next.
   */
  line(match: LineMatch, from?: number): Promise<Json>;
}

export function captureLog(options: { level?: Level } = {}): LogCapture {
  const lines: Json[] = [];
  const waiters = new Set<{ test: (line: Json) => boolean; from: number; resolve: (line: Json) => void }>();
  const destination = {
    write(text: string) {
      const line = JSON.parse(text) as Json;
      lines.push(line);
      for (const waiter of waiters) {
        if (lines.length - 1 >= waiter.from && waiter.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    },
  };
  const logger = createLogger({ level: options.level ?? "debug", destination });
  return {
    logger,
    destination,
    lines,
    line(match, from = 0) {
      const test = typeof match === "string" ? (line: Json) => line.msg === match : match;
      const found = lines.slice(from).find(test);
      if (found) return Promise.resolve(found);
      const what = typeof match === "string" ? `the log line "${match}"` : "a matching log line";
      return guardAgainstHang(new Promise<Json>((resolve) => waiters.add({ test, from, resolve })), what);
    },
  };
}
