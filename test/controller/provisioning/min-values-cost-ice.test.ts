// minValues (Karpenter's MIN_VALUES_POLICY Strict and BestEffort, core:pkg/controllers/provisioning/scheduling/
// nodeclaim.go and FACTS.md §d), the poolkeeper.dev/max-hourly-cost cap, and the unavailable-offerings cache's expiry
// in the explanation. Figures are the catalog's (data/SOURCE.md: allocMemoryMiB, onDemandUsd), with the arithmetic
// in each test.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { InstanceType } from "../../../cloudprovider/index.ts";
import { newOffering } from "../../../cloudprovider/offering.ts";
import { nodeClaimManifest, nodePoolTemplate } from "../../../controller/provisioning/index.ts";
import { ValueError } from "../../../api/index.ts";
import { parseResourceList } from "../../../scheduling/index.ts";
import {
  catalogTypes,
  HOSTNAME,
  messages,
  NOW,
  nodePool,
  pod,
  pods,
  run,
  ZONE,
} from "../../support/scheduling-fixtures.ts";

const FAMILY = "karpenter.k8s.aws/instance-family";

describe("minValues", () => {
  // m5.large 6903Mi, c5.large 3114Mi, r5.large 14481Mi allocatable memory.
  const types = catalogTypes("m5.large", "c5.large", "r5.large");
  const pool = nodePool("default", {
    requirements: [{ key: FAMILY, operator: "In", values: ["m5", "c5", "r5"], minValues: 2 }],
  });
  test("5Gi fits m5.large and r5.large: two families, minValues 2 is met", () => {
    const result = run([pod({ requests: { memory: "5Gi" } })], [pool], types);
    assert.deepEqual(result.newNodeClaims[0]?.instanceTypes, ["m5.large", "r5.large"]);
  });
  test("Strict (the default): 10Gi fits only r5.large, one family, so the pod stays pending and is told why", () => {
    const result = run([pod({ requests: { memory: "10Gi" } })], [pool], types);
    assert.equal(result.newNodeClaims.length, 0);
    assert.deepEqual(messages(result), [
      [
        "pool default: minValues 2 for karpenter.k8s.aws/instance-family cannot be met (the instance types that fit give 1)",
      ],
    ]);
  });
  test("BestEffort: the NodeClaim is made and marked karpenter.sh/nodeclaim-min-values-relaxed", () => {
    const result = run([pod({ requests: { memory: "10Gi" } })], [pool], types, {}, { minValuesPolicy: "BestEffort" });
    const claim = result.newNodeClaims[0] ?? assert.fail();
    assert.deepEqual(claim.instanceTypes, ["r5.large"]);
    assert.equal(nodeClaimManifest(claim).metadata?.annotations?.["karpenter.sh/nodeclaim-min-values-relaxed"], "true");
  });
});

describe("poolkeeper.dev/max-hourly-cost", () => {
  // m5.large: $0.096/h on demand; 1500m of its 1930m allocatable CPU, so one pod per node.
  const types = catalogTypes("m5.large");
  const capped = nodePool("capped", { annotations: { "poolkeeper.dev/max-hourly-cost": "0.25" } });
  test("$0.25 buys two m5.large ($0.192); the third pod is explained", () => {
    const result = run(
      pods(3, () => pod({ requests: { cpu: "1500m" } })),
      [capped],
      types,
    );
    assert.equal(result.newNodeClaims.length, 2);
    assert.deepEqual(messages(result), [
      [
        "pool capped: poolkeeper.dev/max-hourly-cost would be exceeded ($0.19 of $0.25 per hour used, the cheapest " +
          "fitting type costs $0.10)",
      ],
    ]);
  });
  test("existing nodes count at their launched price: $0.20 used leaves no room for $0.096", () => {
    const node = {
      name: "n1",
      nodePool: "capped",
      labels: { [ZONE]: "us-east-1a", [HOSTNAME]: "n1" },
      taints: [],
      capacity: {},
      allocatable: parseResourceList({ pods: "0" }),
      requested: {},
      hourlyPrice: 0.2,
    };
    const result = run([pod({ requests: { cpu: "1500m" } })], [capped], types, { existing: [node] });
    assert.equal(result.newNodeClaims.length, 0);
    assert.match(messages(result)[0]?.[0] ?? "", /\(\$0\.20 of \$0\.25 per hour used/);
  });
  test("a value that is not a number is an error naming the NodePool and annotation", () => {
    const bad = nodePool("capped", { annotations: { "poolkeeper.dev/max-hourly-cost": "lots" } });
    assert.throws(
      () => nodePoolTemplate(bad),
      (error: unknown) => {
        assert.ok(error instanceof ValueError);
        assert.equal(
          error.message,
          'NodePool capped metadata.annotations.poolkeeper.dev/max-hourly-cost: "lots" is not a number of USD per hour (e.g. "12.50")',
        );
        return true;
      },
    );
  });
});

describe("the unavailable-offerings cache in explanations", () => {
  const [base] = catalogTypes("m5.large");
  assert.ok(base);
  const iced = new InstanceType({
    ...base,
    offerings: [newOffering({ zone: "us-east-1a", capacityType: "on-demand", price: 0.096, available: false })],
    overhead: base.overhead,
  });
  const entry = (until: Date) => ({
    instanceType: "m5.large",
    zone: "us-east-1a",
    capacityType: "on-demand" as const,
    until,
  });
  test("an ICE at 11:59:30 keeps it until 12:02:30, said as 12:03 UTC (rounded up to the minute)", () => {
    assert.equal(NOW.toISOString(), "2026-01-01T12:00:00.000Z");
    const result = run([pod()], [nodePool("default")], [iced], {
      unavailableOfferings: [entry(new Date("2026-01-01T12:02:30Z"))],
    });
    const [message] = messages(result)[0] ?? [];
    assert.match(
      message ?? "",
      /^pool default: no available offering \(zone and capacity type\) satisfies .* \(ICE until 12:03 UTC\)$/,
    );
  });
  test("an entry already expired is not mentioned", () => {
    const result = run([pod()], [nodePool("default")], [iced], {
      unavailableOfferings: [entry(new Date("2026-01-01T11:59:00Z"))],
    });
    assert.doesNotMatch(messages(result)[0]?.[0] ?? "", /ICE/);
  });
});
