// Required pod affinity and anti-affinity in the scheduler, on zone and hostname. Expectations are those of
// Karpenter's tests for the same setups (core:pkg/controllers/provisioning/scheduling/topology_test.go, v1.14.1,
// named in each test), which follow kube-scheduler's InterPodAffinity semantics.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
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
  zoneSkew,
} from "../../support/scheduling-fixtures.ts";

const types = catalogTypes("m5.large", "m5.xlarge");
const term = (key: string, matchLabels: Record<string, string>) => ({
  topologyKey: key,
  labelSelector: { matchLabels },
});
const affinity = (key: string, matchLabels: Record<string, string>) => ({
  affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(key, matchLabels)] } },
});
const antiAffinity = (key: string, matchLabels: Record<string, string>) => ({
  affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(key, matchLabels)] } },
});

describe("pod affinity", () => {
  test("should respect self pod affinity (zone): 10 pods land in one zone", () => {
    const labels = { security: "s2" };
    const result = run(
      pods(10, () => pod({ labels }, affinity(ZONE, labels))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(zoneSkew(result), [10]);
  });

  test("should respect self pod affinity (hostname): 3 pods on one NodeClaim", () => {
    const labels = { security: "s2" };
    const result = run(
      pods(3, () => pod({ labels }, affinity(HOSTNAME, labels))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods.length),
      [3],
    );
  });

  test("should respect pod affinity (hostname): the follower joins its target, even when queued first", () => {
    // The follower asks more CPU, so it is tried first; it cannot go anywhere until the target is placed, and is
    // retried after it (Karpenter's queue).
    const target = pod({ labels: { security: "s2" }, requests: { cpu: "100m" } });
    const follower = pod({ requests: { cpu: "1" } }, affinity(HOSTNAME, { security: "s2" }));
    const result = run([follower, target], [nodePool("default")], types);
    assert.equal(result.unschedulable.length, 0);
    assert.deepEqual(
      result.newNodeClaims.map((c) => [...c.pods].sort()),
      [[follower, target].map((p) => `default/${p.metadata.name}`).sort()],
    );
  });

  test("should support pod affinity with zone topology (constrained target): the follower goes to the target's zone", () => {
    const target = [pod({ labels: { app: "db" } })];
    const round1 = run(
      target,
      [nodePool("default", { requirements: [{ key: ZONE, operator: "In", values: ["us-east-1b"] }] })],
      types,
    );
    const cluster = materialize(round1, target);
    const result = run([pod({}, affinity(ZONE, { app: "db" }))], [nodePool("default")], types, cluster);
    assert.deepEqual(result.placementsOnExisting, []);
    assert.equal(claimDomain(result.newNodeClaims[0] ?? assert.fail(), ZONE), "us-east-1b");
  });

  test("should not schedule pods with affinity to a non-existent pod, and says why", () => {
    const result = run([pod({}, affinity(ZONE, { app: "missing" }))], [nodePool("default")], types);
    assert.equal(result.newNodeClaims.length, 0);
    assert.deepEqual(messages(result), [
      [
        "pool default: pod affinity on topology.kubernetes.io/zone: no domain the pool offers has pods matching " +
          "app In missing (per domain: us-east-1a 0, us-east-1b 0, us-east-1c 0)",
      ],
    ]);
  });
});

describe("pod anti-affinity", () => {
  test("should separate nodes using simple pod anti-affinity on hostname: 3 pods, 3 NodeClaims", () => {
    const labels = { app: "nginx" };
    const result = run(
      pods(3, () => pod({ labels }, antiAffinity(HOSTNAME, labels))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(
      result.newNodeClaims.map((c) => c.pods.length),
      [1, 1, 1],
    );
  });

  // Karpenter leaves an anti-affinity owner's zone open until launch, so its version of this test places one pod;
  // here each owner is pinned to one empty zone (docs/provisioning.md), as kube-scheduler would place them.
  test("pod anti-affinity on zone: 4 self-repelling pods, one per zone, the fourth left with the reason", () => {
    const labels = { app: "nginx" };
    const result = run(
      pods(4, () => pod({ labels }, antiAffinity(ZONE, labels))),
      [nodePool("default")],
      types,
    );
    assert.deepEqual(zoneSkew(result), [1, 1, 1]);
    assert.deepEqual(messages(result), [
      [
        "pool default: pod anti-affinity on topology.kubernetes.io/zone: every domain the pool offers already has " +
          "pods matching app In nginx (per domain: us-east-1a 1, us-east-1b 1, us-east-1c 1)",
      ],
    ]);
  });

  test("should not violate pod anti-affinity on zone (inverse w/existing nodes): a bound pod's anti-affinity keeps web out of its zone", () => {
    const guard = [pod({ labels: { app: "guard" } }, antiAffinity(ZONE, { app: "web" }))];
    const round1 = run(
      guard,
      [nodePool("default", { requirements: [{ key: ZONE, operator: "In", values: ["us-east-1a"] }] })],
      types,
    );
    const cluster = materialize(round1, guard);
    const web = pods(3, () => pod({ labels: { app: "web" } }));
    const result = run(web, [nodePool("default")], types, cluster);
    assert.equal(result.unschedulable.length, 0);
    for (const claim of result.newNodeClaims) assert.ok(!claim.requirements.allows(ZONE, "us-east-1a"));
    const onlyA = run(
      web,
      [nodePool("default", { requirements: [{ key: ZONE, operator: "In", values: ["us-east-1a"] }] })],
      types,
      cluster,
    );
    assert.match(
      messages(onlyA)[0]?.[0] ?? "",
      /another pod's required anti-affinity on topology.kubernetes.io\/zone \(against pods matching app In web\)/,
    );
  });

  test("should not violate pod anti-affinity on zone (inverse): a pending owner is placed first and keeps the others out", () => {
    // The owner asks more CPU, so it is placed first; the three web pods then avoid its zone.
    const owner = pod({ labels: { app: "guard" }, requests: { cpu: "1" } }, antiAffinity(ZONE, { app: "web" }));
    const web = pods(3, () => pod({ labels: { app: "web" } }));
    const result = run([owner, ...web], [nodePool("default")], types);
    assert.equal(result.unschedulable.length, 0);
    const ownerClaim = result.newNodeClaims.find((c) => c.pods.includes(`default/${owner.metadata.name}`));
    assert.ok(ownerClaim);
    const ownerZones = ownerClaim.requirements.valuesFor(ZONE).values;
    assert.equal(ownerZones.length, 1);
    for (const claim of result.newNodeClaims.filter((c) => c !== ownerClaim)) {
      assert.ok(!claim.requirements.allows(ZONE, ownerZones[0] ?? ""), "web may land in the owner's zone");
    }
  });
});
