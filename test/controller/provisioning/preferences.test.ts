// Preferences held, then relaxed one at a time (PREFERENCE_POLICY=Respect). Expectations are those of Karpenter's
// tests for the same pods (core:pkg/controllers/provisioning/scheduling/suite_test.go "Preferential Fallback" and
// topology_test.go "should allow violation of preferred pod (anti-)affinity", v1.14.1), with three zones.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  catalogTypes,
  claimDomain,
  nodePool,
  pod,
  pods,
  run,
  ZONE,
  zoneSkew,
} from "../../support/scheduling-fixtures.ts";

const types = catalogTypes("m5.large", "m5.xlarge");
const INSTANCE_TYPE = "node.kubernetes.io/instance-type";
const preferred = (...terms: [number, string, string[]][]) => ({
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: terms.map(([weight, key, values]) => ({
        weight,
        preference: { matchExpressions: [{ key, operator: "In", values }] },
      })),
    },
  },
});

describe("preferred node affinity", () => {
  test("should schedule compatible preferences and requirements with Operator=In: the preferred zone wins", () => {
    const p = pod({}, preferred([1, ZONE, ["us-east-1b", "unknown"]]));
    const result = run([p], [nodePool("default")], types);
    const claim = result.newNodeClaims[0] ?? assert.fail();
    // "unknown" stays in the requirement, as in Karpenter; b is the only zone it allows that exists.
    assert.deepEqual(
      ["us-east-1a", "us-east-1b", "us-east-1c"].filter((z) => claim.requirements.allows(ZONE, z)),
      ["us-east-1b"],
    );
  });

  test("should relax all terms: two unsatisfiable preferences, still scheduled", () => {
    const p = pod({}, preferred([1, ZONE, ["invalid"]], [1, INSTANCE_TYPE, ["invalid"]]));
    const result = run([p], [nodePool("default")], types);
    assert.equal(result.unschedulable.length, 0);
    assert.equal(result.newNodeClaims.length, 1);
  });

  test("should relax to use lighter weights: 100 unsatisfiable, then 50 for zone b; weight 1 never reached", () => {
    const pool = nodePool("default", {
      requirements: [{ key: ZONE, operator: "In", values: ["us-east-1a", "us-east-1b"] }],
    });
    const p = pod(
      {},
      preferred([100, INSTANCE_TYPE, ["us-east-1c"]], [50, ZONE, ["us-east-1b"]], [1, ZONE, ["us-east-1a"]]),
    );
    const result = run([p], [pool], types);
    assert.equal(claimDomain(result.newNodeClaims[0] ?? assert.fail(), ZONE), "us-east-1b");
  });

  test("PREFERENCE_POLICY=Ignore drops preferences: the zone is left open", () => {
    const p = pod({}, preferred([1, ZONE, ["us-east-1b"]]));
    const result = run([p], [nodePool("default")], types, {}, { preferencePolicy: "Ignore" });
    assert.deepEqual(result.newNodeClaims[0]?.requirements.valuesFor(ZONE).complement, true);
  });

  test("should relax multiple required terms: the first satisfiable term (zone a) is used", () => {
    const terms = ["invalid", "invalid", "us-east-1a", "us-east-1b"].map((zone) => ({
      matchExpressions: [{ key: ZONE, operator: "In", values: [zone] }],
    }));
    const p = pod(
      {},
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } },
    );
    const result = run([p], [nodePool("default")], types);
    assert.equal(claimDomain(result.newNodeClaims[0] ?? assert.fail(), ZONE), "us-east-1a");
  });
});

describe("preferred pod affinity and anti-affinity", () => {
  const labels = { security: "s2" };
  const podTerm = (key: string) => ({
    weight: 1,
    podAffinityTerm: { topologyKey: key, labelSelector: { matchLabels: labels } },
  });

  test("should allow violation of preferred pod affinity: no pod matches, the pod is still scheduled", () => {
    const p = pod(
      {},
      { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [podTerm(ZONE)] } } },
    );
    const result = run([p], [nodePool("default")], types);
    assert.equal(result.unschedulable.length, 0);
  });

  test("should allow violation of preferred pod anti-affinity: 4 self-repelling pods in 3 zones all placed", () => {
    const anti = {
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [podTerm(ZONE)] } },
    };
    const result = run(
      pods(4, () => pod({ labels }, anti)),
      [nodePool("default")],
      types,
    );
    assert.equal(result.unschedulable.length, 0);
    // The first three respect the preference, one zone each; the fourth gave it up and joined one of them.
    assert.deepEqual(zoneSkew(result), [1, 1, 2]);
  });
});
