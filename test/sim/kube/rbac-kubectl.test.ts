// Authentication and RBAC judged by the real kubectl 1.35: ServiceAccount tokens from `kubectl create token`,
// every request authorized by the roles and bindings applied with kubectl, `auth can-i` (SelfSubjectAccessReview)
// and `auth can-i --list` (SelfSubjectRulesReview). Expected messages are the API server's
// (responsewriters.forbiddenMessage wrapped by apierrors.NewForbidden; kubectl's "Error from server" prefix).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";

let sim: SimKube;

const manifest = `
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: node-manager, namespace: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: team}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [allowed]
  verbs: [get]
- apiGroups: [""]
  resources: [pods/eviction]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads-pods, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-manager}
rules:
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list, watch, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-manager}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-manager}
subjects:
- {kind: ServiceAccount, name: node-manager, namespace: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: allowed, namespace: team}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: hidden, namespace: team}
data: {b: "2"}
---
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-5.ec2.internal}
`;

const tokens: Record<string, string> = {};

/** kubectl as a ServiceAccount: the admin kubeconfig's cluster with `--token` overriding its user. */
const as = (account: string, args: string[]) => sim.kubectl(["--token", tokens[account] ?? "", ...args]);

before(async () => {
  sim = await startSimKube();
  const applied = await sim.kubectl(["apply", "-f", "-"], { stdin: manifest });
  assert.equal(applied.code, 0, applied.stderr);
  for (const account of ["reader", "node-manager"]) {
    const created = await sim.kubectl(["create", "token", account, "-n", "team"]);
    assert.equal(created.code, 0, created.stderr);
    tokens[account] = created.stdout.trim();
  }
});

after(async () => {
  await sim.stop();
});

describe("ServiceAccount tokens and RBAC with kubectl", { timeout: 120_000 }, () => {
  test("create token issues an opaque token the server accepts as the ServiceAccount", async () => {
    assert.match(tokens.reader ?? "", /^\S{20,}$/);
    assert.notEqual(tokens.reader, sim.server.token);
    const { code, stdout, stderr } = await as("reader", ["auth", "whoami", "-o", "json"]);
    assert.equal(code, 0, stderr);
    const review = JSON.parse(stdout) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.deepEqual(review.status.userInfo, {
      username: "system:serviceaccount:team:reader",
      groups: ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"],
    });
  });

  test("create token --duration asks for an expiry, at least ten minutes", async () => {
    const long = await sim.kubectl(["create", "token", "reader", "-n", "team", "--duration=2h", "-o", "json"]);
    assert.equal(long.code, 0, long.stderr);
    const request = JSON.parse(long.stdout) as { spec: { expirationSeconds: number }; status: { token: string } };
    assert.equal(request.spec.expirationSeconds, 7200);
    const short = await sim.kubectl(["create", "token", "reader", "-n", "team", "--duration=5m"]);
    assert.equal(short.code, 1);
    assert.equal(
      short.stderr.trim(),
      'error: failed to create token: TokenRequest.authentication.k8s.io "reader" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
  });

  test("a Role granting get/list pods: get pods in its namespace works, another namespace is forbidden", async () => {
    const own = await as("reader", ["get", "pods", "-n", "team"]);
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stderr, /No resources found in team namespace\./);
    const other = await as("reader", ["get", "pods", "-n", "other"]);
    assert.equal(other.code, 1);
    assert.equal(
      other.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:reader" cannot list resource "pods" in API group "" in the namespace "other"',
    );
    const nodes = await as("reader", ["get", "nodes"]);
    assert.equal(nodes.code, 1);
    assert.equal(
      nodes.stderr.trim(),
      'Error from server (Forbidden): nodes is forbidden: User "system:serviceaccount:team:reader" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  test("auth can-i answers yes and no from the same rules", async () => {
    const yes = await as("reader", ["auth", "can-i", "list", "pods", "-n", "team"]);
    assert.deepEqual([yes.code, yes.stdout.trim()], [0, "yes"], yes.stderr);
    const no = await as("reader", ["auth", "can-i", "delete", "nodes"]);
    assert.deepEqual([no.code, no.stdout.trim()], [1, "no"], no.stderr);
    const elsewhere = await as("reader", ["auth", "can-i", "list", "pods", "-n", "other"]);
    assert.deepEqual([elsewhere.code, elsewhere.stdout.trim()], [1, "no"]);
    // The admin is in system:masters: everything.
    const admin = await sim.kubectl(["auth", "can-i", "delete", "nodes"]);
    assert.deepEqual([admin.code, admin.stdout.trim()], [0, "yes"], admin.stderr);
  });

  test("a ClusterRoleBinding to a ClusterRole with node verbs", async () => {
    const list = await as("node-manager", ["get", "nodes", "-o", "name"]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout.trim(), "node/ip-10-0-1-5.ec2.internal");
    const cordon = await as("node-manager", ["cordon", "ip-10-0-1-5.ec2.internal"]);
    assert.equal(cordon.code, 0, cordon.stderr);
    assert.match(cordon.stdout, /node\/ip-10-0-1-5\.ec2\.internal cordoned/);
    const patch = await as("node-manager", ["auth", "can-i", "patch", "nodes"]);
    assert.deepEqual([patch.code, patch.stdout.trim()], [0, "yes"]);
    const del = await as("node-manager", ["delete", "node", "ip-10-0-1-5.ec2.internal"]);
    assert.equal(del.code, 1);
    assert.equal(
      del.stderr.trim(),
      'Error from server (Forbidden): nodes "ip-10-0-1-5.ec2.internal" is forbidden: User "system:serviceaccount:team:node-manager" cannot delete resource "nodes" in API group "" at the cluster scope',
    );
    // Cluster-wide rules hold in every namespace's terms too, but pods are not among them.
    const pods = await as("node-manager", ["auth", "can-i", "list", "pods", "-n", "team"]);
    assert.deepEqual([pods.code, pods.stdout.trim()], [1, "no"]);
  });

  test("resourceNames: get of the named object only; no list", async () => {
    const allowed = await as("reader", ["get", "configmap", "allowed", "-n", "team", "-o", "name"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout.trim(), "configmap/allowed");
    const hidden = await as("reader", ["get", "configmap", "hidden", "-n", "team"]);
    assert.equal(hidden.code, 1);
    assert.equal(
      hidden.stderr.trim(),
      'Error from server (Forbidden): configmaps "hidden" is forbidden: User "system:serviceaccount:team:reader" cannot get resource "configmaps" in API group "" in the namespace "team"',
    );
    const list = await as("reader", ["auth", "can-i", "list", "configmaps", "-n", "team"]);
    assert.deepEqual([list.code, list.stdout.trim()], [1, "no"]);
    const named = await as("reader", ["auth", "can-i", "get", "configmaps/allowed", "-n", "team"]);
    assert.deepEqual([named.code, named.stdout.trim()], [0, "yes"], named.stderr);
  });

  test("a subresource rule: pods/eviction create, not pods create", async () => {
    const eviction = await as("reader", ["auth", "can-i", "create", "pods", "--subresource=eviction", "-n", "team"]);
    assert.deepEqual([eviction.code, eviction.stdout.trim()], [0, "yes"], eviction.stderr);
    const create = await as("reader", ["auth", "can-i", "create", "pods", "-n", "team"]);
    assert.deepEqual([create.code, create.stdout.trim()], [1, "no"]);
    const status = await as("reader", ["auth", "can-i", "update", "pods", "--subresource=status", "-n", "team"]);
    assert.deepEqual([status.code, status.stdout.trim()], [1, "no"]);
    // A request to a subresource is authorized as `pods/<subresource>`: the node manager may not evict.
    const body = join(sim.dir, "eviction.json");
    writeFileSync(
      body,
      JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p", namespace: "team" } }),
    );
    const denied = await as("node-manager", ["create", "--raw", "/api/v1/namespaces/team/pods/p/eviction", "-f", body]);
    assert.equal(denied.code, 1);
    assert.equal(
      denied.stderr.trim(),
      'Error from server (Forbidden): pods "p" is forbidden: User "system:serviceaccount:team:node-manager" cannot create resource "pods/eviction" in API group "" in the namespace "team"',
    );
  });

  test("auth can-i --list shows the rules that apply in the namespace", async () => {
    const { code, stdout, stderr } = await as("reader", ["auth", "can-i", "--list", "-n", "team"]);
    assert.equal(code, 0, stderr);
    const rows = stdout
      .trim()
      .split("\n")
      .map((line) => line.trim().split(/\s{2,}/));
    assert.deepEqual(rows[0], ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]);
    const byResource = new Map(rows.slice(1).map((r) => [`${r[0]} ${r[1]} ${r[2]}`, r[3]]));
    assert.equal(byResource.get("pods [] []"), "[get list]");
    assert.equal(byResource.get("configmaps [] [allowed]"), "[get]");
    assert.equal(byResource.get("pods/eviction [] []"), "[create]");
    assert.equal(byResource.get("selfsubjectaccessreviews.authorization.k8s.io [] []"), "[create]");
    // Non-resource rows have an empty first cell: system:discovery's URLs, from the bootstrap binding.
    assert.ok(rows.some((r) => r.join(" ") === "[/api/*] [] [get]"));
  });

  test("a kubernetes.io/service-account-token Secret is filled with a token, the CA and the namespace", async () => {
    const secret = `
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: reader-token
  namespace: team
  annotations: {kubernetes.io/service-account.name: reader}
`;
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: secret })).code, 0);
    const got = await sim.kubectl(["get", "secret", "reader-token", "-n", "team", "-o", "json"]);
    assert.equal(got.code, 0, got.stderr);
    const filled = JSON.parse(got.stdout) as {
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    };
    const decode = (key: string) => Buffer.from(filled.data[key] ?? "", "base64").toString("utf8");
    assert.equal(decode("namespace"), "team");
    assert.equal(decode("ca.crt"), sim.server.ca);
    const uid = await sim.kubectl(["get", "serviceaccount", "reader", "-n", "team", "-o", "jsonpath={.metadata.uid}"]);
    assert.equal(filled.metadata.annotations["kubernetes.io/service-account.uid"], uid.stdout);
    const token = decode("token");
    const can = await sim.kubectl(["--token", token, "auth", "can-i", "list", "pods", "-n", "team"]);
    assert.deepEqual([can.code, can.stdout.trim()], [0, "yes"], can.stderr);
    // The token lives as long as the Secret holds it.
    assert.equal((await sim.kubectl(["delete", "secret", "reader-token", "-n", "team"])).code, 0);
    const gone = await sim.kubectl(["--token", token, "get", "pods", "-n", "team"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  test("a token stops working when its ServiceAccount is deleted; no token is 401", async () => {
    const account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: short-lived, namespace: team}\n";
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: account })).code, 0);
    const created = await sim.kubectl(["create", "token", "short-lived", "-n", "team"]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    const before = await sim.kubectl(["--token", token, "auth", "can-i", "list", "pods", "-n", "team"]);
    assert.deepEqual([before.code, before.stdout.trim()], [1, "no"], before.stderr);
    assert.equal((await sim.kubectl(["delete", "serviceaccount", "short-lived", "-n", "team"])).code, 0);
    const afterDelete = await sim.kubectl(["--token", token, "get", "pods", "-n", "team"]);
    assert.equal(afterDelete.code, 1);
    assert.match(afterDelete.stderr, /You must be logged in to the server \(Unauthorized\)/);
    const missing = await sim.kubectl(["create", "token", "nobody", "-n", "team"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  });
});
