// The admission webhook's own Prometheus metrics: decisions and the policy in force. What every server shares
// (process metrics, the serving certificate's) is runtime/metrics.ts. Each server has a registry of its own by
// default, so that two servers in one process (the tests start many) never collide on metric names. Label values
// come from small closed sets: a request's kind and operation are attacker-controlled strings, and unbounded label
// values would grow the registry without limit.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type AdmissionOutcome = "allowed" | "denied" | "error";

export interface WebhookMetrics {
  registry: Registry;
  /** Admission requests answered, by object kind, operation and outcome (`error`: 4xx/5xx, no decision). */
  requests: Counter<"kind" | "operation" | "decision">;
  /** The `requests` child of these labels (label values from kindLabel and operationLabel), made once and kept. */
  requestsOf(kind: string, operation: string, decision: AdmissionOutcome): { inc(): void };
  /** Time from receiving a parsed body to sending the decision, cluster-view fetch included. */
  duration: Histogram;
  /** Findings of the validating webhook's decisions, by rule and severity; dry runs are not counted. */
  findings: Counter<"rule" | "severity">;
  /** The `findings` child of a rule and severity, made once and kept (rule ids come from the policy in force). */
  findingsOf(rule: string, severity: string): { inc(): void };
  policyReloadErrors: Counter;
  /** 1 when the last policy reload succeeded (or none was needed), 0 while a bad edit is being ignored. */
  policyLastReloadSuccessful: Gauge;
}

const KINDS = new Set(["NodePool", "EC2NodeClass"]);
const OPERATIONS = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

/** The `kind` label: the two kinds the webhook judges, `other` for anything else, `unknown` when unparsed. */
export function kindLabel(kind: string | undefined): string {
  if (kind === undefined || kind === "") return "unknown";
  return KINDS.has(kind) ? kind : "other";
}

export function operationLabel(operation: string | undefined): string {
  if (operation === undefined || operation === "") return "unknown";
  return OPERATIONS.has(operation) ? operation : "other";
}

/** Registers the admission metrics into `registry`. */
export function createMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: "poolkeeper_admission_requests_total",
    help: "Admission requests answered, by object kind, operation and decision (allowed, denied, error).",
    labelNames: ["kind", "operation", "decision"] as const,
    registers,
  });
  const findings = new Counter({
    name: "poolkeeper_policy_findings_total",
    help: "Findings in validating admission decisions, by rule and severity (dry runs are not counted).",
    labelNames: ["rule", "severity"] as const,
    registers,
  });
  return {
    registry,
    requests,
    requestsOf: boundChildren((kind, operation, decision) => requests.labels(kind, operation, decision)),
    findings,
    findingsOf: boundChildren((rule, severity) => findings.labels(rule, severity)),
    duration: new Histogram({
      name: "poolkeeper_admission_duration_seconds",
      help: "Time to decide an admission request, from the parsed body to the response, cluster view included.",
      // The API server's timeoutSeconds is 1-30 s; most decisions take a few milliseconds.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    policyReloadErrors: new Counter({
      name: "poolkeeper_policy_reload_errors_total",
      help: "Policy reloads that failed; the previous policy stays in force.",
      registers,
    }),
    policyLastReloadSuccessful: new Gauge({
      name: "poolkeeper_policy_last_reload_successful",
      help: "1 if the policy files on disk are the policy in force, 0 if the last reload failed.",
      registers,
    }),
  };
}

/** A metric's children by label values, each made (label names checked, values copied) once and then reused. */
function boundChildren<A extends string[]>(make: (...values: A) => { inc(): void }): (...values: A) => { inc(): void } {
  const children = new Map<string, { inc(): void }>();
  return (...values) => {
    const key = values.join("\0");
    let child = children.get(key);
    if (!child) {
      child = make(...values);
      children.set(key, child);
    }
    return child;
  };
}
