// Who may do what on the simulated API server: authentication by bearer token, then the authorizer chain the
// API server builds for `--authorization-mode=RBAC` (k8s.io/apiserver's union authorizer with the privileged-group
// authorizer for system:masters in front of RBAC), answering 401 and 403 as its filters do
// (WithAuthentication, WithAuthorization). It also serves the endpoints that answer from this state rather than
// from the store: TokenRequest, SelfSubjectReview and the self access reviews.
import type { Clock } from "../../../api/index.ts";
import type { KindRegistry } from "../store/kind-registry.ts";
import type { ObjectStore, StoreWatch } from "../store/object-store.ts";
import type { KubeObject } from "../store/resource-kind.ts";
import { unauthorized } from "../store/status.ts";
import { selfSubjectAccessReview, selfSubjectRulesReview } from "./access-reviews.ts";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./bootstrap-policy.ts";
import { forbidden } from "./forbidden.ts";
import { startLegacyTokenController } from "./legacy-token-controller.ts";
import { authorize, rulesFor, type RbacPolicy } from "./rbac-authorizer.ts";
import type { PolicyRule } from "./rbac-rules.ts";
import { requestAttributes, type Attributes } from "./request-attributes.ts";
import { storePolicy } from "./store-policy.ts";
import { TokenAuthenticator } from "./token-authenticator.ts";
import { SYSTEM_MASTERS, type UserInfo } from "./user-info.ts";

/** A POST the access control answers itself, given the decoded body. */
export type AccessEndpoint = (body: unknown) => KubeObject;

export class AccessControl {
  readonly #tokens: TokenAuthenticator;
  readonly #policy: RbacPolicy;

  readonly #controller: StoreWatch;

  constructor(options: { adminToken: string; store: ObjectStore; registry: KindRegistry; clock: Clock; ca: string }) {
    const serviceAccounts = options.registry.resource("", "v1", "serviceaccounts");
    const secrets = options.registry.resource("", "v1", "secrets");
    if (!serviceAccounts || !secrets) throw new Error("v1 serviceaccounts and secrets are not served");
    this.#tokens = new TokenAuthenticator({ ...options, serviceAccounts, secrets });
    this.#policy = storePolicy(options.store, options.registry);
    this.#controller = startLegacyTokenController({ ...options, serviceAccounts, secrets, tokens: this.#tokens });
  }

  /** Stops the legacy token controller. */
  close(): void {
    this.#controller.stop();
  }

  /** Authenticates and authorizes a request: its user, or a 401 / 403 ApiError. */
  admit(method: string, url: URL, authorization: string | undefined): UserInfo {
    const user = this.#tokens.authenticate(authorization);
    if (!user) throw unauthorized();
    const attributes: Attributes = { ...requestAttributes(method, url), user };
    const decision = this.authorize(attributes);
    if (!decision.allowed) throw forbidden(attributes, decision.reason);
    return user;
  }

  authorize(attributes: Attributes): { allowed: boolean; reason: string } {
    if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
    return authorize(this.#policy, attributes);
  }

  // Only RBAC lists rules; system:masters sees cluster-admin's through its bootstrap binding.
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    return rulesFor(this.#policy, user, namespace);
  }

  /** The endpoint a POST to `path` reaches here, if it is one of ours. */
  endpoint(method: string, path: string, user: UserInfo): AccessEndpoint | undefined {
    if (method !== "POST") return undefined;
    const token = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(path);
    if (token)
      return (body) =>
        this.#tokens.createToken(decodeURIComponent(token[1] as string), decodeURIComponent(token[2] as string), body);
    if (path === "/apis/authentication.k8s.io/v1/selfsubjectreviews") return () => selfSubjectReview(user);
    if (path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
      return (body) => selfSubjectAccessReview(this, user, body);
    if (path === "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
      return (body) => selfSubjectRulesReview(this, user, body);
    return undefined;
  }
}

/** SelfSubjectReview (`kubectl auth whoami`): the user as authentication saw it. */
function selfSubjectReview(user: UserInfo): KubeObject {
  return {
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: user.name, groups: [...user.groups] } },
  };
}

/** Writes the bootstrap ClusterRoles and ClusterRoleBindings into a new cluster's store. */
export function installBootstrapPolicy(store: ObjectStore, registry: KindRegistry): void {
  const clusterRoles = registry.resource("rbac.authorization.k8s.io", "v1", "clusterroles");
  const bindings = registry.resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
  if (!clusterRoles || !bindings) throw new Error("rbac.authorization.k8s.io/v1 is not served");
  for (const role of bootstrapClusterRoles()) store.create(clusterRoles, undefined, role);
  for (const binding of bootstrapClusterRoleBindings()) store.create(bindings, undefined, binding);
}
