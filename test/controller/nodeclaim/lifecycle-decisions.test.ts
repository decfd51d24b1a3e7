// The NodeClaim lifecycle's pure decisions: the launch (5 min) and registration (15 min) timeouts of Karpenter's
// liveness.go, the Node as registration leaves it (registration.go syncNode: finalizer, owner, labels, taints, the
// unregistered taint removed), and initialization (initialization.go: Ready, startup and ephemeral taints gone,
// extended resources registered). Expected values are Karpenter's documented timeouts and label/taint names.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, NodeClaim } from "../../../api/index.ts";
import { liveness, notInitializedBecause, registeredNode } from "../../../controller/nodeclaim/index.ts";

const CREATED = "2026-03-01T12:00:00Z";

function claim(conditions: { type: string; at: string }[] = [], extra: Partial<NodeClaim["spec"]> = {}): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name: "default-a",
      uid: "claim-uid",
      creationTimestamp: CREATED,
      labels: { "karpenter.sh/nodepool": "default", team: "ml" },
    },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [],
      taints: [{ key: "example.com/dedicated", value: "ml", effect: "NoSchedule" }],
      startupTaints: [{ key: "example.com/warming", effect: "NoExecute" }],
      ...extra,
    },
    status: {
      capacity: { cpu: "8", memory: "61Gi", "nvidia.com/gpu": "1" },
      conditions: conditions.map((c) => ({ type: c.type, status: "True" as const, lastTransitionTime: c.at })),
    },
  };
}

const at = (iso: string) => new Date(iso);

describe("liveness", () => {
  test("not launched: alive until 5 minutes after creation, then timed out", () => {
    const before = liveness(claim(), at("2026-03-01T12:04:59Z"));
    assert.deepEqual(before, { verdict: "alive", deadline: at("2026-03-01T12:05:00Z") });
    const after = liveness(claim(), at("2026-03-01T12:05:00Z"));
    assert.equal(after.verdict, "timed-out");
    assert.match(after.verdict === "timed-out" ? after.message : "", /did not launch within 5 minutes/);
  });

  test("launched, not registered: 15 minutes from the launch; registered: no deadline", () => {
    const launched = claim([{ type: "Launched", at: "2026-03-01T12:01:00Z" }]);
    assert.deepEqual(liveness(launched, at("2026-03-01T12:10:00Z")), {
      verdict: "alive",
      deadline: at("2026-03-01T12:16:00Z"),
    });
    const late = liveness(launched, at("2026-03-01T12:16:00Z"));
    assert.match(late.verdict === "timed-out" ? late.message : "", /did not register within 15 minutes/);
    const registered = claim([
      { type: "Launched", at: "2026-03-01T12:01:00Z" },
      { type: "Registered", at: "2026-03-01T12:02:00Z" },
    ]);
    assert.deepEqual(liveness(registered, at("2026-03-01T13:00:00Z")), { verdict: "alive", deadline: undefined });
  });
});

function node(taints: NonNullable<Node["spec"]>["taints"], options: { ready?: boolean; gpu?: string } = {}): Node {
  return {
    metadata: { name: "ip-10-0-1-5", labels: { "kubernetes.io/hostname": "ip-10-0-1-5" } },
    spec: { providerID: "aws:///us-west-2a/i-1", ...(taints === undefined ? {} : { taints }) },
    status: {
      allocatable: {
        cpu: "7910m",
        memory: "60Gi",
        ...(options.gpu === undefined ? {} : { "nvidia.com/gpu": options.gpu }),
      },
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  };
}

describe("registration", () => {
  test("finalizer, owner, the claim's labels and registered label, taints merged, unregistered taint gone", () => {
    const registered = registeredNode(node([{ key: "karpenter.sh/unregistered", effect: "NoExecute" }]), claim());
    assert.deepEqual(registered.metadata.finalizers, ["karpenter.sh/termination"]);
    assert.deepEqual(registered.metadata.ownerReferences, [
      {
        apiVersion: "karpenter.sh/v1",
        kind: "NodeClaim",
        name: "default-a",
        uid: "claim-uid",
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(registered.metadata.labels, {
      "kubernetes.io/hostname": "ip-10-0-1-5",
      "karpenter.sh/nodepool": "default",
      team: "ml",
      "karpenter.sh/registered": "true",
    });
    assert.deepEqual(
      registered.spec?.taints?.map((t) => `${t.key}:${t.effect}`),
      ["example.com/dedicated:NoSchedule", "example.com/warming:NoExecute"],
    );
  });

  test("a node registered before does not get its startup taints back", () => {
    const again = registeredNode(
      { ...node([]), metadata: { name: "ip-10-0-1-5", labels: { "karpenter.sh/registered": "true" } } },
      claim(),
    );
    assert.deepEqual(
      again.spec?.taints?.map((t) => t.key),
      ["example.com/dedicated"],
    );
  });
});

describe("initialization", () => {
  test("waits for Ready, then for the startup taint, then for the GPU to be registered", () => {
    const c = claim();
    assert.equal(notInitializedBecause(node([], { ready: false, gpu: "1" }), c), "node is not ready");
    assert.equal(
      notInitializedBecause(node([{ key: "example.com/warming", effect: "NoExecute" }], { gpu: "1" }), c),
      "taint example.com/warming:NoExecute is still on the node",
    );
    assert.equal(notInitializedBecause(node([], { gpu: "0" }), c), "resource nvidia.com/gpu is not registered");
    assert.equal(
      notInitializedBecause(
        node([{ key: "example.com/dedicated", value: "ml", effect: "NoSchedule" }], { gpu: "1" }),
        c,
      ),
      undefined,
    );
  });
});
