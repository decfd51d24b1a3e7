// The registered admission webhooks as the dispatcher calls them: every webhook of every Mutating- or
// ValidatingWebhookConfiguration, configurations in name order and webhooks in the order written, with the
// defaults admissionregistration/v1 gives (k8s.io/kubernetes pkg/apis/admissionregistration/v1/defaults.go:
// failurePolicy Fail, timeoutSeconds 10, matchPolicy Equivalent, scope "*", empty selectors that match
// everything). The configurations are read as stored; a field of the wrong type counts as absent.
import { isRecord } from "../../../api/index.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/resource-kind.ts";

export type WebhookType = "mutating" | "validating";

export interface WebhookRule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: string;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path: string;
  port: number;
}

export interface ClientConfig {
  url?: string;
  service?: ServiceReference;
  /** PEM, decoded from the configuration's base64. */
  caBundle?: string;
}

export interface MatchCondition {
  name: string;
  expression: string;
}

export interface Webhook {
  type: WebhookType;
  /** The configuration's name. */
  configuration: string;
  name: string;
  clientConfig: ClientConfig;
  rules: WebhookRule[];
  failurePolicy: "Fail" | "Ignore";
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  namespaceSelector: unknown;
  objectSelector: unknown;
  matchConditions: MatchCondition[];
  /** Mutating webhooks: "IfNeeded" to be called again when a later webhook changes the object. */
  reinvocationPolicy: string;
}

/** The webhooks of every stored configuration of one type, in the order the dispatcher calls them. */
export function registeredWebhooks(store: ObjectStore, type: WebhookType): Webhook[] {
  const kind = store.registry.resource(
    "admissionregistration.k8s.io",
    "v1",
    type === "mutating" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations",
  );
  if (!kind) return [];
  const configurations = store.list(kind).items;
  const name = (c: KubeObject): string => String(c.metadata?.name ?? "");
  configurations.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return configurations.flatMap((c) =>
    (Array.isArray(c.webhooks) ? c.webhooks : []).filter(isRecord).map((w) => webhookOf(type, name(c), w)),
  );
}

function webhookOf(type: WebhookType, configuration: string, w: Record<string, unknown>): Webhook {
  return {
    type,
    configuration,
    name: typeof w.name === "string" ? w.name : "",
    clientConfig: clientConfigOf(w.clientConfig),
    rules: (Array.isArray(w.rules) ? w.rules : []).filter(isRecord).map((r) => ({
      operations: strings(r.operations),
      apiGroups: strings(r.apiGroups),
      apiVersions: strings(r.apiVersions),
      resources: strings(r.resources),
      scope: typeof r.scope === "string" ? r.scope : "*",
    })),
    failurePolicy: w.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    sideEffects: typeof w.sideEffects === "string" ? w.sideEffects : "",
    timeoutSeconds: typeof w.timeoutSeconds === "number" && w.timeoutSeconds > 0 ? Math.min(w.timeoutSeconds, 30) : 10,
    admissionReviewVersions: strings(w.admissionReviewVersions),
    namespaceSelector: w.namespaceSelector ?? {},
    objectSelector: w.objectSelector ?? {},
    reinvocationPolicy: w.reinvocationPolicy === "IfNeeded" ? "IfNeeded" : "Never",
    matchConditions: (Array.isArray(w.matchConditions) ? w.matchConditions : [])
      .filter(isRecord)
      .map((m) => ({ name: String(m.name ?? ""), expression: String(m.expression ?? "") })),
  };
}

function clientConfigOf(value: unknown): ClientConfig {
  if (!isRecord(value)) return {};
  const out: ClientConfig = {};
  if (typeof value.url === "string") out.url = value.url;
  if (isRecord(value.service)) {
    const s = value.service;
    out.service = {
      namespace: String(s.namespace ?? ""),
      name: String(s.name ?? ""),
      path: typeof s.path === "string" ? s.path : "",
      port: typeof s.port === "number" ? s.port : 443,
    };
  }
  if (typeof value.caBundle === "string" && value.caBundle !== "")
    out.caBundle = Buffer.from(value.caBundle, "base64").toString("utf8");
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
