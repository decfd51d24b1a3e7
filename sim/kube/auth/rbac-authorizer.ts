// Authorization by the RBAC objects of the cluster, as kube's RBAC authorizer decides
// (plugin/pkg/auth/authorizer/rbac.RBACAuthorizer over pkg/registry/rbac/validation.DefaultRuleResolver): the
// rules of every ClusterRoleBinding whose subjects include the user, then — for a namespaced request — of every
// RoleBinding in that namespace; the first rule that covers the request allows it. RBAC never denies: a request no
// rule covers gets no opinion, with the resolution errors (a binding to a missing role) as the reason.
import type { Attributes } from "./request-attributes.ts";
import { ruleAllows, type PolicyRule } from "./rbac-rules.ts";
import { serviceAccountUsername, type UserInfo } from "./user-info.ts";

export interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

export interface RoleBindingObject {
  metadata?: { name?: string; namespace?: string };
  subjects?: readonly Subject[];
  roleRef?: RoleRef;
}

export interface RoleObject {
  rules?: readonly PolicyRule[];
}

/** The RBAC objects a decision reads (the authorizer's listers). */
export interface RbacPolicy {
  clusterRoleBindings(): readonly RoleBindingObject[];
  roleBindings(namespace: string): readonly RoleBindingObject[];
  clusterRole(name: string): RoleObject | undefined;
  role(namespace: string, name: string): RoleObject | undefined;
}

export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by …` when allowed; the resolution errors (possibly empty) otherwise. */
  reason: string;
}

/** The rule that granted a request and where it came from, or an error met while resolving a binding. */
type Visitor = (source: string | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean;

export function authorize(policy: RbacPolicy, attributes: Attributes): Decision {
  let reason = "";
  const errors: string[] = [];
  let allowed = false;
  visitRulesFor(
    policy,
    attributes.user,
    attributes.resourceRequest ? attributes.namespace : "",
    (source, rule, error) => {
      if (rule && ruleAllows(attributes, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${source ?? ""}`;
        return false;
      }
      if (error !== undefined) errors.push(error);
      return true;
    },
  );
  if (allowed) return { allowed, reason };
  return { allowed: false, reason: errors.length === 0 ? "" : `RBAC: ${aggregate(errors)}` };
}

/** DefaultRuleResolver.RulesFor: every rule that applies to the user in the namespace ("" for the cluster). */
export function rulesFor(
  policy: RbacPolicy,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(policy, user, namespace, (_source, rule, error) => {
    if (rule) rules.push(rule);
    if (error !== undefined) errors.push(error);
    return true;
  });
  return { rules, errors };
}

function visitRulesFor(policy: RbacPolicy, user: UserInfo, namespace: string, visitor: Visitor): void {
  for (const binding of policy.clusterRoleBindings()) {
    const subject = appliesTo(user, binding.subjects ?? [], "");
    if (!subject) continue;
    const resolved = roleReferenceRules(policy, binding.roleRef ?? {}, "");
    if ("error" in resolved) {
      if (!visitor(undefined, undefined, resolved.error)) return;
      continue;
    }
    const source = `ClusterRoleBinding ${quote(binding.metadata?.name ?? "")} of ${binding.roleRef?.kind ?? ""} ${quote(binding.roleRef?.name ?? "")} to ${describeSubject(subject, "")}`;
    for (const rule of resolved.rules) if (!visitor(source, rule, undefined)) return;
  }
  if (namespace === "") return;
  for (const binding of policy.roleBindings(namespace)) {
    const subject = appliesTo(user, binding.subjects ?? [], namespace);
    if (!subject) continue;
    const resolved = roleReferenceRules(policy, binding.roleRef ?? {}, namespace);
    if ("error" in resolved) {
      if (!visitor(undefined, undefined, resolved.error)) return;
      continue;
    }
    const source = `RoleBinding ${quote(`${binding.metadata?.name ?? ""}/${namespace}`)} of ${binding.roleRef?.kind ?? ""} ${quote(binding.roleRef?.name ?? "")} to ${describeSubject(subject, namespace)}`;
    for (const rule of resolved.rules) if (!visitor(source, rule, undefined)) return;
  }
}

// GetRoleReferenceRules: a RoleBinding may name a Role of its namespace or a ClusterRole.
function roleReferenceRules(
  policy: RbacPolicy,
  ref: RoleRef,
  bindingNamespace: string,
): { rules: readonly PolicyRule[] } | { error: string } {
  const name = ref.name ?? "";
  if (ref.kind === "Role") {
    const role = policy.role(bindingNamespace, name);
    return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${quote(name)} not found` };
  }
  if (ref.kind === "ClusterRole") {
    const role = policy.clusterRole(name);
    return role
      ? { rules: role.rules ?? [] }
      : { error: `clusterrole.rbac.authorization.k8s.io ${quote(name)} not found` };
  }
  return { error: `unsupported role reference kind: ${quote(ref.kind ?? "")}` };
}

// appliesTo / appliesToUser: a ServiceAccount subject without a namespace takes the binding's.
function appliesTo(user: UserInfo, subjects: readonly Subject[], bindingNamespace: string): Subject | undefined {
  return subjects.find((subject) => {
    switch (subject.kind) {
      case "User":
        return user.name === subject.name;
      case "Group":
        return user.groups.includes(subject.name ?? "");
      case "ServiceAccount": {
        const namespace = subject.namespace || bindingNamespace;
        if (namespace === "") return false;
        return serviceAccountUsername(namespace, subject.name ?? "") === user.name;
      }
      default:
        return false;
    }
  });
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === "ServiceAccount")
    return `${subject.kind} ${quote(`${subject.name ?? ""}/${subject.namespace || bindingNamespace}`)}`;
  return `${subject.kind ?? ""} ${quote(subject.name ?? "")}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several (each once) in brackets. */
function aggregate(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(", ")}]`;
}

/** Go's %q for the names RBAC messages quote. */
function quote(s: string): string {
  return JSON.stringify(s);
}
