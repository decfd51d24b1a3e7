// The RBAC authorizer's listers over the simulated cluster's store: every decision reads the roles and bindings
// as they are now, so an applied binding takes effect on the next request, as through the real informers.
import type { KindRegistry } from "../store/kind-registry.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { ResourceKind } from "../store/resource-kind.ts";
import type { RbacPolicy, RoleBindingObject, RoleObject } from "./rbac-authorizer.ts";

export function storePolicy(store: ObjectStore, registry: KindRegistry): RbacPolicy {
  const kind = (plural: string): ResourceKind => {
    const found = registry.resource("rbac.authorization.k8s.io", "v1", plural);
    if (!found) throw new Error(`rbac.authorization.k8s.io/v1 ${plural} is not served`);
    return found;
  };
  const roles = kind("roles");
  const clusterRoles = kind("clusterroles");
  const roleBindings = kind("rolebindings");
  const clusterRoleBindings = kind("clusterrolebindings");
  return {
    clusterRoleBindings: () => store.list(clusterRoleBindings).items as RoleBindingObject[],
    roleBindings: (namespace) => store.list(roleBindings, { namespace }).items as RoleBindingObject[],
    clusterRole: (name) => store.find(clusterRoles, undefined, name) as RoleObject | undefined,
    role: (namespace, name) => store.find(roles, namespace, name) as RoleObject | undefined,
  };
}
