// Reads `poolkeeper.yaml`, the repository config of the GitOps controller: which cluster it speaks for, which
// branch and files hold the NodePools and policies, where status is written and how often. The document is
// validated with ajv and every problem is reported with file:line:col (with "did you mean" for misspelt keys);
// a bad config never throws. What is returned has every default resolved, durations also in milliseconds.
import { Ajv } from "ajv";
import { formatFieldPath, loadYaml, parseDuration, type FieldPath, type SourcePosition } from "../api/index.ts";
import { isRecord } from "../api/index.ts";
import { valueAtPath } from "../api/index.ts";
import { describeAjvError } from "../api/index.ts";
import { parseCacheSize } from "./cache-size.ts";
import { controllerConfigSchema, readControllerConfig, type ControllerConfig } from "./controller-config.ts";

export const CONFIG_API_VERSION = "poolkeeper.dev/v1alpha1";
export const CONFIG_KIND = "PoolkeeperConfig";

/** A Go duration as written, and its value in milliseconds. */
export interface ConfigDuration {
  text: string;
  ms: number;
}

/** The config with every default resolved. */
export interface PoolkeeperConfig {
  cluster: string;
  /** Branch holding the NodePools and policies. */
  branch: string;
  /** Globs of NodePool manifests, relative to the repository root. */
  pools: string[];
  /** Globs of PoolPolicy files. */
  policies: string[];
  preset: "baseline" | "strict";
  status: {
    /** Branch the controller commits status to. */
    branch: string;
    /** Directory for status files, relative, ending in "/" (default `status/<cluster>/`). */
    path: string;
  };
  pollInterval: ConfigDuration;
  commitAuthor: { name: string; email: string };
  push: { maxRetries: number; minBackoff: ConfigDuration; maxBackoff: ConfigDuration };
  /** Minimum interval between two status commits. */
  coalesce: ConfigDuration;
  /** Whether `sync --apply` deletes objects removed from Git (cluster-plan.ts); false: reports them and leaves them. */
  prune: boolean;
  /** `spec.cacheSize` in bytes: the Git side's cache budget (cache-size.ts); absent when not set. */
  cacheSize?: number;
  /** `spec.controller`: what `poolkeeper run` takes from the file (controller-config.ts). */
  controller: ControllerConfig;
  /** Where the document starts. */
  source: SourcePosition;
}

export interface ConfigError {
  source: SourcePosition;
  message: string;
}

export interface ConfigLoadResult {
  config?: PoolkeeperConfig;
  errors: ConfigError[];
}

export const configDefaults = {
  branch: "main",
  pools: ["pools/**/*.yaml", "pools/**/*.yml"],
  policies: ["policies/**/*.yaml"],
  preset: "baseline",
  statusBranch: "poolkeeper-status",
  pollInterval: "1m",
  commitAuthorName: "poolkeeper",
  commitAuthorEmail: "poolkeeper@users.noreply.poolkeeper.dev",
  maxRetries: 5,
  minBackoff: "1s",
  maxBackoff: "30s",
  coalesce: "30s",
  prune: false,
} as const;

/** Shortest poll interval accepted, so a misconfiguration cannot hammer the Git server. */
export const MIN_POLL_INTERVAL_MS = 10_000;

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
// A conservative subset of git-check-ref-format: no "..", no leading "-" or "/", no trailing "/" or ".lock".
const BRANCH = "^(?!-)(?!/)(?!.*\\.\\.)(?!.*//)(?!.*/$)(?!.*\\.lock$)(?!.*@\\{)[A-Za-z0-9._/-]+$";
const GLOB = { type: "string", minLength: 1 };
const DURATION = { type: "string", minLength: 1 };

const configSchema = {
  type: "object",
  required: ["apiVersion", "kind", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: CONFIG_API_VERSION },
    kind: { const: CONFIG_KIND },
    metadata: { type: "object" },
    spec: {
      type: "object",
      required: ["cluster"],
      additionalProperties: false,
      properties: {
        cluster: {
          type: "string",
          maxLength: 63,
          pattern: DNS_LABEL,
          description: "a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
        },
        branch: { type: "string", pattern: BRANCH, description: "a git branch name" },
        pools: { type: "array", minItems: 1, items: GLOB },
        policies: { type: "array", items: GLOB },
        preset: { enum: ["baseline", "strict"] },
        status: {
          type: "object",
          additionalProperties: false,
          properties: {
            branch: { type: "string", pattern: BRANCH, description: "a git branch name" },
            path: {
              type: "string",
              minLength: 1,
              pattern: "^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\]+$",
              description: "a relative path inside the repository, without '..'",
            },
          },
        },
        pollInterval: DURATION,
        commitAuthor: {
          type: "object",
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, pattern: "^[^<>\\n]+$", description: "a name without '<', '>'" },
            email: {
              type: "string",
              pattern: "^[^\\s@<>]+@[^\\s@<>]+$",
              description: "an e-mail address",
            },
          },
        },
        push: {
          type: "object",
          additionalProperties: false,
          properties: {
            maxRetries: { type: "integer", minimum: 0, maximum: 20 },
            minBackoff: DURATION,
            maxBackoff: DURATION,
          },
        },
        coalesce: DURATION,
        prune: { type: "boolean" },
        cacheSize: { type: "string", description: "a size in bytes such as 64Mi" },
        controller: controllerConfigSchema,
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateConfig = ajv.compile(configSchema);

export function loadConfig(input: string | Uint8Array, file: string): ConfigLoadResult {
  const { documents, errors: yamlErrors } = loadYaml(input, file);
  const errors: ConfigError[] = yamlErrors.map((e) => ({ source: e.source, message: `config file: ${e.message}` }));
  if (errors.length > 0) return { errors };
  const [doc, second] = documents;
  if (!doc) {
    return {
      errors: [{ source: { file, line: 1, col: 1 }, message: `config file is empty: expected a ${CONFIG_KIND}` }],
    };
  }
  if (second) {
    return {
      errors: [
        {
          source: second.start,
          message: `config file holds ${documents.length} documents: expected a single ${CONFIG_KIND}`,
        },
      ],
    };
  }
  const at = (path: FieldPath, message: string) => errors.push({ source: doc.position(path), message });
  const value = doc.value;
  if (!isRecord(value) || value.apiVersion !== CONFIG_API_VERSION || value.kind !== CONFIG_KIND) {
    const found = isRecord(value) ? `${String(value.kind)} (${String(value.apiVersion)})` : "not an object";
    at([], `expected a ${CONFIG_KIND} (${CONFIG_API_VERSION}), found ${found}`);
    return { errors };
  }
  if (!validateConfig(value)) {
    for (const e of validateConfig.errors ?? []) at(...describeAjvError(e, value));
  }
  // Durations: checked for whatever is a string, so they are reported alongside schema errors.
  const duration = (path: FieldPath, fallback: string, minimum = 0): ConfigDuration | undefined => {
    const raw = valueAtPath(value, path);
    const text = typeof raw === "string" ? raw : fallback;
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch (error) {
      if (typeof raw === "string") at(path, `${formatFieldPath(path)}: ${describe(error)}`);
      return undefined;
    }
    if (ms < minimum) {
      const what = minimum === 0 ? "must not be negative" : `must be at least ${formatMinimum(minimum)}`;
      at(path, `${formatFieldPath(path)} ${what} (found "${text}")`);
      return undefined;
    }
    return { text, ms };
  };
  const pollInterval = duration(["spec", "pollInterval"], configDefaults.pollInterval, MIN_POLL_INTERVAL_MS);
  const minBackoff = duration(["spec", "push", "minBackoff"], configDefaults.minBackoff);
  const maxBackoff = duration(["spec", "push", "maxBackoff"], configDefaults.maxBackoff);
  const coalesce = duration(["spec", "coalesce"], configDefaults.coalesce);
  const cacheSizeText = valueAtPath(value, ["spec", "cacheSize"]);
  let cacheSize: number | undefined;
  if (typeof cacheSizeText === "string") {
    try {
      cacheSize = parseCacheSize(cacheSizeText);
    } catch (error) {
      at(["spec", "cacheSize"], `spec.cacheSize: ${describe(error)}`);
    }
  }
  const controllerSection = valueAtPath(value, ["spec", "controller"]);
  const controller = readControllerConfig(
    isRecord(controllerSection) ? controllerSection : undefined,
    (path) => duration(path, ""),
    (path) => doc.position(path),
  );
  if (minBackoff && maxBackoff && minBackoff.ms > maxBackoff.ms) {
    at(
      ["spec", "push", "minBackoff"],
      `spec.push.minBackoff ("${minBackoff.text}") must not exceed spec.push.maxBackoff ("${maxBackoff.text}")`,
    );
  }
  if (errors.length > 0 || !pollInterval || !minBackoff || !maxBackoff || !coalesce || !controller) {
    return { errors: errors.sort((a, b) => a.source.line - b.source.line || a.source.col - b.source.col) };
  }

  const spec = value.spec as RawSpec;
  const branch = spec.branch ?? configDefaults.branch;
  const statusBranch = spec.status?.branch ?? configDefaults.statusBranch;
  if (statusBranch === branch) {
    const path = spec.status?.branch === undefined ? ["spec", "branch"] : ["spec", "status", "branch"];
    at(path, `spec.status.branch must differ from spec.branch (both are "${branch}")`);
    return { errors };
  }
  const statusPath = spec.status?.path ?? `status/${spec.cluster}/`;
  return {
    config: {
      cluster: spec.cluster,
      branch,
      pools: [...(spec.pools ?? configDefaults.pools)],
      policies: [...(spec.policies ?? configDefaults.policies)],
      preset: spec.preset ?? configDefaults.preset,
      status: {
        branch: statusBranch,
        path: normaliseDirectory(statusPath),
      },
      pollInterval,
      commitAuthor: {
        name: spec.commitAuthor?.name ?? configDefaults.commitAuthorName,
        email: spec.commitAuthor?.email ?? configDefaults.commitAuthorEmail,
      },
      push: { maxRetries: spec.push?.maxRetries ?? configDefaults.maxRetries, minBackoff, maxBackoff },
      coalesce,
      prune: spec.prune ?? configDefaults.prune,
      ...(cacheSize === undefined ? {} : { cacheSize }),
      controller,
      source: doc.start,
    },
    errors,
  };
}

// The shape of `spec` once the schema has accepted it.
interface RawSpec {
  cluster: string;
  branch?: string;
  pools?: string[];
  policies?: string[];
  preset?: "baseline" | "strict";
  status?: { branch?: string; path?: string };
  commitAuthor?: { name?: string; email?: string };
  push?: { maxRetries?: number };
  prune?: boolean;
}

// "./status//eu-1" → "status/eu-1/"
function normaliseDirectory(path: string): string {
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  return segments.length === 0 ? "" : `${segments.join("/")}/`;
}

function formatMinimum(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
