// What must be in the status branch before termination removes a NodeClaim's finalizer (the NodeClaim is the last
// trace of it): its launch, which a process that died after launching may never have reported, and everything
// recorded so far, committed and pushed — else the finalizer stays and termination tries again. Through the real
// StatusPublisher over an in-memory writer; the commits are read back with the trailer parser.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeClaim } from "../../api/index.ts";
import { reportedBeforeFinalize } from "../../cli/commands/report-before-finalize.ts";
import type { HistoryEntry } from "../../gitops/history.ts";
import { memoryStatusPublisher } from "../support/memory-status-publisher.ts";

function setup(options: { history?: HistoryEntry[]; pushed?: boolean } = {}) {
  const { publisher, events } = memoryStatusPublisher({
    ...(options.history === undefined ? {} : { history: options.history }),
    pushed: () => options.pushed ?? true,
  });
  publisher.reseed();
  return { publisher, events };
}

function nodeClaim(name: string, launched: boolean): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name,
      creationTimestamp: "2026-11-25T09:00:00Z",
      deletionTimestamp: "2026-11-25T09:50:00Z",
      labels: {
        "karpenter.sh/nodepool": "default",
        "node.kubernetes.io/instance-type": "m5.xlarge",
        "karpenter.sh/capacity-type": "spot",
        "topology.kubernetes.io/zone": "us-west-2a",
      },
    },
    spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
    status: launched
      ? {
          providerID: "aws:///us-west-2a/i-0123456789abcdef0",
          conditions: [
            {
              type: "Launched",
              status: "True",
              reason: "Launched",
              message: "",
              lastTransitionTime: "2026-11-25T09:00:02Z",
            },
          ],
        }
      : {},
  } as NodeClaim;
}

describe("before a NodeClaim's finalizer is removed", () => {
  it("commits its launch when no process reported it, with what was recorded before", async () => {
    const { publisher, events } = setup();
    publisher.record({ kind: "drained", pool: "default", node: "ip-10-0-32-5", reason: "spot_interrupted: drained" });
    await reportedBeforeFinalize(nodeClaim("default-a", true), publisher);
    assert.deepEqual(events(), ["drained ip-10-0-32-5", "provisioned default-a"]);
    assert.equal(publisher.pendingEvents, 0);
  });

  it("does not commit a launch the status branch already holds, nor one of a NodeClaim never launched", async () => {
    const history = [
      {
        sha: "a".repeat(40),
        time: new Date("2026-11-25T09:00:05Z"),
        cluster: "prod",
        events: [{ kind: "provisioned", pool: "default", node: "default-a", reason: "launched m5.xlarge spot" }],
      } as HistoryEntry,
    ];
    const { publisher, events } = setup({ history });
    await reportedBeforeFinalize(nodeClaim("default-a", true), publisher);
    await reportedBeforeFinalize(nodeClaim("default-b", false), publisher);
    assert.deepEqual(events(), []);
  });

  it("rejects while the commit is not pushed: the finalizer stays", async () => {
    const { publisher, events } = setup({ pushed: false });
    await assert.rejects(reportedBeforeFinalize(nodeClaim("default-a", true), publisher), /not pushed yet/);
    assert.deepEqual(events(), ["provisioned default-a"], "committed locally, waiting for the remote");
  });
});
