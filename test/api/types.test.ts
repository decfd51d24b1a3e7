// The generated types follow the CRDs: these objects are checked by `npm run typecheck` (a wrong enum value or
// a misspelt field does not compile), and at run time by the validator, so both views agree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateObject, type Budget, type EC2NodeClass, type NodePool } from "../../api/index.ts";
import type { Disruption } from "../../api/types.ts";

const pool = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "default" },
  spec: {
    template: {
      metadata: { labels: { team: "platform" } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [{ key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["3"], minValues: 2 }],
        taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }],
        expireAfter: "720h",
      },
    },
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "1m",
      budgets: [{ nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h", reasons: ["Drifted"] }],
    },
    limits: { cpu: "1000", memory: "1000Gi" },
    weight: 10,
  },
} satisfies NodePool;

const nodeClass = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    role: "KarpenterNodeRole",
    amiSelectorTerms: [{ alias: "al2023@v20240807" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    securityGroupSelectorTerms: [{ id: "sg-0123456789abcdef0" }],
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "100Gi", volumeType: "gp3", encrypted: true } },
    ],
  },
} satisfies EC2NodeClass;

test("objects typed by the generated types validate against the CRDs", () => {
  assert.deepEqual(validateObject(pool)?.errors, []);
  assert.deepEqual(validateObject(nodeClass)?.errors, []);
});

test("the types carry the CRDs' enums and required fields", () => {
  const oldPolicy: Disruption = {
    // @ts-expect-error v1beta1's policy name is not a v1 ConsolidationPolicy
    consolidationPolicy: "WhenUnderutilized",
    consolidateAfter: "0s",
  };
  // @ts-expect-error `nodes` is required in a budget
  const budget: Budget = { reasons: ["Empty"] };
  assert.ok(oldPolicy && budget);
});
