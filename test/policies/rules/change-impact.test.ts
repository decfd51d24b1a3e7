import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadManifests } from "../../../api/index.ts";
import { upstreamExamples } from "../../support/fixtures.ts";
import { judge, nodeClass, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["change-impact.*"];
type Json = Record<string, unknown>;
const change = (previous: Json, object: Json) => ({ object, previous });

describe("change-impact without a previous version", () => {
  test("says nothing", () => {
    assert.deepEqual(judge([nodePool("a", { template: { metadata: { labels: { team: "a" } } } })], { rules }), []);
  });
});

describe("change-impact.nodepool-drift", () => {
  test("a label change replaces every node: one warning at the field, in both presets", () => {
    const before = nodePool("a", { template: { metadata: { labels: { team: "a", tier: "web" } } } });
    const after = nodePool("a", { template: { metadata: { labels: { team: "b", env: "prod" } } } });
    for (const preset of ["baseline", "strict"] as const) {
      const findings = judge([change(before, after)], { rules, preset });
      assert.deepEqual(summary(findings), ["change-impact.nodepool-drift warn /spec/template/metadata/labels"]);
      assert.equal(
        findings[0]?.message,
        "changing spec.template.metadata.labels (adds env, removes tier, changes team) replaces every node of this NodePool through drift, as fast as its disruption budgets allow.",
      );
    }
  });

  test("one finding per changed hashed field", () => {
    const before = nodePool("a", { template: { spec: { expireAfter: "720h" } } });
    const after = nodePool("a", {
      template: {
        metadata: { annotations: { note: "x" } },
        spec: {
          expireAfter: "336h",
          terminationGracePeriod: "24h",
          taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }],
          startupTaints: [{ key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoExecute" }],
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "other" },
        },
      },
    });
    assert.deepEqual(summary(judge([change(before, after)], { rules })), [
      "change-impact.nodepool-drift warn /spec/template/metadata/annotations",
      "change-impact.nodepool-drift warn /spec/template/spec/expireAfter",
      "change-impact.nodepool-drift warn /spec/template/spec/nodeClassRef",
      "change-impact.nodepool-drift warn /spec/template/spec/startupTaints",
      "change-impact.nodepool-drift warn /spec/template/spec/taints",
      "change-impact.nodepool-drift warn /spec/template/spec/terminationGracePeriod",
    ]);
  });

  test("switching the node class says which, and the node count when the previous version reports one", () => {
    const before = nodePool("a", {}, { status: { nodes: 12 } });
    const after = nodePool("a", {
      template: { spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "arm" } } },
    });
    const [finding] = judge([change(before, after)], { rules });
    assert.equal(
      finding?.message,
      'switching spec.template.spec.nodeClassRef from EC2NodeClass "default" to "arm" replaces every node of this NodePool (12 nodes at the last status) through drift, as fast as its disruption budgets allow.',
    );
  });

  test("what Karpenter's hash does not see is not a change: weight, limits, disruption, reordered taints, equal durations, empty maps", () => {
    const taints = [
      { key: "a", value: "1", effect: "NoSchedule" },
      { key: "b", value: "2", effect: "NoExecute" },
    ];
    const before = nodePool("a", { weight: 1, template: { spec: { taints, expireAfter: "720h" } } });
    const after = nodePool("a", {
      weight: 50,
      limits: { cpu: "100" },
      disruption: { consolidateAfter: "5m", budgets: [{ nodes: "1" }] },
      template: { metadata: { labels: {} }, spec: { taints: [...taints].reverse(), expireAfter: "43200m" } },
    });
    assert.deepEqual(judge([change(before, after)], { rules: ["change-impact.nodepool-drift"] }), []);
  });

  test("the default expireAfter (720h) equals an explicit 720h", () => {
    const before = nodePool("a", {});
    const after = nodePool("a", { template: { spec: { expireAfter: "720h" } } });
    assert.deepEqual(judge([change(before, after)], { rules }), []);
  });
});

describe("change-impact.nodeclass-drift", () => {
  test("hashed fields each replace every node of the class, naming the pools in scope that use it", () => {
    const before = nodeClass("default", { userData: "echo a", tags: { team: "a" } });
    const after = nodeClass("default", {
      userData: "echo b",
      tags: { team: "a", cost: "x" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "100Gi", volumeType: "gp3" } }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
    });
    const findings = judge([change(before, after), nodePool("web"), nodePool("batch")], { rules });
    assert.deepEqual(summary(findings), [
      "change-impact.nodeclass-drift warn /spec/blockDeviceMappings",
      "change-impact.nodeclass-drift warn /spec/metadataOptions",
      "change-impact.nodeclass-drift warn /spec/tags",
      "change-impact.nodeclass-drift warn /spec/userData",
    ]);
    const tags = findings.find((f) => f.pointer === "/spec/tags");
    assert.equal(
      tags?.message,
      "changing spec.tags (adds cost) replaces every node launched from this EC2NodeClass (NodePools batch, web) through drift, as fast as the pools' disruption budgets allow.",
    );
  });

  test("with the cluster's pools in scope, their node counts add up", () => {
    const before = nodeClass("default", { role: "NodeRoleA" });
    const after = nodeClass("default", { role: "NodeRoleB" });
    const cluster = {
      nodePools: [nodePool("web", {}, { status: { nodes: 3 } }), nodePool("batch", {}, { status: { nodes: 4 } })],
      nodeClasses: [],
    };
    const [finding] = judge([change(before, after)], { rules, cluster });
    assert.match(
      finding?.message ?? "",
      /^changing spec\.role from NodeRoleA to NodeRoleB replaces every node .*\(NodePools batch, web\) \(7 nodes at the last status\)/,
    );
  });

  test("the AMI family counts as resolved: naming the alias's own family changes nothing, switching family drifts", () => {
    const before = nodeClass("default");
    const same = nodeClass("default", { amiFamily: "AL2023" });
    assert.deepEqual(judge([change(before, same)], { rules }), []);
    const custom = nodeClass("default", { amiFamily: "Custom", amiSelectorTerms: [{ id: "ami-0123" }] });
    const findings = judge([change(before, custom)], { rules: ["change-impact.nodeclass-drift"] });
    assert.deepEqual(summary(findings), ["change-impact.nodeclass-drift warn /spec/amiFamily"]);
    assert.match(findings[0]?.message ?? "", /from AL2023 to Custom/);
  });

  test("selector terms and ipPrefixCount are not in the hash", () => {
    const before = nodeClass("default");
    const after = nodeClass("default", { ipPrefixCount: 1, subnetSelectorTerms: [{ id: "subnet-0123" }] });
    assert.deepEqual(judge([change(before, after)], { rules: ["change-impact.nodeclass-drift"] }), []);
  });
});

describe("change-impact.conditional-drift", () => {
  const req = (key: string, operator: string, values?: string[]) => ({ key, operator, ...(values ? { values } : {}) });
  const withReqs = (...requirements: unknown[]) => nodePool("a", { template: { spec: { requirements } } });

  test("narrowed requirements replace the nodes that no longer match", () => {
    const before = withReqs(req("karpenter.sh/capacity-type", "In", ["spot", "on-demand"]));
    const after = withReqs(
      req("karpenter.sh/capacity-type", "In", ["on-demand"]),
      req("karpenter.k8s.aws/instance-generation", "Gt", ["5"]),
    );
    const findings = judge([change(before, after)], { rules });
    assert.deepEqual(summary(findings), ["change-impact.conditional-drift warn /spec/template/spec/requirements"]);
    assert.match(
      findings[0]?.message ?? "",
      /\(karpenter\.k8s\.aws\/instance-generation is now required, karpenter\.sh\/capacity-type no longer allows spot\)/,
    );
  });

  test("widened or reordered requirements replace nothing", () => {
    const before = withReqs(req("kubernetes.io/arch", "In", ["amd64"]), req("kubernetes.io/os", "In", ["linux"]));
    const wider = withReqs(
      req("kubernetes.io/os", "In", ["linux"]),
      req("kubernetes.io/arch", "In", ["amd64", "arm64"]),
    );
    assert.deepEqual(judge([change(before, wider)], { rules }), []);
  });

  test("an open-ended requirement that gains exclusions or a bound is narrowed", () => {
    const before = withReqs(req("karpenter.k8s.aws/instance-family", "NotIn", ["t3"]));
    const after = withReqs(req("karpenter.k8s.aws/instance-family", "NotIn", ["t3", "t3a"]));
    assert.match(judge([change(before, after)], { rules })[0]?.message ?? "", /instance-family no longer allows t3a/);
    const bounded = withReqs(req("karpenter.k8s.aws/instance-cpu", "Lt", ["65"]));
    const tighter = withReqs(req("karpenter.k8s.aws/instance-cpu", "Lt", ["33"]));
    assert.match(judge([change(bounded, tighter)], { rules })[0]?.message ?? "", /instance-cpu has a tighter bound/);
  });

  test("changed AMI, subnet or security-group terms may replace nodes", () => {
    const before = nodeClass("default");
    const after = nodeClass("default", {
      amiSelectorTerms: [{ alias: "al2023@v20250101" }],
      securityGroupSelectorTerms: [{ id: "sg-0123" }],
    });
    const findings = judge([change(before, after)], { rules });
    assert.deepEqual(summary(findings), [
      "change-impact.conditional-drift warn /spec/amiSelectorTerms",
      "change-impact.conditional-drift warn /spec/securityGroupSelectorTerms",
    ]);
    const ami = findings.find((f) => f.pointer === "/spec/amiSelectorTerms");
    assert.match(
      ami?.message ?? "",
      /may replace, through drift, the nodes of this EC2NodeClass whose AMI is not among/,
    );
  });

  test("reordered terms are the same selection", () => {
    const terms = [{ tags: { a: "1" } }, { id: "subnet-0123" }];
    const before = nodeClass("default", { subnetSelectorTerms: terms });
    const after = nodeClass("default", { subnetSelectorTerms: [...terms].reverse() });
    assert.deepEqual(judge([change(before, after)], { rules }), []);
  });
});

test("every upstream example passes baseline with no denial from the change-impact family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});

test("an upstream example judged against itself as the previous version is no change at all", () => {
  for (const example of upstreamExamples()) {
    const { manifests } = loadManifests(example.text, example.name);
    const findings = judge(
      manifests.map((manifest) => ({ manifest, previous: manifest.original })),
      { rules },
    );
    assert.deepEqual(findings, [], example.name);
  }
});
