// Structured JSON logs (pino), one object per line, so a cluster's log pipeline can index and alert on them.
// The webhook logs what it decided and why (rule ids), never the object under review: objects carry user data
// (EC2NodeClass userData may hold bootstrap secrets) that must not leak into a log store.
import { pino, type DestinationStream, type Level, type Logger } from "pino";

export type { Logger } from "pino";

export const LOG_LEVELS: readonly Level[] = ["fatal", "error", "warn", "info", "debug", "trace"];

export interface LoggerOptions {
  /** Lowest level written; `info` by default. */
  level?: Level;
  /** Where lines go; standard output by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** The component's name in each line; `poolkeeper-webhook` by default. */
  name?: string;
}

/** A logger writing the webhook's JSON lines: ISO timestamps, the level as a word, the component's name. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "poolkeeper-webhook",
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // A second line of defence: even if a future log call passes a request along, the object bodies and
      // user data are censored rather than written.
      redact: {
        paths: ["object", "oldObject", "*.object", "*.oldObject", "userData", "*.userData"],
        censor: "[redacted]",
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing (the default when the embedding code passes none and wants silence). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
