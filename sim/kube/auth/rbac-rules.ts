// Whether one RBAC PolicyRule covers a request: plugin/pkg/auth/authorizer/rbac's RuleAllows over
// pkg/apis/rbac/v1's VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches and NonResourceURLMatches.
import type { RequestAttributes } from "./request-attributes.ts";

/** rbacv1.PolicyRule as stored (every list optional, as a JSON object may leave it out). */
export interface PolicyRule {
  verbs?: readonly string[];
  apiGroups?: readonly string[];
  resources?: readonly string[];
  resourceNames?: readonly string[];
  nonResourceURLs?: readonly string[];
}

const ALL = "*";

export function ruleAllows(request: RequestAttributes, rule: PolicyRule): boolean {
  if (request.resourceRequest) {
    const combined = request.subresource === "" ? request.resource : `${request.resource}/${request.subresource}`;
    return (
      verbMatches(rule, request.verb) &&
      apiGroupMatches(rule, request.apiGroup) &&
      resourceMatches(rule, combined, request.subresource) &&
      resourceNameMatches(rule, request.name)
    );
  }
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

// `*/scale` matches the scale subresource of every resource; a bare `*` matches everything.
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) =>
      r === ALL ||
      r === combined ||
      (subresource !== "" && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)),
  );
}

// No resourceNames means every name; a request without a name (list, create) matches only then.
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

// `/apis/*` matches every path under /apis/ (not /apis itself); `*` matches every path.
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === ALL || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))),
  );
}
