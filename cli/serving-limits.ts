// How many clients a long-running command's listener serves at once (runtime/serving.ts), from the command line:
// --max-connections and --max-in-flight, shared by `serve` and `sync`; and sync's --hook-rate-limit, the push
// hook's deliveries per client address. Unset, the defaults apply.
import { Option } from "commander";
import { DEFAULT_SERVING_LIMITS, type RateLimit, type ServingLimits } from "../runtime/index.ts";
import { InputError } from "./input-files.ts";

export interface ServingLimitOptions {
  maxConnections?: string;
  maxInFlight?: string;
}

/** The options `servingLimitsOf` reads; new instances on each call, as commander needs. */
export function servingLimitOptions(): Option[] {
  return [
    new Option(
      "--max-connections <n>",
      `open connections served at once; more are closed as they arrive (default ${DEFAULT_SERVING_LIMITS.maxConnections})`,
    ),
    new Option(
      "--max-in-flight <n>",
      `requests with a body handled at once; more are answered 503 (default ${DEFAULT_SERVING_LIMITS.maxInFlight})`,
    ),
  ];
}

/** The limits given; throws InputError for a value that is not a positive whole number. */
export function servingLimitsOf(options: ServingLimitOptions): Partial<ServingLimits> {
  const limits: Partial<ServingLimits> = {};
  if (options.maxConnections !== undefined)
    limits.maxConnections = positive("--max-connections", options.maxConnections);
  if (options.maxInFlight !== undefined) limits.maxInFlight = positive("--max-in-flight", options.maxInFlight);
  return limits;
}

/** sync's --hook-rate-limit, naming gitops' default; new on each call, as commander needs. */
export function hookRateLimitOption(defaultLimit: RateLimit): Option {
  return new Option(
    "--hook-rate-limit <n>",
    `push deliveries a minute from one client address, as many at once; 0 for no limit (default ${defaultLimit.burst})`,
  );
}

/** The rate limit --hook-rate-limit gives: undefined for the default, false for none (0). */
export function hookRateLimitOf(text: string | undefined): RateLimit | false | undefined {
  if (text === undefined) return undefined;
  if (text === "0") return false;
  const perMinute = positive("--hook-rate-limit", text);
  return { perSecond: perMinute / 60, burst: perMinute };
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || !Number.isSafeInteger(value)) {
    throw new InputError(`${flag} ${text}: not a positive whole number`);
  }
  return value;
}
