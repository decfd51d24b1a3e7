// The settings of `poolkeeper run` that drive the controller (the Git side's are `sync`'s): each from its flag,
// else its POOLKEEPER_* environment variable, else poolkeeper.yaml's spec.controller (or spec.cluster), else its
// default — one table, so `run --help`, docs/configuration.md and the resolution cannot disagree. The values given
// on the command line or in the environment are validated with ajv as the file is, every problem named with where
// it came from (`--lease-duration "x"`, `POOLKEEPER_LEASE_DURATION="x"`; the file's with file:line:col).
import { Ajv, type ErrorObject } from "ajv";
import { isIP } from "node:net";
import { Option } from "commander";
import { parseDuration, type SourcePosition } from "../api/index.ts";
import type { PoolkeeperConfig } from "../gitops/index.ts";
import { InputError } from "./input-files.ts";

type Kind = "duration" | "boolean" | "name" | "label" | "region" | "url" | "text" | "level" | "base64" | "cidr" | "ip";

interface SettingSpec {
  /** commander's attribute name. */
  key: string;
  flag: string;
  description: string;
  /** Applied and shown by --help; absent: the description says what happens without it. */
  default?: string;
  /** Key of poolkeeper.yaml's spec.controller that sets it too. */
  file?: keyof PoolkeeperConfig["controller"]["positions"];
  kind: Kind;
}

// Defaults are Karpenter's where it has the setting (FACTS.md: BATCH_IDLE_DURATION / BATCH_MAX_DURATION,
// controller-runtime's leader election durations, DISABLE_LEADER_ELECTION=false) and client-go's conventions.
export const CONTROLLER_SETTINGS: readonly SettingSpec[] = [
  {
    key: "kubeconfig",
    flag: "--kubeconfig <file>",
    kind: "text",
    description: "kubeconfig of the cluster (default: $KUBECONFIG, else the in-cluster ServiceAccount)",
  },
  {
    key: "clusterName",
    flag: "--cluster-name <name>",
    kind: "label",
    description: "the cluster's name: tags of its instances and status (default: poolkeeper.yaml's spec.cluster)",
  },
  // What the nodes' user data carries (Karpenter: CLUSTER_ENDPOINT, CLUSTER_CA_BUNDLE; the service CIDR from
  // eks:DescribeCluster; kube-dns's ClusterIP looked up), each discovered from the cluster unless given.
  {
    key: "clusterEndpoint",
    flag: "--cluster-endpoint <url>",
    kind: "url",
    description:
      "API server URL the nodes join (default: the kubeconfig's server; required in a pod, where that is a Service address)",
  },
  {
    key: "clusterCaBundle",
    flag: "--cluster-ca-bundle <base64>",
    kind: "base64",
    description:
      "the cluster's CA bundle for the nodes, base64 PEM (default: the kubeconfig's or the ServiceAccount's CA)",
  },
  {
    key: "serviceCidr",
    flag: "--service-cidr <cidr>",
    kind: "cidr",
    description: "the cluster's service CIDR, which AL2023 nodes require (default: none)",
  },
  {
    key: "clusterDnsIp",
    flag: "--cluster-dns-ip <ip>",
    kind: "ip",
    description:
      "the kubelet's clusterDNS where an EC2NodeClass sets none (default: the ClusterIP of the Service kube-system/kube-dns)",
  },
  {
    key: "interruptionQueue",
    flag: "--interruption-queue <name|url>",
    kind: "text",
    file: "interruptionQueue",
    description: "SQS queue of EC2 interruption events (default: none, interruption handling off)",
  },
  {
    key: "awsRegion",
    flag: "--aws-region <region>",
    kind: "region",
    description: "AWS region (default: the SDK's chain: AWS_REGION, the shared config, IMDS)",
  },
  {
    key: "awsEndpoint",
    flag: "--aws-endpoint <url>",
    kind: "url",
    description: "endpoint of every AWS service (default: the SDK's, or AWS_ENDPOINT_URL_<SERVICE>)",
  },
  {
    key: "dryRun",
    flag: "--dry-run [true|false]",
    kind: "boolean",
    default: "false",
    file: "dryRun",
    description: "decide and report, but change nothing in the cluster or the cloud",
  },
  {
    key: "batchIdleDuration",
    flag: "--batch-idle-duration <duration>",
    kind: "duration",
    default: "1s",
    file: "batchIdleDuration",
    description: "provisioning: a batch of pending pods closes after this long without a new one",
  },
  {
    key: "batchMaxDuration",
    flag: "--batch-max-duration <duration>",
    kind: "duration",
    default: "10s",
    file: "batchMaxDuration",
    description: "provisioning: a batch closes after this long at most",
  },
  {
    key: "leaderElect",
    flag: "--leader-elect [true|false]",
    kind: "boolean",
    default: "true",
    description: "elect a leader with a Lease, so that of several replicas only one acts",
  },
  {
    key: "leaderElectionName",
    flag: "--leader-election-name <name>",
    kind: "name",
    default: "poolkeeper-leader-election",
    description: "name of the Lease",
  },
  {
    key: "leaderElectionNamespace",
    flag: "--leader-election-namespace <namespace>",
    kind: "label",
    default: "kube-system",
    description: "namespace of the Lease",
  },
  {
    key: "leaseDuration",
    flag: "--lease-duration <duration>",
    kind: "duration",
    default: "15s",
    file: "leaseDuration",
    description: "how long a lease lasts unrenewed: a standby takes over this long after a leader dies",
  },
  {
    key: "renewDeadline",
    flag: "--renew-deadline <duration>",
    kind: "duration",
    default: "10s",
    file: "renewDeadline",
    description: "a leader that could not renew for this long stops acting",
  },
  {
    key: "retryPeriod",
    flag: "--retry-period <duration>",
    kind: "duration",
    default: "2s",
    file: "retryPeriod",
    description: "between attempts to acquire or renew the lease, and to read Karpenter's",
  },
  {
    key: "karpenterLeaseName",
    flag: "--karpenter-lease-name <name>",
    kind: "name",
    default: "karpenter-leader-election",
    description: "Karpenter's leader Lease: while a Karpenter controller holds it, poolkeeper stays passive",
  },
  {
    key: "karpenterLeaseNamespace",
    flag: "--karpenter-lease-namespace <namespace>",
    kind: "label",
    default: "kube-system",
    description: "its namespace (where Karpenter is installed)",
  },
  {
    key: "logLevel",
    flag: "--log-level <level>",
    kind: "level",
    default: "info",
    description: "lowest log level written (fatal, error, warn, info, debug, trace)",
  },
];

/** `--batch-idle-duration` → `POOLKEEPER_BATCH_IDLE_DURATION`. */
export function envVarOf(longFlag: string): string {
  return `POOLKEEPER_${longFlag.replace(/^--/, "").replaceAll("-", "_").toUpperCase()}`;
}

/** The options of the table, each with its environment variable; new instances on each call, as commander needs. */
export function controllerSettingOptions(): Option[] {
  return CONTROLLER_SETTINGS.map((s) => {
    const file = s.file === undefined ? "" : ` (poolkeeper.yaml: spec.controller.${s.file})`;
    const option = new Option(s.flag, `${s.description}${file}`);
    if (s.default !== undefined) option.default(s.default);
    if (s.kind === "boolean") option.preset("true");
    return option.env(envVarOf(option.long ?? s.flag));
  });
}

/** What the controller runs with, every default resolved. */
export interface ControllerSettings {
  kubeconfig?: string;
  clusterName: string;
  clusterEndpoint?: string;
  clusterCaBundle?: string;
  serviceCidr?: string;
  clusterDnsIp?: string;
  interruptionQueue?: string;
  awsRegion?: string;
  awsEndpoint?: string;
  dryRun: boolean;
  batchIdleMs: number;
  batchMaxMs: number;
  leaderElect: boolean;
  leaderElection: { namespace: string; name: string };
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  karpenterLease: { namespace: string; name: string };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
}

/** Where a value came from, as commander's getOptionValueSource says (plus the file). */
export type ValueSource = string | undefined;

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

const SCHEMA_OF: Record<Kind, object> = {
  duration: { type: "string", format: "go-duration" },
  boolean: { enum: ["true", "false"] },
  name: { type: "string", maxLength: 253, pattern: DNS_SUBDOMAIN },
  label: { type: "string", maxLength: 63, pattern: DNS_LABEL },
  region: { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-\\d+$" },
  url: { type: "string", pattern: "^https?://[^\\s/]+(/\\S*)?$" },
  text: { type: "string", minLength: 1, maxLength: 4096 },
  level: { enum: ["fatal", "error", "warn", "info", "debug", "trace"] },
  base64: { type: "string", minLength: 4, maxLength: 65536, pattern: "^[A-Za-z0-9+/]+={0,2}$" },
  cidr: { type: "string", format: "cidr" },
  ip: { type: "string", format: "ip" },
};

const WHAT_OF: Record<Kind, string> = {
  duration: 'a Go duration such as "1s", "1m30s" (not negative)',
  boolean: "true or false",
  name: "a Kubernetes object name (lower-case DNS subdomain)",
  label: "a DNS label (lower-case letters, digits and '-')",
  region: 'an AWS region such as "us-west-2"',
  url: "an http(s) URL",
  text: "not empty",
  level: "one of fatal, error, warn, info, debug, trace",
  base64: "base64 (a PEM bundle encoded, as in a kubeconfig's certificate-authority-data)",
  cidr: 'a CIDR such as "10.100.0.0/16"',
  ip: 'an IP address such as "10.100.0.10"',
};

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat("go-duration", {
  type: "string",
  validate: (text: string) => {
    try {
      return parseDuration(text) >= 0;
    } catch {
      return false;
    }
  },
});
// net.isIP's judgement (the Go side parses with net.ParseIP / net.ParseCIDR alike).
ajv.addFormat("ip", { type: "string", validate: (text: string) => isIP(text) !== 0 });
ajv.addFormat("cidr", {
  type: "string",
  validate: (text: string) => {
    const [address = "", prefix = "", ...rest] = text.split("/");
    const family = isIP(address);
    return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  },
});
const validateGiven = ajv.compile({
  type: "object",
  properties: Object.fromEntries(CONTROLLER_SETTINGS.map((s) => [s.key, SCHEMA_OF[s.kind]])),
});

/**
 * The settings from the parsed options (`values`, with `sourceOf` telling flag, environment and default apart)
 * and the config file. Throws InputError listing every problem, each naming where the value came from.
 */
export function resolveControllerSettings(
  values: Record<string, unknown>,
  sourceOf: (key: string) => ValueSource,
  config: PoolkeeperConfig,
): ControllerSettings {
  const problems: string[] = [];
  const where = (spec: SettingSpec): string => {
    const value = JSON.stringify(String(values[spec.key]));
    const long = spec.flag.split(" ")[0] ?? spec.flag;
    return sourceOf(spec.key) === "env" ? `${envVarOf(long)}=${value}` : `${long} ${value}`;
  };
  // Only what the command line and the environment gave: defaults are right, the file was checked as it loaded.
  const given = Object.fromEntries(
    CONTROLLER_SETTINGS.filter((s) => isGiven(sourceOf(s.key)) && values[s.key] !== undefined).map((s) => [
      s.key,
      values[s.key],
    ]),
  );
  if (!validateGiven(given)) {
    for (const error of validateGiven.errors ?? []) {
      const spec = specOfError(error);
      if (spec) problems.push(`${where(spec)}: Invalid value: must be ${WHAT_OF[spec.kind]}`);
    }
  }
  if (problems.length > 0) throw new InputError(`invalid settings:\n  ${problems.join("\n  ")}`);

  const file = config.controller;
  const text = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === "string" ? value : undefined;
  };
  const fromFile = (spec: SettingSpec): boolean => !isGiven(sourceOf(spec.key)) && spec.file !== undefined;
  const duration = (key: string): { ms: number; at: string } => {
    const spec = specOf(key);
    if (fromFile(spec)) {
      const set = file.durations[spec.file as keyof typeof file.durations];
      const position = file.positions[spec.file as keyof typeof file.positions];
      if (set && position) return { ms: set.ms, at: `${formatPosition(position)}: spec.controller.${spec.file}` };
    }
    return { ms: parseDuration(text(key) ?? spec.default ?? "0s"), at: where(spec) };
  };
  const bool = (key: string, fileValue: boolean | undefined): boolean =>
    fromFile(specOf(key)) && fileValue !== undefined ? fileValue : text(key) === "true";

  const lease = duration("leaseDuration");
  const renew = duration("renewDeadline");
  const retry = duration("retryPeriod");
  // client-go's NewLeaderElector refuses the same orderings.
  if (!(lease.ms > renew.ms)) problems.push(`${lease.at}: the lease duration must be longer than the renew deadline`);
  if (!(renew.ms > retry.ms)) problems.push(`${renew.at}: the renew deadline must be longer than the retry period`);
  if (!(retry.ms > 0)) problems.push(`${retry.at}: the retry period must be longer than 0`);
  const idle = duration("batchIdleDuration");
  const max = duration("batchMaxDuration");
  if (!(idle.ms > 0)) problems.push(`${idle.at}: the batch idle duration must be longer than 0`);
  if (!(max.ms >= idle.ms)) problems.push(`${max.at}: the batch max duration must not be shorter than the idle one`);
  if (problems.length > 0) throw new InputError(`invalid settings:\n  ${problems.join("\n  ")}`);

  const interruptionQueue = fromFile(specOf("interruptionQueue"))
    ? (file.interruptionQueue ?? text("interruptionQueue"))
    : text("interruptionQueue");
  return {
    ...optional("kubeconfig", text("kubeconfig")),
    clusterName: text("clusterName") ?? config.cluster,
    ...optional("clusterEndpoint", text("clusterEndpoint")),
    ...optional("clusterCaBundle", text("clusterCaBundle")),
    ...optional("serviceCidr", text("serviceCidr")),
    ...optional("clusterDnsIp", text("clusterDnsIp")),
    ...optional("interruptionQueue", interruptionQueue),
    ...optional("awsRegion", text("awsRegion")),
    ...optional("awsEndpoint", text("awsEndpoint")),
    dryRun: bool("dryRun", file.dryRun),
    batchIdleMs: idle.ms,
    batchMaxMs: max.ms,
    leaderElect: bool("leaderElect", undefined),
    leaderElection: {
      namespace: text("leaderElectionNamespace") ?? "",
      name: text("leaderElectionName") ?? "",
    },
    leaseDurationMs: lease.ms,
    renewDeadlineMs: renew.ms,
    retryPeriodMs: retry.ms,
    karpenterLease: {
      namespace: text("karpenterLeaseNamespace") ?? "",
      name: text("karpenterLeaseName") ?? "",
    },
    logLevel: (text("logLevel") ?? "info") as ControllerSettings["logLevel"],
  };
}

function isGiven(source: ValueSource): boolean {
  return source === "cli" || source === "env";
}

function specOf(key: string): SettingSpec {
  const spec = CONTROLLER_SETTINGS.find((s) => s.key === key);
  if (!spec) throw new Error(`no setting ${key}`);
  return spec;
}

function specOfError(error: ErrorObject): SettingSpec | undefined {
  const key = error.instancePath.split("/")[1];
  return CONTROLLER_SETTINGS.find((s) => s.key === key);
}

function formatPosition(at: SourcePosition): string {
  return `${at.file}:${at.line}:${at.col}`;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
