// Kinds that describe the cluster's own machinery: rbac.authorization.k8s.io/v1 roles and bindings (sim/kube/auth/
// authorizes every request by them), admissionregistration.k8s.io/v1 webhook configurations (defaulted here, called
// by sim/kube/admission/) and apiextensions.k8s.io/v1 CustomResourceDefinitions (the Karpenter CRDs
// pre-installed).
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { defaultWebhooks } from "./webhook-defaults.ts";
import { ageColumn, column, field } from "./printing.ts";
import { arr, obj, open, str } from "./schema-builders.ts";

const createdAt = column("Created At", (o) => String(field(o, "metadata.creationTimestamp") ?? ""), { type: "date" });
const policyRule = obj(
  { verbs: arr(str), apiGroups: arr(str), resources: arr(str), resourceNames: arr(str), nonResourceURLs: arr(str) },
  ["verbs"],
);
const subject = obj({ kind: str, apiGroup: str, name: str, namespace: str }, ["kind", "name"]);
const roleRef = obj({ apiGroup: str, kind: str, name: str }, ["apiGroup", "kind", "name"]);

function subjects(b: KubeObject, kind: string): string {
  const list = (b.subjects as { kind?: string; name?: string; namespace?: string }[] | undefined) ?? [];
  return list
    .filter((s) => s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? ""}/${s.name ?? ""}` : String(s.name)))
    .join(", ");
}

const bindingColumns = [
  column("Role", (b) => `${String(field(b, "roleRef.kind") ?? "")}/${String(field(b, "roleRef.name") ?? "")}`),
  ageColumn,
  column("Users", (b) => subjects(b, "User"), { priority: 1 }),
  column("Groups", (b) => subjects(b, "Group"), { priority: 1 }),
  column("ServiceAccounts", (b) => subjects(b, "ServiceAccount"), { priority: 1 }),
];

const rbac = { group: "rbac.authorization.k8s.io", version: "v1" };

export const roles: ResourceKind = builtIn({
  ...rbac,
  kind: "Role",
  nameIsPathSegment: true,
  plural: "roles",
  namespaced: true,
  fields: { rules: arr(policyRule) },
  printerColumns: [createdAt],
});
export const clusterRoles: ResourceKind = builtIn({
  ...rbac,
  kind: "ClusterRole",
  nameIsPathSegment: true,
  plural: "clusterroles",
  namespaced: false,
  fields: { rules: arr(policyRule), aggregationRule: open },
  printerColumns: [createdAt],
});
export const roleBindings: ResourceKind = builtIn({
  ...rbac,
  kind: "RoleBinding",
  nameIsPathSegment: true,
  plural: "rolebindings",
  namespaced: true,
  fields: { subjects: arr(subject), roleRef },
  printerColumns: bindingColumns,
});
export const clusterRoleBindings: ResourceKind = builtIn({
  ...rbac,
  kind: "ClusterRoleBinding",
  nameIsPathSegment: true,
  plural: "clusterrolebindings",
  namespaced: false,
  fields: { subjects: arr(subject), roleRef },
  printerColumns: bindingColumns,
});

const webhooksColumn = column("Webhooks", (w) => ((w.webhooks as unknown[] | undefined) ?? []).length, {
  type: "integer",
});
const admission = { group: "admissionregistration.k8s.io", version: "v1", categories: ["api-extensions"] };

export const validatingWebhookConfigurations: ResourceKind = builtIn({
  ...admission,
  kind: "ValidatingWebhookConfiguration",
  plural: "validatingwebhookconfigurations",
  namespaced: false,
  fields: { webhooks: arr(open, "name") },
  defaults: defaultWebhooks(false),
  printerColumns: [webhooksColumn, ageColumn],
});

export const mutatingWebhookConfigurations: ResourceKind = builtIn({
  ...admission,
  kind: "MutatingWebhookConfiguration",
  plural: "mutatingwebhookconfigurations",
  namespaced: false,
  fields: { webhooks: arr(open, "name") },
  defaults: defaultWebhooks(true),
  printerColumns: [webhooksColumn, ageColumn],
});

export const customResourceDefinitions: ResourceKind = builtIn({
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  subresources: ["status"],
  keepStatusOnCreate: true,
  fields: { spec: open, status: open },
  printerColumns: [createdAt],
});
