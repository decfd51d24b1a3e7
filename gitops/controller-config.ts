// `spec.controller` of poolkeeper.yaml: the settings of `poolkeeper run` that belong with the repository (the
// interruption queue, dry run, provisioning's batch window, leader election's durations). Validated with the rest
// of the file (config.ts), each problem at its file:line:col; what is not set here comes from flags, the
// environment or the defaults, which `poolkeeper run` resolves (cli/run-settings.ts).
import type { FieldPath, SourcePosition } from "../api/index.ts";
import type { ConfigDuration } from "./config.ts";

export const CONTROLLER_DURATION_KEYS = [
  "batchIdleDuration",
  "batchMaxDuration",
  "leaseDuration",
  "renewDeadline",
  "retryPeriod",
] as const;

export type ControllerDurationKey = (typeof CONTROLLER_DURATION_KEYS)[number];

/** Every key of the section. */
export type ControllerConfigKey = "interruptionQueue" | "dryRun" | ControllerDurationKey;

export const controllerConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    interruptionQueue: { type: "string", minLength: 1, maxLength: 1024 },
    dryRun: { type: "boolean" },
    ...Object.fromEntries(CONTROLLER_DURATION_KEYS.map((key) => [key, { type: "string", minLength: 1 }])),
  },
} as const;

/** What the file sets, each with where it was written. */
export interface ControllerConfig {
  interruptionQueue?: string;
  dryRun?: boolean;
  durations: Partial<Record<ControllerDurationKey, ConfigDuration>>;
  positions: Partial<Record<ControllerConfigKey, SourcePosition>>;
}

/**
 * The section as the schema accepted it; `duration` parses one duration (reporting a bad one at its position) and
 * `position` locates a field. Undefined when a duration did not parse.
 */
export function readControllerConfig(
  section: Record<string, unknown> | undefined,
  duration: (path: FieldPath) => ConfigDuration | undefined,
  position: (path: FieldPath) => SourcePosition,
): ControllerConfig | undefined {
  const config: ControllerConfig = { durations: {}, positions: {} };
  if (!section) return config;
  let ok = true;
  for (const key of Object.keys(controllerConfigSchema.properties) as ControllerConfigKey[]) {
    if (section[key] !== undefined) config.positions[key] = position(["spec", "controller", key]);
  }
  if (typeof section.interruptionQueue === "string") config.interruptionQueue = section.interruptionQueue;
  if (typeof section.dryRun === "boolean") config.dryRun = section.dryRun;
  for (const key of CONTROLLER_DURATION_KEYS) {
    if (typeof section[key] !== "string") continue;
    const parsed = duration(["spec", "controller", key]);
    if (parsed) config.durations[key] = parsed;
    else ok = false;
  }
  return ok ? config : undefined;
}
