// The derivation the chart's RBAC is checked against (test/support/rbac-from-code.ts), on a file with one call of
// each kind: the verbs each method needs, resources from literal types (a union gives each), subresources from the
// options, a call whose resource is not a literal reported, and a method of the same name on another type ignored.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterCalls, permissionsOf, reachableFiles } from "../support/rbac-from-code.ts";

const FIXTURE = "test/fixtures/chart-rbac/uses-port.ts";

test("the permissions of each port call, and the call it cannot read", () => {
  const { calls, unresolved } = clusterCalls([FIXTURE]);
  assert.deepEqual(unresolved, [`${FIXTURE}:12: cluster.delete(some, { name: "unknown" })`]);
  assert.deepEqual(
    permissionsOf(calls).map(
      (p) => `${p.group || "core"} ${p.resource} ${p.verb}${p.namespaced ? " (namespaced)" : ""}`,
    ),
    [
      "core nodes get",
      "core nodes update",
      "core pods list (namespaced)",
      "core pods watch (namespaced)",
      "core pods/eviction create (namespaced)",
      "karpenter.k8s.aws ec2nodeclasses/status update",
      "karpenter.sh nodeclaims create",
      "karpenter.sh nodeclaims list",
      "karpenter.sh nodeclaims patch",
      "karpenter.sh nodeclaims watch",
      "karpenter.sh nodepools/status update",
    ],
  );
});

test("the files a command loads, through static and dynamic imports", () => {
  const files = reachableFiles(["cli/main.ts"]);
  assert.ok(files.has("cli/commands/serve.ts"), "loaded by a dynamic import");
  assert.ok(files.has("webhook/index.ts"));
  assert.ok(!reachableFiles(["cli/commands/serve.ts"]).has("adapters/kube/index.ts"));
});
