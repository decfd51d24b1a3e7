// Strategic merge patch on built-in kinds, with the cases of the Kubernetes documentation ("Update API Objects
// in Place Using kubectl patch") and the directives kubectl's own patches use.
import assert from "node:assert/strict";
import { test } from "node:test";
import { servedKindRegistry } from "../../../sim/index.ts";
import { applyStrategicMergePatch } from "../../../sim/kube/http/strategic-merge-patch.ts";

const registry = servedKindRegistry();
const deployments = registry.get("apps", "v1", "deployments");
const nodes = registry.get("", "v1", "nodes");

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "patch-demo", finalizers: ["a"] },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [{ name: "patch-demo-ctr", image: "nginx", env: [{ name: "A", value: "1" }] }],
        tolerations: [{ effect: "NoSchedule", key: "dedicated", value: "test-team" }],
      },
    },
  },
};

test("containers merge by name (the docs' patch-file-containers.yaml)", () => {
  const patched = applyStrategicMergePatch(
    deployment,
    { spec: { template: { spec: { containers: [{ name: "patch-demo-ctr-2", image: "redis" }] } } } },
    deployments.schema,
  );
  const containers = (patched.spec as typeof deployment.spec).template.spec.containers;
  assert.deepEqual(
    containers.map((c) => c.name),
    ["patch-demo-ctr", "patch-demo-ctr-2"],
  );
});

test("tolerations have no merge key: the list is replaced (the docs' patch-file-tolerations.yaml)", () => {
  const patched = applyStrategicMergePatch(
    deployment,
    { spec: { template: { spec: { tolerations: [{ effect: "NoSchedule", key: "disktype", value: "ssd" }] } } } },
    deployments.schema,
  );
  assert.deepEqual((patched.spec as typeof deployment.spec).template.spec.tolerations, [
    { effect: "NoSchedule", key: "disktype", value: "ssd" },
  ]);
});

test("$patch: delete removes one item; $setElementOrder orders; nested lists merge; null deletes a field", () => {
  const withTwo = applyStrategicMergePatch(
    deployment,
    { spec: { template: { spec: { containers: [{ name: "b", image: "redis" }] } } } },
    deployments.schema,
  );
  const patched = applyStrategicMergePatch(
    withTwo,
    {
      spec: {
        replicas: null,
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "b" }, { name: "patch-demo-ctr" }],
            containers: [{ name: "patch-demo-ctr", env: [{ name: "B", value: "2" }] }],
          },
        },
      },
    },
    deployments.schema,
  );
  const spec = patched.spec as { replicas?: number; template: typeof deployment.spec.template };
  assert.equal(spec.replicas, undefined);
  assert.deepEqual(
    spec.template.spec.containers.map((c) => c.name),
    ["b", "patch-demo-ctr"],
  );
  assert.deepEqual(spec.template.spec.containers[1]?.env, [
    { name: "A", value: "1" },
    { name: "B", value: "2" },
  ]);
  const removed = applyStrategicMergePatch(
    patched,
    { spec: { template: { spec: { containers: [{ name: "b", $patch: "delete" }] } } } },
    deployments.schema,
  );
  assert.deepEqual(
    (removed.spec as typeof deployment.spec).template.spec.containers.map((c) => c.name),
    ["patch-demo-ctr"],
  );
});

test("finalizers (strategy merge, no key) are a union; $deleteFromPrimitiveList removes; $patch: replace replaces", () => {
  const merged = applyStrategicMergePatch(deployment, { metadata: { finalizers: ["b", "a"] } }, deployments.schema);
  assert.deepEqual((merged.metadata as { finalizers: string[] }).finalizers, ["a", "b"]);
  const trimmed = applyStrategicMergePatch(
    merged,
    { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
    deployments.schema,
  );
  assert.deepEqual((trimmed.metadata as { finalizers: string[] }).finalizers, ["b"]);
  const replaced = applyStrategicMergePatch(
    deployment,
    { spec: { template: { $patch: "replace", spec: { containers: [] } } } },
    deployments.schema,
  );
  assert.deepEqual((replaced.spec as typeof deployment.spec).template, { spec: { containers: [] } });
});

test("a node's cordon and taints as kubectl sends them", () => {
  const node = { metadata: { name: "n" }, spec: { taints: [{ key: "a", effect: "NoSchedule" }] } };
  const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, nodes.schema);
  assert.deepEqual(cordoned.spec, { taints: [{ key: "a", effect: "NoSchedule" }], unschedulable: true });
  const tainted = applyStrategicMergePatch(
    cordoned,
    { spec: { taints: [{ key: "b", effect: "NoExecute" }] } },
    nodes.schema,
  );
  assert.deepEqual((tainted.spec as { taints: unknown[] }).taints, [{ key: "b", effect: "NoExecute" }]);
});
