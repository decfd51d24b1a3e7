// Topology spread in the scheduler. Each expectation is the one Karpenter's own test states for the same setup
// (core:pkg/controllers/provisioning/scheduling/topology_test.go, v1.14.1, named in each test), with three zones
// as its fake cloud provider has; where the pods here are placed in one run rather than Karpenter's rounds, the
// rounds are kept by turning a result into existing nodes (materialize).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { newOffering } from "../../../cloudprovider/offering.ts";
import { InstanceType } from "../../../cloudprovider/index.ts";
import {
  CAPACITY_TYPE,
  catalogTypes,
  claimDomain,
  HOSTNAME,
  materialize,
  messages,
  nodePool,
  pod,
  pods,
  run,
  ZONE,
  ZONES,
  zoneSkew,
} from "../../support/scheduling-fixtures.ts";

const labels = { app: "web" };
const types = catalogTypes("m5.large", "m5.xlarge");
const spread = (key: string, maxSkew = 1, extra: Record<string, unknown> = {}) => ({
  topologySpreadConstraints: [
    { topologyKey: key, maxSkew, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels }, ...extra },
  ],
});
const zones = (...values: string[]) => [{ key: ZONE, operator: "In", values }];

describe("topology spread on zone", () => {
  test("should balance pods across zones: 4 pods over 3 zones are 1, 1, 2", () => {
    const result = run(
      pods(4, () => pod({ labels }, spread(ZONE))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(zoneSkew(result), [1, 1, 2]);
  });

  test("should balance pods across zones (match expressions)", () => {
    const constraint = spread(ZONE);
    const [tsc] = constraint.topologySpreadConstraints;
    const expr = { ...tsc, labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] } };
    const result = run(
      pods(4, () => pod({ labels }, { topologySpreadConstraints: [expr] })),
      [nodePool("d")],
      types,
    );
    assert.deepEqual(zoneSkew(result), [1, 1, 2]);
  });

  test("should respect NodePool zonal constraints (subset): 4 pods over two zones are 2, 2", () => {
    const pool = nodePool("default", { requirements: zones("us-east-1a", "us-east-1b") });
    const result = run(
      pods(4, () => pod({ labels }, spread(ZONE))),
      [pool],
      types,
    );
    assert.deepEqual(zoneSkew(result), [2, 2]);
    assert.deepEqual(
      new Set(result.newNodeClaims.map((c) => claimDomain(c, ZONE))),
      new Set(["us-east-1a", "us-east-1b"]),
    );
  });

  test("should not violate max-skew when unsat = do not schedule: 1 in zone a, then 10 allowed only b and c → 1, 2, 2", () => {
    const first = [pod({ labels }, spread(ZONE))];
    const round1 = run(first, [nodePool("default", { requirements: zones("us-east-1a") })], types);
    assert.deepEqual(zoneSkew(round1), [1]);
    const cluster = materialize(round1, first);
    const second = pods(10, () => pod({ labels }, spread(ZONE)));
    const round2 = run(
      second,
      [nodePool("default", { requirements: zones("us-east-1b", "us-east-1c") })],
      types,
      cluster,
    );
    assert.deepEqual(zoneSkew(round2), [2, 2]);
    assert.equal(round2.unschedulable.length, 6);
    // The explanation names the spread and the counts it saw in the zones the pool offers.
    assert.deepEqual(messages(round2)[0], [
      "pool default: topology spread on topology.kubernetes.io/zone (maxSkew 1) cannot be met in any domain the pool " +
        "offers (pods matching app In web per domain: us-east-1b 2, us-east-1c 2)",
    ]);
  });

  test("should respect minDomains constraints: minDomains 3 with two zones places 1, 1 and leaves the third", () => {
    const pool = nodePool("default", { requirements: zones("us-east-1a", "us-east-1b") });
    const result = run(
      pods(3, () => pod({ labels }, spread(ZONE, 1, { minDomains: 3 }))),
      [pool],
      types,
    );
    assert.deepEqual(zoneSkew(result), [1, 1]);
    assert.equal(result.unschedulable.length, 1);
  });

  test("satisfied minDomains constraints (equal) should allow expected pod scheduling: 11 pods are 3, 4, 4", () => {
    const result = run(
      pods(11, () => pod({ labels }, spread(ZONE, 1, { minDomains: 3 }))),
      [nodePool("d")],
      types,
    );
    assert.deepEqual(zoneSkew(result), [3, 4, 4]);
  });

  test("counts existing pods' domains: 2 bound in zone a, then 4 more fill b and c first (2, 2, 2)", () => {
    const first = pods(2, () => pod({ labels }, spread(ZONE, 2)));
    const round1 = run(first, [nodePool("default", { requirements: zones("us-east-1a") })], types);
    const cluster = materialize(round1, first);
    const round2 = run(
      pods(4, () => pod({ labels }, spread(ZONE))),
      [nodePool("default")],
      types,
      cluster,
    );
    assert.deepEqual(zoneSkew(round2), [2, 2]);
    assert.deepEqual(
      new Set(round2.newNodeClaims.map((c) => claimDomain(c, ZONE))),
      new Set(["us-east-1b", "us-east-1c"]),
    );
  });

  test("ScheduleAnyway is relaxed when it cannot be met, DoNotSchedule is not (kube-scheduler semantics)", () => {
    const first = [pod({ labels }, spread(ZONE))];
    const round1 = run(first, [nodePool("default", { requirements: zones("us-east-1a") })], types);
    const cluster = materialize(round1, first);
    const onlyB = nodePool("default", { requirements: zones("us-east-1b") });
    // The domains are a (the node) and b (the pool); no pool offers c. b may reach 2 beside a's 1, not 3.
    const strict = run(
      pods(3, () => pod({ labels }, spread(ZONE))),
      [onlyB],
      types,
      cluster,
    );
    assert.equal(strict.unschedulable.length, 1);
    const anyway = spread(ZONE, 1, { whenUnsatisfiable: "ScheduleAnyway" });
    const relaxed = run(
      pods(3, () => pod({ labels }, anyway)),
      [onlyB],
      types,
      cluster,
    );
    assert.equal(relaxed.unschedulable.length, 0);
  });
});

describe("topology spread: node inclusion policies", () => {
  // A tainted node in zone c holds no matching pod. With nodeTaintsPolicy Ignore (the default) it counts as a domain
  // with 0 pods, so zones a and b may hold 1 each; with Honor the pods do not tolerate it and it is not counted.
  const tainted = {
    name: "tainted",
    nodePool: undefined,
    labels: { [ZONE]: "us-east-1c", [HOSTNAME]: "tainted" },
    taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" as const }],
    capacity: {},
    allocatable: {},
    requested: {},
  };
  const pool = nodePool("default", { requirements: zones("us-east-1a", "us-east-1b") });
  test("nodeTaintsPolicy Ignore: 4 pods, 2 placed (1, 1) since empty zone c counts", () => {
    const result = run(
      pods(4, () => pod({ labels }, spread(ZONE))),
      [pool],
      types,
      { existing: [tainted] },
    );
    assert.deepEqual(zoneSkew(result), [1, 1]);
    assert.equal(result.unschedulable.length, 2);
  });
  test("nodeTaintsPolicy Honor: 4 pods, all placed (2, 2)", () => {
    const honor = spread(ZONE, 1, { nodeTaintsPolicy: "Honor" });
    const result = run(
      pods(4, () => pod({ labels }, honor)),
      [pool],
      types,
      { existing: [tainted] },
    );
    assert.deepEqual(zoneSkew(result), [2, 2]);
  });
  // A node in zone c that the pods' nodeSelector excludes: Honor (the default) leaves it out, Ignore counts it.
  const other = { ...tainted, name: "other", taints: [], labels: { ...tainted.labels, tier: "other" } };
  const selector = { nodeSelector: { tier: "web" } };
  const webPool = nodePool("default", {
    requirements: [...zones("us-east-1a", "us-east-1b"), { key: "tier", operator: "In", values: ["web"] }],
  });
  test("nodeAffinityPolicy Honor: the excluded node's zone does not count (2, 2)", () => {
    const result = run(
      pods(4, () => pod({ labels }, { ...spread(ZONE), ...selector })),
      [webPool],
      types,
      {
        existing: [other],
      },
    );
    assert.deepEqual(zoneSkew(result), [2, 2]);
  });
  test("nodeAffinityPolicy Ignore: it counts, so only 1, 1", () => {
    const ignore = spread(ZONE, 1, { nodeAffinityPolicy: "Ignore" });
    const result = run(
      pods(4, () => pod({ labels }, { ...ignore, ...selector })),
      [webPool],
      types,
      {
        existing: [other],
      },
    );
    assert.deepEqual(zoneSkew(result), [1, 1]);
  });
});

describe("topology spread on hostname and capacity type", () => {
  test("should balance pods across nodes: maxSkew 1 puts 4 pods on 4 NodeClaims", () => {
    const result = run(
      pods(4, () => pod({ labels }, spread(HOSTNAME))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods.length),
      [1, 1, 1, 1],
    );
  });

  test("should balance pods on the same hostname up to maxskew: maxSkew 4 puts 4 pods on one", () => {
    const result = run(
      pods(4, () => pod({ labels }, spread(HOSTNAME, 4))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods.length),
      [4],
    );
  });

  test("should balance pods across capacity types: 4 pods are 2 spot, 2 on-demand", () => {
    const [base] = catalogTypes("m5.large");
    assert.ok(base);
    const offerings = ZONES.flatMap((zone) => [
      newOffering({ zone, capacityType: "on-demand", price: 0.096, available: true }),
      newOffering({ zone, capacityType: "spot", price: 0.04, available: true }),
    ]);
    const both = new InstanceType({ ...base, offerings, overhead: base.overhead });
    const result = run(
      pods(4, () => pod({ labels }, spread(CAPACITY_TYPE))),
      [nodePool("default")],
      [both],
    );
    const byType = result.newNodeClaims.map((c) => [c.capacityType, c.pods.length] as const);
    assert.deepEqual(
      byType.reduce((acc, [ct, n]) => ({ ...acc, [ct]: (acc[ct] ?? 0) + n }), {} as Record<string, number>),
      { spot: 2, "on-demand": 2 },
    );
  });
});
