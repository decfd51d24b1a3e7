// The RBAC objects a new cluster holds before anyone applies one, as the API server's bootstrap policy writes them
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: ClusterRoles() and ClusterRoleBindings()): cluster-admin for
// system:masters, and the discovery, basic-user and public-info roles every authenticated user has — so kubectl's
// discovery and `auth can-i` work under any ServiceAccount. The aggregated admin/edit/view roles are not here.
import type { KubeObject } from "../store/resource-kind.ts";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from "./user-info.ts";

const bootstrapMeta = (name: string) => ({
  name,
  labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
  annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
});

const clusterRole = (name: string, rules: Record<string, string[]>[]): KubeObject => ({
  metadata: bootstrapMeta(name),
  rules,
});

const binding = (name: string, ...groups: string[]): KubeObject => ({
  metadata: bootstrapMeta(name),
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
  subjects: groups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group })),
});

export function bootstrapClusterRoles(): KubeObject[] {
  return [
    clusterRole("cluster-admin", [
      { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      { verbs: ["*"], nonResourceURLs: ["*"] },
    ]),
    clusterRole("system:discovery", [
      {
        verbs: ["get"],
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
      },
    ]),
    clusterRole("system:basic-user", [
      {
        verbs: ["create"],
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
      },
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
    ]),
    clusterRole("system:public-info-viewer", [
      { verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] },
    ]),
  ];
}

export function bootstrapClusterRoleBindings(): KubeObject[] {
  return [
    binding("cluster-admin", SYSTEM_MASTERS),
    binding("system:discovery", ALL_AUTHENTICATED),
    binding("system:basic-user", ALL_AUTHENTICATED),
    binding("system:public-info-viewer", ALL_AUTHENTICATED, ALL_UNAUTHENTICATED),
  ];
}
