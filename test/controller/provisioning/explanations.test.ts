// The two kinds of explanation no other test reaches on their own: a pod whose node selector the pool's requirements
// exclude, and one whose selector the pool allows but no instance type of the pool has (the catalog's m5.large and
// m5.xlarge are family m5). Expected words are the objects' own values.
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogTypes, messages, nodePool, pod, run } from "../../support/scheduling-fixtures.ts";

const types = catalogTypes("m5.large", "m5.xlarge");

test("the pod's node selector against the pool's requirements: the requirement that conflicts", () => {
  const pool = nodePool("amd", { requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] });
  const result = run([pod({}, { nodeSelector: { "kubernetes.io/arch": "arm64" } })], [pool], types);
  const [[message] = []] = messages(result);
  assert.match(
    message ?? "",
    /^pool amd: the pod's node selector or affinity conflicts with the pool's requirements \(.*kubernetes\.io\/arch.*\)$/,
  );
});

test("a selector the pool allows and none of its instance types has: the requirements no type satisfies", () => {
  const result = run(
    [pod({}, { nodeSelector: { "karpenter.k8s.aws/instance-family": "c5" } })],
    [nodePool("m5s")],
    types,
  );
  const [[message] = []] = messages(result);
  assert.match(message ?? "", /^pool m5s: no instance type satisfies .*karpenter\.k8s\.aws\/instance-family In \[c5\]/);
});
