// Whether a request falls under a webhook's rules (k8s.io/apiserver pkg/admission/plugin/webhook/predicates/rules,
// Matcher.Matches): one rule whose operations, API groups, versions, resources (with `*`, `pods/*`, `*/status`,
// `*/*` for subresources) and scope all match. A namespace object is cluster-scoped even though its requests carry
// its own name as the namespace.
import type { WebhookRule } from "./webhook-configuration.ts";

export interface RuleAttributes {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** The request's namespace; "" for a cluster-scoped resource. */
  namespace: string;
}

export function matchesAnyRule(rules: readonly WebhookRule[], a: RuleAttributes): boolean {
  return rules.some((rule) => matchesRule(rule, a));
}

function matchesRule(rule: WebhookRule, a: RuleAttributes): boolean {
  return (
    oneOf(rule.operations, a.operation) &&
    oneOf(rule.apiGroups, a.group) &&
    oneOf(rule.apiVersions, a.version) &&
    matchesResource(rule.resources, a.resource, a.subresource) &&
    matchesScope(rule.scope, a)
  );
}

function oneOf(values: readonly string[], value: string): boolean {
  return values.includes("*") || values.includes(value);
}

// Matcher.resource: an entry is `resource` or `resource/subresource`, either part `*`; `pods` means the pods
// themselves, not their subresources.
function matchesResource(resources: readonly string[], resource: string, subresource: string): boolean {
  return resources.some((entry) => {
    const slash = entry.indexOf("/");
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? "" : entry.slice(slash + 1);
    return (res === "*" || res === resource) && (sub === "*" || sub === subresource);
  });
}

function matchesScope(scope: string, a: RuleAttributes): boolean {
  const isNamespace = a.group === "" && a.resource === "namespaces";
  if (scope === "Namespaced") return !isNamespace && a.namespace !== "";
  if (scope === "Cluster") return isNamespace || a.namespace === "";
  return true;
}
