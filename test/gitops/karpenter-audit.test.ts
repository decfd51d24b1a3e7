// What the audit beside Karpenter reads from NodeClaims and Events, over plain data: Karpenter's disruption reasons
// (FACTS.md §b: Empty, Underutilized, Drifted; Expired; the interruption events) in the status branch's words, and
// the keys that make each happening recorded once. End to end against the API server: test/cli/sync-apply.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeEvent, NodeClaim } from "../../api/index.ts";
import { disruptionKind, eventRecord, nodeClaimRecords, recordedKeys } from "../../gitops/karpenter-audit.ts";

const NODE_CLAIM = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodeClaim",
  metadata: {
    name: "default-x7k2p",
    creationTimestamp: "2026-03-01T12:00:01Z",
    labels: {
      "karpenter.sh/nodepool": "default",
      "node.kubernetes.io/instance-type": "m7g.large",
      "topology.kubernetes.io/zone": "us-west-2a",
      "karpenter.sh/capacity-type": "spot",
    },
  },
  spec: {
    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
    requirements: [],
  },
  status: {
    nodeName: "ip-10-0-1-17.us-west-2.compute.internal",
    conditions: [
      { type: "Launched", status: "True", reason: "Launched", message: "", lastTransitionTime: "2026-03-01T12:00:04Z" },
      {
        type: "Initialized",
        status: "True",
        reason: "Initialized",
        message: "",
        lastTransitionTime: "2026-03-01T12:01:10.5Z",
      },
      {
        type: "DisruptionReason",
        status: "True",
        reason: "Drifted",
        message: "",
        lastTransitionTime: "2026-03-02T08:00:00Z",
      },
    ],
  },
} as unknown as NodeClaim;

function event(reason: string, message: string): KubeEvent {
  return {
    metadata: { name: "default-x7k2p.1", namespace: "default" },
    involvedObject: { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", name: "default-x7k2p" },
    reason,
    message,
    type: "Normal",
    lastTimestamp: "2026-03-02T08:00:02Z",
  };
}

describe("the audit beside Karpenter", () => {
  it("names Karpenter's disruption reasons in the status branch's words", () => {
    assert.deepEqual(
      ["Empty", "Underutilized", "Drifted", "Expired", "SpotInterrupted", "Manual"].map(disruptionKind),
      ["consolidated", "consolidated", "drifted", "expired", "interrupted", "drained"],
    );
  });

  it("reads creation, initialization and the disruption reason from a NodeClaim, with their times", () => {
    assert.deepEqual(nodeClaimRecords(NODE_CLAIM), [
      {
        key: "provisioned/default-x7k2p",
        kind: "provisioned",
        node: "default-x7k2p",
        pool: "default",
        reason: "Karpenter created NodeClaim default-x7k2p for NodePool default",
        time: "2026-03-01T12:00:01Z",
      },
      {
        key: "initialized/default-x7k2p",
        kind: "initialized",
        node: "default-x7k2p",
        pool: "default",
        reason:
          "NodeClaim default-x7k2p initialized as node ip-10-0-1-17.us-west-2.compute.internal (m7g.large, us-west-2a, spot)",
        time: "2026-03-01T12:01:10Z",
      },
      {
        key: "disrupted/default-x7k2p",
        kind: "drifted",
        node: "default-x7k2p",
        pool: "default",
        reason: "Karpenter disrupted NodeClaim default-x7k2p: Drifted",
        time: "2026-03-02T08:00:00Z",
      },
    ]);
  });

  it("reads Karpenter's DisruptionTerminating and interruption Events; ignores others and other kinds", () => {
    const terminating = eventRecord(event("DisruptionTerminating", "Disrupting NodeClaim: Underutilized"), NODE_CLAIM);
    assert.deepEqual(terminating, {
      key: "disrupted/default-x7k2p",
      kind: "consolidated",
      node: "default-x7k2p",
      pool: "default",
      reason: "Karpenter disrupted NodeClaim default-x7k2p: Underutilized",
      time: "2026-03-02T08:00:02Z",
    });
    assert.equal(eventRecord(event("SpotInterrupted", "Spot interruption warning"), undefined)?.kind, "interrupted");
    assert.equal(eventRecord(event("DisruptionBlocked", "No allowed disruptions"), NODE_CLAIM), undefined);
    const onNode = {
      ...event("DisruptionTerminating", "Disrupting Node: Empty"),
      involvedObject: { kind: "Node", name: "n" },
    };
    assert.equal(eventRecord(onNode, undefined), undefined);
  });

  it("takes the keys already recorded from this cluster's status commits only", () => {
    const keys = recordedKeys(
      [
        {
          sha: "a",
          time: new Date(),
          cluster: "prod",
          events: [
            { kind: "provisioned", pool: "default", node: "default-x7k2p", reason: "" },
            { kind: "consolidated", pool: "default", node: "default-x7k2p", reason: "" },
            { kind: "accepted", reason: "" },
          ],
        },
        {
          sha: "b",
          time: new Date(),
          cluster: "staging",
          events: [{ kind: "initialized", node: "default-x7k2p", reason: "" }],
        },
      ],
      "prod",
    );
    assert.deepEqual([...keys].sort(), ["disrupted/default-x7k2p", "provisioned/default-x7k2p"]);
  });
});
