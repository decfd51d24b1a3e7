// The NodeClaim object a scheduled claim becomes. Expected objects are written by hand from Karpenter's
// `NodeClaimTemplate.ToNodeClaim` (core:pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go): generateName
// "<pool>-", template labels plus karpenter.sh/nodepool, owner reference to the NodePool, the template's spec with
// the merged requirements and `node.kubernetes.io/instance-type In` the options; requests as in nodeclaim.go.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodePool, Pod } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { catalogInstanceTypes } from "../../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog } from "../../../cloudprovider/index.ts";
import { nodeClaimManifest, nodePoolTemplate, schedule } from "../../../controller/provisioning/index.ts";

const types = catalogInstanceTypes(defaultCatalog(), { zones: ["us-east-1a", "us-east-1b"] }).filter((t) =>
  ["m5.large", "m5.xlarge"].includes(t.name),
);

const pool: NodePool = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "general", uid: "0f7e-uid" },
  spec: {
    template: {
      metadata: { labels: { team: "a" }, annotations: { "example.com/owner": "platform" } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
        taints: [{ key: "dedicated", value: "a", effect: "NoSchedule" }],
        expireAfter: "720h",
      },
    },
  },
};

function pod(spec: Record<string, unknown>): Pod {
  return {
    metadata: { name: "web", namespace: "default" },
    spec: {
      containers: [{ name: "c", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      ...spec,
    },
  };
}

function manifestFor(p: Pod) {
  const result = schedule(
    { pendingPods: [p], existing: [], daemonSets: [] },
    [nodePoolTemplate(pool)],
    new Map([["general", types]]),
    fixedClock(new Date("2026-01-01T00:00:00Z")),
  );
  const [claim] = result.newNodeClaims;
  assert.ok(claim, "a NodeClaim was opened");
  return nodeClaimManifest(claim);
}

describe("nodeClaimManifest", () => {
  test("the object Karpenter creates for a pool and a pod pinned to a zone", () => {
    assert.deepEqual(manifestFor(pod({ nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } })), {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: {
        generateName: "general-",
        labels: { team: "a", "karpenter.sh/nodepool": "general" },
        annotations: { "example.com/owner": "platform" },
        ownerReferences: [
          {
            apiVersion: "karpenter.sh/v1",
            kind: "NodePool",
            name: "general",
            uid: "0f7e-uid",
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [
          { key: "karpenter.sh/nodepool", operator: "In", values: ["general"] },
          { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
          { key: "team", operator: "In", values: ["a"] },
          { key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1a"] },
          { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large", "m5.xlarge"] },
        ],
        resources: { requests: { cpu: "1", memory: "1Gi", pods: "1" } },
        taints: [{ key: "dedicated", value: "a", effect: "NoSchedule" }],
        expireAfter: "720h",
      },
    });
  });

  test("Gt, NotIn and DoesNotExist are written back as such", () => {
    const affinity = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["2"] },
                  { key: "topology.kubernetes.io/zone", operator: "NotIn", values: ["us-east-1b"] },
                  { key: "example.com/legacy", operator: "DoesNotExist" },
                ],
              },
            ],
          },
        },
      },
    };
    const { requirements } = manifestFor(pod(affinity)).spec;
    assert.deepEqual(
      requirements.filter(
        (r) => r.key !== "karpenter.sh/nodepool" && r.key !== "kubernetes.io/arch" && r.key !== "team",
      ),
      [
        { key: "example.com/legacy", operator: "DoesNotExist" },
        { key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["2"] },
        { key: "topology.kubernetes.io/zone", operator: "NotIn", values: ["us-east-1b"] },
        { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge"] },
      ],
    );
  });
});
