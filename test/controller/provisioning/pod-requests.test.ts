// Pod requests as kube-scheduler counts them. Expected values are worked by hand from the Kubernetes documentation
// ("Resource sharing within containers", "Sidecar containers", "Pod Overhead"): the effective init request is the
// largest init container's (with the sidecars started before it), the pod's is the larger of that and the app
// containers' sum plus the sidecars, then overhead is added; Karpenter adds pods: 1.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatQuantity } from "../../../api/index.ts";
import type { Pod } from "../../../api/index.ts";
import { isProvisionable, podRequests } from "../../../controller/provisioning/index.ts";
import type { ResourceList } from "../../../scheduling/index.ts";

function pod(spec: Record<string, unknown>, status?: Pod["status"], metadata = {}): Pod {
  return { metadata: { name: "p", namespace: "default", ...metadata }, spec, ...(status ? { status } : {}) };
}
const c = (cpu: string, memory?: string, extra: Record<string, unknown> = {}) => ({
  name: "c",
  resources: { requests: { cpu, ...(memory ? { memory } : {}) } },
  ...extra,
});
function show(list: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, formatQuantity(v)]));
}

describe("podRequests", () => {
  test("app containers add up, and each pod counts one against pods", () => {
    assert.deepEqual(show(podRequests(pod({ containers: [c("250m", "64Mi"), c("500m", "128Mi")] }))), {
      cpu: "750m",
      memory: "192Mi",
      pods: "1",
    });
  });

  test("an init container larger than the app containers sets the request; a smaller one does not", () => {
    // init 2 CPU alone > app 750m; memory: app 192Mi > init 100Mi.
    const big = pod({ containers: [c("250m", "64Mi"), c("500m", "128Mi")], initContainers: [c("2", "100Mi")] });
    assert.deepEqual(show(podRequests(big)), { cpu: "2", memory: "192Mi", pods: "1" });
  });

  test("sidecars run beside the app and beside later init containers", () => {
    // sidecar 500m; app 1 → 1500m; a later init container 1200m runs with the sidecar: 1700m > 1500m.
    const spec = {
      containers: [c("1")],
      initContainers: [c("500m", undefined, { restartPolicy: "Always" }), c("1200m")],
    };
    assert.deepEqual(show(podRequests(pod(spec))), { cpu: "1700m", pods: "1" });
    // An init container before the sidecar runs without it: max(800m, 1500m) = 1500m.
    const before = {
      containers: [c("1")],
      initContainers: [c("800m"), c("500m", undefined, { restartPolicy: "Always" })],
    };
    assert.deepEqual(show(podRequests(pod(before))), { cpu: "1500m", pods: "1" });
  });

  test("pod overhead is added on top (RuntimeClass overhead)", () => {
    assert.deepEqual(show(podRequests(pod({ containers: [c("1700m")], overhead: { cpu: "250m", memory: "120Mi" } }))), {
      cpu: "1950m",
      memory: "120Mi",
      pods: "1",
    });
  });

  test("a bad quantity is named by pod and field", () => {
    assert.throws(
      () => podRequests(pod({ containers: [{ name: "a", resources: { requests: { cpu: "lots" } } }] })),
      /pod default\/p spec\.containers\[0\]\.resources\.requests\.cpu/,
    );
  });
});

describe("isProvisionable", () => {
  const unschedulable = { conditions: [{ type: "PodScheduled", status: "False" as const, reason: "Unschedulable" }] };
  test("pending and marked Unschedulable", () => {
    assert.equal(isProvisionable(pod({}, unschedulable)), true);
  });
  test("not when bound, nominated, not yet judged by kube-scheduler, or a DaemonSet's", () => {
    assert.equal(isProvisionable(pod({ nodeName: "n1" }, unschedulable)), false);
    assert.equal(isProvisionable(pod({}, { ...unschedulable, nominatedNodeName: "n1" })), false);
    assert.equal(isProvisionable(pod({}, {})), false);
    const owned = { ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "u" }] };
    assert.equal(isProvisionable(pod({}, unschedulable, owned)), false);
  });
});
