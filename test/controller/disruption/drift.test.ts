// Drift and rollout progress, commit by commit: a Git commit changes the EC2NodeClass's AMI selector, the cloud
// provider reports AMIDrift for the nodes launched before it (the in-memory provider compares the selector each
// instance was launched with), and each pass replaces one drifted node — its replacement carrying the new commit —
// until every node runs the current template (1500m pods: no two fit on one m5.large, three not on one m5.xlarge,
// so consolidation has nothing to do). Also the NodePool template hash and requirements.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EC2NodeClass, NodeClaim, NodePool } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import {
  driftReason,
  nodeFacts,
  nodePoolAnnotations,
  nodePoolHash,
  plan,
} from "../../../controller/disruption/index.ts";
import { nodePoolHashAnnotations } from "../../../controller/provisioning/index.ts";
import { FakeCloudProvider } from "../../support/fake-cloud-provider.ts";
import { ClusterModel, instanceTypes, nodePool, pod, typesByPool, ZONE } from "../../support/disruption-cluster.ts";

const TYPES = instanceTypes(["m5.large", "m5.xlarge"]);
const START = new Date("2026-01-05T12:00:00Z");

function nodeClass(ami: string): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default" },
    spec: {
      role: "KarpenterNodeRole",
      amiSelectorTerms: [{ id: ami }],
      subnetSelectorTerms: [{ tags: { team: "a" } }],
      securityGroupSelectorTerms: [{ tags: { team: "a" } }],
    },
  } as EC2NodeClass;
}

const claimFor = (type: string): NodeClaim =>
  ({
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: { name: `claim-${type}` },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: [type] }],
    },
  }) as NodeClaim;

describe("drift after a Git commit changes the EC2NodeClass", () => {
  test("one node per pass is replaced, and rollout progress is reported commit by commit", async () => {
    const pool = nodePool("default", { budgets: [{ nodes: "100%" }] });
    const k1 = nodeClass("ami-0aaa");
    const k2 = nodeClass("ami-0bbb");
    let now = START;
    const cloud = new FakeCloudProvider({ clock: { now: () => now }, zones: [ZONE], nodeClasses: [k1] });
    const model = new ClusterModel();
    const launched = new Map<string, NodeClaim>();
    for (const name of ["a", "b", "c"]) {
      launched.set(name, await cloud.create(claimFor("m5.large")));
      model.add(name, {
        type: "m5.large",
        pods: [pod({ cpu: "1500m" })],
        createdAt: `2026-01-05T0${["a", "b", "c"].indexOf(name) + 1}:00:00Z`,
        claimAnnotations: nodePoolAnnotations(pool, "c1"),
      });
    }
    const pass = async (classNow: EC2NodeClass, commit: string) => {
      for (const [name, options] of model.nodes) {
        const claim = launched.get(name);
        const drift = claim === undefined ? undefined : await cloud.isDrifted(claim, pool, classNow);
        if (drift === undefined) delete options.cloudDrift;
        else options.cloudDrift = drift;
      }
      return plan(
        model.builder(TYPES).snapshot(),
        { nodePools: [pool], commit },
        typesByPool([pool], TYPES),
        fixedClock(now),
      );
    };

    const atC1 = await pass(k1, "c1");
    assert.deepEqual(atC1.commands, []);
    assert.equal(atC1.rollout[0]?.message, "3 of 3 nodes on the current template at c1 (by commit c1: 3)");

    const progress: string[] = [];
    const replaced: string[] = [];
    for (let i = 0; i < 4; i++) {
      now = new Date(START.getTime() + (i + 1) * 60_000);
      const p = await pass(k2, "c2");
      progress.push(p.rollout[0]?.message ?? "");
      const [command] = p.commands;
      if (command === undefined) break;
      assert.equal(p.commands.length, 1, "one drift command per pass");
      assert.equal(command.reason, "Drifted");
      assert.match(command.message, /^replace drifted \w \(AMIDrift\) with m5\.large on-demand: moves 1 pods/);
      replaced.push(command.candidates[0]?.node ?? "");
      model.apply(command, TYPES, [pool], now, nodePoolAnnotations(pool, "c2"));
    }
    assert.deepEqual(replaced, ["a", "b", "c"], "oldest first");
    assert.deepEqual(progress, [
      "0 of 3 nodes on the current template at c2 (by commit c1: 3)",
      "1 of 3 nodes on the current template at c2 (by commit c1: 2, c2: 1)",
      "2 of 3 nodes on the current template at c2 (by commit c1: 1, c2: 2)",
      "3 of 3 nodes on the current template at c2 (by commit c2: 3)",
    ]);
  });
});

describe("NodePool drift", () => {
  const withLabels = (labels: Record<string, string>): NodePool => nodePool("default", {}, { labels });

  test("the template hash covers labels, not disruption settings or weight", () => {
    const base = withLabels({ team: "a" });
    assert.notEqual(nodePoolHash(base), nodePoolHash(withLabels({ team: "b" })));
    const behaviour = {
      ...base,
      spec: { ...base.spec, weight: 50, disruption: { consolidateAfter: "1h" } },
    } as NodePool;
    assert.equal(nodePoolHash(base), nodePoolHash(behaviour));
    const requirements = nodePool(
      "default",
      {},
      {
        labels: { team: "a" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
      },
    );
    assert.equal(nodePoolHash(base), nodePoolHash(requirements), "requirements drift by compatibility, not the hash");
  });

  test("a NodeClaim as provisioning creates it drifts when the template changes (one hash for both)", () => {
    // Provisioning wrote Karpenter's hash version "v3" while drift compared only its own "poolkeeper-v1": NodeClaims
    // the provisioner launched never drifted. Annotated here as provisioning annotates a NodeClaim it creates.
    const launchedFrom = withLabels({ team: "a" });
    const model = new ClusterModel().add("n", {
      type: "m5.large",
      claimAnnotations: nodePoolHashAnnotations(launchedFrom),
    });
    const [source] = model.builder(TYPES).snapshot().nodes;
    assert.ok(source);
    const facts = nodeFacts(source, typesByPool([launchedFrom], TYPES));
    assert.equal(driftReason(facts, launchedFrom), undefined);
    assert.equal(driftReason(facts, withLabels({ team: "b" })), "NodePoolDrifted");
    // A hash Karpenter's own hash controller wrote on the NodePool is what a new NodeClaim carries and drift compares.
    const written = withLabels({ team: "a" });
    written.metadata = {
      ...written.metadata,
      annotations: { "karpenter.sh/nodepool-hash": "12345", "karpenter.sh/nodepool-hash-version": "v3" },
    };
    assert.equal(driftReason(facts, written), "NodePoolDrifted");
  });

  test("a NodeClaim launched from another template is NodePoolDrifted; requirements that exclude it RequirementsDrifted", () => {
    const launchedFrom = withLabels({ team: "a" });
    const model = new ClusterModel().add("n", {
      type: "m5.large",
      claimAnnotations: nodePoolAnnotations(launchedFrom, "c1"),
    });
    const [source] = model.builder(TYPES).snapshot().nodes;
    assert.ok(source);
    const facts = nodeFacts(source, typesByPool([launchedFrom], TYPES));
    assert.equal(driftReason(facts, launchedFrom), undefined);
    assert.equal(driftReason(facts, withLabels({ team: "b" })), "NodePoolDrifted");
    const noLarge = nodePool(
      "default",
      {},
      {
        labels: { team: "a" },
        requirements: [{ key: "node.kubernetes.io/instance-type", operator: "NotIn", values: ["m5.large"] }],
      },
    );
    assert.equal(driftReason(facts, noLarge), "RequirementsDrifted");
  });

  test("drift with a terminationGracePeriod ignores pod blockers; without one, they hold the node", () => {
    const pool = nodePool("default");
    const blocked = {
      type: "m5.large",
      cloudDrift: "AMIDrift" as const,
      pods: [pod({ annotations: { "karpenter.sh/do-not-disrupt": "true" } })],
    };
    const held = plan(
      new ClusterModel().add("n", blocked).builder(TYPES).snapshot(),
      { nodePools: [pool] },
      typesByPool([pool], TYPES),
      fixedClock(START),
    );
    assert.deepEqual(held.commands, []);
    assert.match(held.blocked[0]?.message ?? "", /^drifted \(AMIDrift\), but pod default\/p\d+ has do-not-disrupt$/);
    const bounded = { ...blocked, claimSpec: { terminationGracePeriod: "1h" } };
    const p = plan(
      new ClusterModel().add("n", bounded).builder(TYPES).snapshot(),
      { nodePools: [pool] },
      typesByPool([pool], TYPES),
      fixedClock(START),
    );
    assert.equal(p.commands[0]?.reason, "Drifted");
  });
});
