// Who a request is from, as the API server's authenticators hand it to authorization (k8s.io/apiserver's
// user.Info), and the names Kubernetes gives its built-in users and groups (user.SystemPrivilegedGroup,
// serviceaccount.MakeUsername / MakeGroupNames).
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export const SYSTEM_MASTERS = "system:masters";
export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";

/** The user kubeadm writes into admin.conf. */
export const ADMIN_USER: UserInfo = { name: "kubernetes-admin", groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };

/** serviceaccount.MakeUsername: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The user a ServiceAccount token authenticates as (serviceaccount.UserInfo plus system:authenticated). */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: serviceAccountUsername(namespace, name),
    groups: [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`, ALL_AUTHENTICATED],
  };
}
