// The self-review APIs kubectl's `auth can-i` calls (pkg/registry/authorization): SelfSubjectAccessReview asks
// whether the caller may do one thing (`can-i VERB RESOURCE`), SelfSubjectRulesReview lists what the caller may do
// in a namespace (`can-i --list`). Both answer with the request's spec and a status computed by the same
// authorizer that guards every request.
import { isRecord } from "../../../api/index.ts";
import type { KubeObject } from "../store/resource-kind.ts";
import { invalid } from "../store/status.ts";
import type { PolicyRule } from "./rbac-rules.ts";
import type { Attributes } from "./request-attributes.ts";
import type { UserInfo } from "./user-info.ts";

const GROUP = "authorization.k8s.io";

export interface ReviewAuthorizer {
  authorize(attributes: Attributes): { allowed: boolean; reason: string };
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] };
}

export function selfSubjectAccessReview(authorizer: ReviewAuthorizer, user: UserInfo, body: unknown): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  const resource = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isRecord(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  // ValidateSelfSubjectAccessReviewSpec: exactly one of the two.
  if (resource && nonResource)
    throw invalid(GROUP, "SelfSubjectAccessReview", "", [
      {
        field: "spec.nonResourceAttributes",
        type: "FieldValueInvalid",
        body: 'Invalid value: "": cannot be specified in combination with resourceAttributes',
      },
    ]);
  if (!resource && !nonResource)
    throw invalid(GROUP, "SelfSubjectAccessReview", "", [
      {
        field: "spec.resourceAttributes",
        type: "FieldValueRequired",
        body: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
      },
    ]);
  const text = (o: Record<string, unknown>, key: string): string => (typeof o[key] === "string" ? o[key] : "");
  const attributes: Attributes = resource
    ? {
        user,
        resourceRequest: true,
        verb: text(resource, "verb"),
        apiGroup: text(resource, "group"),
        apiVersion: text(resource, "version"),
        namespace: text(resource, "namespace"),
        resource: text(resource, "resource"),
        subresource: text(resource, "subresource"),
        name: text(resource, "name"),
      }
    : {
        user,
        resourceRequest: false,
        verb: text(nonResource as Record<string, unknown>, "verb"),
        path: text(nonResource as Record<string, unknown>, "path"),
      };
  const decision = authorizer.authorize(attributes);
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason !== "") status.reason = decision.reason;
  return {
    kind: "SelfSubjectAccessReview",
    apiVersion: `${GROUP}/v1`,
    metadata: { creationTimestamp: null },
    spec,
    status,
  };
}

export function selfSubjectRulesReview(authorizer: ReviewAuthorizer, user: UserInfo, body: unknown): KubeObject {
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  const namespace = typeof spec.namespace === "string" ? spec.namespace : "";
  const { rules, errors } = authorizer.rulesFor(user, namespace);
  const resourceRules: Record<string, unknown>[] = [];
  const nonResourceRules: Record<string, unknown>[] = [];
  // The RBAC rule resolver's conversion: one rule may yield a resource rule and a non-resource rule.
  for (const rule of rules) {
    if ((rule.resources ?? []).length > 0) {
      const out: Record<string, unknown> = {
        verbs: rule.verbs ?? [],
        apiGroups: rule.apiGroups ?? [],
        resources: rule.resources ?? [],
      };
      if ((rule.resourceNames ?? []).length > 0) out.resourceNames = rule.resourceNames;
      resourceRules.push(out);
    }
    if ((rule.nonResourceURLs ?? []).length > 0)
      nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
  }
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length > 0) status.evaluationError = errors.join(", ");
  return {
    kind: "SelfSubjectRulesReview",
    apiVersion: `${GROUP}/v1`,
    metadata: { creationTimestamp: null },
    spec,
    status,
  };
}
