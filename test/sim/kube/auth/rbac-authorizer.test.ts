// The RBAC authorizer against the cases of kube's own tests, transcribed as they are there
// (plugin/pkg/auth/authorizer/rbac/rbac_test.go: TestAuthorizer's four tables and TestRuleMatches' nine rules), and
// the reasons and 403 messages the API server gives (rbac.go's describers, responsewriters.forbiddenMessage).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { forbidden } from "../../../../sim/kube/auth/forbidden.ts";
import {
  authorize,
  rulesFor,
  type RbacPolicy,
  type RoleBindingObject,
  type RoleObject,
} from "../../../../sim/kube/auth/rbac-authorizer.ts";
import { ruleAllows, type PolicyRule } from "../../../../sim/kube/auth/rbac-rules.ts";
import type {
  Attributes,
  RequestAttributes,
  ResourceAttributes,
} from "../../../../sim/kube/auth/request-attributes.ts";
import type { UserInfo } from "../../../../sim/kube/auth/user-info.ts";

// rbac_test.go's helpers: newRule splits comma lists; subjects are "Kind:name".
const newRule = (verbs: string, apiGroups: string, resources: string, urls: string): PolicyRule => ({
  verbs: verbs.split(","),
  apiGroups: apiGroups.split(","),
  resources: resources.split(","),
  nonResourceURLs: urls.split(","),
});
const subjects = (list: string[]) =>
  list.map((s) => {
    const [kind, name] = s.split(/:(.*)/s) as [string, string];
    return { kind, name };
  });

interface Fixture {
  roles?: Record<string, RoleObject>; // "namespace/name"
  clusterRoles?: Record<string, RoleObject>;
  roleBindings?: RoleBindingObject[];
  clusterRoleBindings?: RoleBindingObject[];
}

function policy(f: Fixture): RbacPolicy {
  return {
    clusterRoleBindings: () => f.clusterRoleBindings ?? [],
    roleBindings: (ns) => (f.roleBindings ?? []).filter((b) => b.metadata?.namespace === ns),
    clusterRole: (name) => f.clusterRoles?.[name],
    role: (ns, name) => f.roles?.[`${ns}/${name}`],
  };
}

const roleBinding = (namespace: string, role: string, kind: string, ...who: string[]): RoleBindingObject => ({
  metadata: { name: "", namespace },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
  subjects: subjects(who),
});
const clusterRoleBinding = (role: string, ...who: string[]): RoleBindingObject => ({
  metadata: { name: "" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects: subjects(who),
});

/** defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup} */
const attrs = (
  user: string,
  groups: string,
  verb: string,
  resource: string,
  subresource: string,
  namespace: string,
  apiGroup: string,
): ResourceAttributes & { user: UserInfo } => ({
  user: { name: user, groups: groups.split(",") },
  resourceRequest: true,
  verb,
  apiGroup,
  apiVersion: "",
  namespace,
  resource,
  subresource,
  name: "",
});
const path = (name: string, groups: string[], verb: string, p: string): Attributes => ({
  user: { name, groups },
  resourceRequest: false,
  verb,
  path: p,
});

describe("RBAC authorizer", () => {
  test("TestAuthorizer, case 0: a RoleBinding to a ClusterRole grants in its namespace only", () => {
    const p = policy({
      clusterRoles: { admin: { rules: [newRule("*", "*", "*", "*")] } },
      roleBindings: [roleBinding("ns1", "admin", "ClusterRole", "User:admin", "Group:admins")],
    });
    for (const a of [
      attrs("admin", "", "get", "Pods", "", "ns1", ""),
      attrs("admin", "", "watch", "Pods", "", "ns1", ""),
      attrs("admin", "group1", "watch", "Foobar", "", "ns1", ""),
      attrs("joe", "admins", "watch", "Foobar", "", "ns1", ""),
      attrs("joe", "group1,admins", "watch", "Foobar", "", "ns1", ""),
    ])
      assert.equal(authorize(p, a).allowed, true, JSON.stringify(a));
    for (const a of [
      attrs("admin", "", "GET", "Pods", "", "ns2", ""),
      attrs("admin", "", "GET", "Nodes", "", "", ""),
      attrs("admin", "admins", "GET", "Pods", "", "ns2", ""),
      attrs("admin", "admins", "GET", "Nodes", "", "", ""),
    ])
      assert.equal(authorize(p, a).allowed, false, JSON.stringify(a));
  });

  test("TestAuthorizer, case 1: non-resource URLs, exact and prefixed", () => {
    const p = policy({
      clusterRoles: {
        "non-resource-url-getter": { rules: [newRule("get", "", "", "/apis")] },
        "non-resource-url": { rules: [newRule("*", "", "", "/apis")] },
        "non-resource-url-prefix": { rules: [newRule("get", "", "", "/apis/*")] },
      },
      clusterRoleBindings: [
        clusterRoleBinding("non-resource-url-getter", "User:foo", "Group:bar"),
        clusterRoleBinding("non-resource-url", "User:admin", "Group:admin"),
        clusterRoleBinding("non-resource-url-prefix", "User:prefixed", "Group:prefixed"),
      ],
    });
    for (const a of [
      path("foo", [], "get", "/apis"),
      path("", ["bar"], "get", "/apis"),
      path("admin", [], "get", "/apis"),
      path("", ["admin"], "get", "/apis"),
      path("admin", [], "watch", "/apis"),
      path("", ["admin"], "watch", "/apis"),
      path("prefixed", [], "get", "/apis/v1"),
      path("", ["prefixed"], "get", "/apis/v1"),
      path("prefixed", [], "get", "/apis/v1/foobar"),
      path("", ["prefixed"], "get", "/apis/v1/foorbar"),
    ])
      assert.equal(authorize(p, a).allowed, true, JSON.stringify(a));
    for (const a of [
      path("foo", [], "watch", "/apis"),
      path("", ["bar"], "watch", "/apis"),
      path("foo", [], "get", "/api/v1"),
      path("", ["bar"], "get", "/api/v1"),
      path("admin", [], "get", "/api/v1"),
      path("", ["admin"], "get", "/api/v1"),
      path("prefixed", [], "get", "/api/v1"),
      path("", ["prefixed"], "get", "/api/v1"),
    ])
      assert.equal(authorize(p, a).allowed, false, JSON.stringify(a));
  });

  test("TestAuthorizer, cases 2 and 3: a resource rule does not cover its subresources, nor the reverse", () => {
    const bound = (rule: PolicyRule) =>
      policy({
        clusterRoles: { admin: { rules: [rule] } },
        roleBindings: [roleBinding("ns1", "admin", "ClusterRole", "User:admin", "Group:admins")],
      });
    const pods = bound(newRule("*", "*", "pods", "*"));
    assert.equal(authorize(pods, attrs("admin", "", "get", "pods", "", "ns1", "")).allowed, true);
    assert.equal(authorize(pods, attrs("admin", "", "get", "pods", "status", "ns1", "")).allowed, false);
    const status = bound(newRule("*", "*", "pods/status", "*"));
    assert.equal(authorize(status, attrs("admin", "", "get", "pods", "status", "ns1", "")).allowed, true);
    assert.equal(authorize(status, attrs("admin", "", "get", "pods", "", "ns1", "")).allowed, false);
  });

  test("TestRuleMatches: verbs, groups, resources, subresources and URLs with and without stars", () => {
    const resource = (verb: string, group: string, res: string, sub = ""): RequestAttributes => ({
      resourceRequest: true,
      verb,
      apiGroup: group,
      apiVersion: "",
      namespace: "",
      resource: res,
      subresource: sub,
      name: "",
    });
    const url = (verb: string, p: string): RequestAttributes => ({ resourceRequest: false, verb, path: p });
    const grid = (rule: PolicyRule, expected: boolean[]) => {
      // verb1/verb2 × group1/group2 × resource1/resource2, in the upstream table's order
      let i = 0;
      for (const verb of ["verb1", "verb2"])
        for (const res of ["resource1", "resource2"])
          for (const group of ["group1", "group2"]) {
            const want = expected[i++];
            assert.equal(ruleAllows(resource(verb, group, res), rule), want, `${verb} ${group} ${res}`);
          }
    };
    // order: (g1,r1) (g2,r1) (g1,r2) (g2,r2) for verb1, then verb2
    grid({ verbs: ["*"], apiGroups: ["group1"], resources: ["resource1"] }, [
      true,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
    grid({ verbs: ["verb1"], apiGroups: ["*"], resources: ["resource1"] }, [
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    grid({ verbs: ["verb1"], apiGroups: ["group1"], resources: ["*"] }, [
      true,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    grid({ verbs: ["verb1", "verb2"], apiGroups: ["group1", "group2"], resources: ["resource1", "resource2"] }, [
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    const sub: PolicyRule = { verbs: ["*"], apiGroups: ["*"], resources: ["resource1/subresource1"] };
    for (const verb of ["verb1", "verb2"]) {
      assert.equal(ruleAllows(resource(verb, "group1", "resource1", "subresource1"), sub), true);
      assert.equal(ruleAllows(resource(verb, "group2", "resource1", "subresource2"), sub), false);
      assert.equal(ruleAllows(resource(verb, "group1", "resource2", "subresource1"), sub), false);
      assert.equal(ruleAllows(resource(verb, "group2", "resource2", "subresource1"), sub), false);
    }
    const paths = ["/foo", "/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one"];
    const starURL: PolicyRule = { verbs: ["verb1"], nonResourceURLs: ["*"] };
    for (const p of paths) {
      assert.equal(ruleAllows(url("verb1", p), starURL), true, p);
      assert.equal(ruleAllows(url("verb2", p), starURL), false, p);
    }
    const subpath: PolicyRule = { verbs: ["verb1"], nonResourceURLs: ["/foo/*"] };
    const subpathExpected: Record<string, boolean> = {
      "/foo": false,
      "/foo/bar": true,
      "/foo/baz": true,
      "/foo/bar/one": true,
      "/foo/baz/one": true,
      "/notfoo": false,
      "/notfoo/bar": false,
      "/notfoo/baz": false,
      "/notfoo/bar/one": false,
      "/notfoo/baz/one": false,
    };
    for (const [p, want] of Object.entries(subpathExpected))
      assert.equal(ruleAllows(url("verb1", p), subpath), want, p);
    const exact: PolicyRule = { verbs: ["*"], nonResourceURLs: ["/foo", "/foo/bar/one"] };
    const exactExpected: Record<string, boolean> = {
      "/foo": true,
      "/foo/bar": false,
      "/foo/baz": false,
      "/foo/bar/one": true,
      "/foo/baz/one": false,
    };
    for (const verb of ["verb1", "verb2"])
      for (const [p, want] of Object.entries(exactExpected))
        assert.equal(ruleAllows(url(verb, p), exact), want, `${verb} ${p}`);
  });

  test("resourceNames restrict to named objects; `*/scale` matches every resource's scale", () => {
    const named: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] };
    const request = (name: string, verb = "get"): ResourceAttributes => ({
      resourceRequest: true,
      verb,
      apiGroup: "",
      apiVersion: "v1",
      namespace: "ns",
      resource: "configmaps",
      subresource: "",
      name,
    });
    assert.equal(ruleAllows(request("a"), named), true);
    assert.equal(ruleAllows(request("b"), named), false);
    assert.equal(ruleAllows(request("", "list"), { ...named, verbs: ["list"] }), false);
    const scale: PolicyRule = { verbs: ["update"], apiGroups: ["*"], resources: ["*/scale"] };
    const scaled = (resource: string, subresource: string): RequestAttributes => ({
      ...request("x", "update"),
      resource,
      subresource,
    });
    assert.equal(ruleAllows(scaled("deployments", "scale"), scale), true);
    assert.equal(ruleAllows(scaled("deployments", "status"), scale), false);
    assert.equal(ruleAllows(scaled("deployments", ""), scale), false);
  });

  test("ServiceAccount subjects: a RoleBinding's namespace is the default; the reason names the binding", () => {
    const p = policy({
      roles: { "team/reader": { rules: [{ verbs: ["list"], apiGroups: [""], resources: ["pods"] }] } },
      roleBindings: [
        {
          metadata: { name: "rb", namespace: "team" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
          subjects: [{ kind: "ServiceAccount", name: "sa" }],
        },
      ],
      clusterRoleBindings: [
        // No namespace on a ClusterRoleBinding's ServiceAccount subject: it applies to no one.
        {
          metadata: { name: "crb" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "missing" },
          subjects: [{ kind: "ServiceAccount", name: "sa" }],
        },
      ],
    });
    const sa = { name: "system:serviceaccount:team:sa", groups: ["system:serviceaccounts"] };
    const list = (namespace: string): Attributes => ({ ...attrs("", "", "list", "pods", "", namespace, ""), user: sa });
    assert.deepEqual(authorize(p, list("team")), {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "rb/team" of Role "reader" to ServiceAccount "sa/team"',
    });
    assert.deepEqual(authorize(p, list("other")), { allowed: false, reason: "" });
  });

  test("a binding to a missing role: no opinion, and the reason says which role", () => {
    const p = policy({
      clusterRoleBindings: [
        {
          metadata: { name: "crb" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "gone" },
          subjects: [{ kind: "Group", name: "system:authenticated" }],
        },
      ],
      roleBindings: [roleBinding("ns", "also-gone", "Role", "Group:system:authenticated")],
    });
    const a = attrs("u", "system:authenticated", "list", "pods", "", "ns", "");
    const decision = authorize(p, a);
    assert.deepEqual(decision, {
      allowed: false,
      reason:
        'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "also-gone" not found]',
    });
    assert.equal(
      forbidden(a, decision.reason).status.message,
      'pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "ns": RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "also-gone" not found]',
    );
    assert.equal(rulesFor(p, a.user, "ns").errors.length, 2);
  });

  test("403 messages: named object, cluster scope, subresource, non-resource path", () => {
    const u = { name: "system:serviceaccount:ns:sa", groups: [] };
    const named: Attributes = { ...attrs("", "", "get", "secrets", "", "ns", ""), user: u, name: "db" };
    assert.deepEqual(forbidden(named, "").status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'secrets "db" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "secrets" in API group "" in the namespace "ns"',
      reason: "Forbidden",
      details: { name: "db", group: "", kind: "secrets" },
      code: 403,
    });
    const cluster: Attributes = { ...attrs("", "", "list", "nodepools", "", "", "karpenter.sh"), user: u };
    assert.equal(
      forbidden(cluster, "").status.message,
      'nodepools.karpenter.sh is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "nodepools" in API group "karpenter.sh" at the cluster scope',
    );
    const eviction: Attributes = { ...attrs("", "", "create", "pods", "eviction", "ns", ""), user: u, name: "p" };
    assert.equal(
      forbidden(eviction, "").status.message,
      'pods "p" is forbidden: User "system:serviceaccount:ns:sa" cannot create resource "pods/eviction" in API group "" in the namespace "ns"',
    );
    assert.equal(
      forbidden(path("system:anonymous", [], "get", "/metrics"), "").status.message,
      'forbidden: User "system:anonymous" cannot get path "/metrics"',
    );
  });
});
