import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { judge, nodeClass, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["references.*"];
const ref = (name: string, group = "karpenter.k8s.aws", kind = "EC2NodeClass") => ({
  template: { spec: { nodeClassRef: { group, kind, name } } },
});
const requirement = (key: string, operator: string, values?: string[]) => ({
  key,
  operator,
  ...(values ? { values } : {}),
});
const pool = (name: string, spec: Record<string, unknown>) => nodePool(name, spec);

describe("references.node-class", () => {
  test("a reference to a class missing from a bundle that holds classes is denied, with a suggestion", () => {
    const findings = judge([nodePool("a", ref("defualt")), nodeClass("default")], { rules });
    assert.deepEqual(summary(findings), ["references.node-class deny /spec/template/spec/nodeClassRef/name"]);
    assert.match(
      findings[0]?.message ?? "",
      /names EC2NodeClass "defualt", which is not among the EC2NodeClasses in scope \(default\)/,
    );
    assert.equal(findings[0]?.hint, 'did you mean "default"?');
  });

  test("a bundle without any EC2NodeClass cannot know the cluster's classes: nothing is said", () => {
    assert.deepEqual(judge([nodePool("a", ref("missing"))], { rules }), []);
  });

  test("in the webhook the cluster's view completes the scope", () => {
    const cluster = { nodePools: [], nodeClasses: [nodeClass("default")] };
    assert.deepEqual(judge([nodePool("a", ref("default"))], { rules, cluster }), []);
    assert.deepEqual(summary(judge([nodePool("a", ref("gpu"))], { rules, cluster })), [
      "references.node-class deny /spec/template/spec/nodeClassRef/name",
    ]);
  });

  test("a reference to a class of the bundle passes", () => {
    assert.deepEqual(judge([nodePool("a", ref("default")), nodeClass("default")], { rules }), []);
  });
});

describe("references.foreign-node-class", () => {
  test("another group or kind is ignored by the AWS provider: warned, denied in strict", () => {
    const object = nodePool("a", ref("default", "karpenter.azure.com", "AKSNodeClass"));
    assert.deepEqual(summary(judge([object, nodeClass("default")], { rules })), [
      "references.foreign-node-class warn /spec/template/spec/nodeClassRef/group",
    ]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "references.foreign-node-class deny /spec/template/spec/nodeClassRef/group",
    ]);
  });

  test("a near-miss kind is pointed at, with the fix", () => {
    const findings = judge([nodePool("a", ref("default", "karpenter.k8s.aws", "Ec2NodeClas"))], { rules });
    assert.deepEqual(summary(findings), ["references.foreign-node-class warn /spec/template/spec/nodeClassRef/kind"]);
    assert.match(findings[0]?.hint ?? "", /did you mean group karpenter\.k8s\.aws, kind EC2NodeClass/);
  });
});

describe("references.ambiguous-weight", () => {
  const amd64 = requirement("kubernetes.io/arch", "In", ["amd64"]);
  const arm64 = requirement("kubernetes.io/arch", "In", ["arm64"]);

  test("two pools of equal weight with overlapping requirements: reported once, on the one whose name wins", () => {
    const findings = judge(
      [
        pool("general", { template: { spec: { requirements: [amd64] } } }),
        pool("spot", {
          template: { spec: { requirements: [amd64, requirement("karpenter.sh/capacity-type", "In", ["spot"])] } },
        }),
      ],
      { rules },
    );
    assert.deepEqual(
      findings.map((f) => `${f.object.name} ${f.rule} ${f.severity} ${f.pointer}`),
      ["spot references.ambiguous-weight warn /spec/template/spec/requirements"],
    );
    assert.match(findings[0]?.message ?? "", /both have weight 0 .* always tries "spot" first/);
  });

  test("the finding points at spec.weight when it is written", () => {
    const findings = judge([pool("a", { weight: 10 }), pool("b", { weight: 10 })], { rules });
    assert.deepEqual(summary(findings), ["references.ambiguous-weight warn /spec/weight"]);
  });

  test("different weights, disjoint requirements, different taints or a static pool: nothing to say", () => {
    const cases = [
      [pool("a", { weight: 10 }), pool("b", { weight: 20 })],
      [
        pool("a", { template: { spec: { requirements: [amd64] } } }),
        pool("b", { template: { spec: { requirements: [arm64] } } }),
      ],
      [
        pool("a", {}),
        pool("gpu", {
          template: { spec: { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] } },
        }),
      ],
      [pool("a", {}), pool("b", { replicas: 3 })],
    ];
    for (const objects of cases) assert.deepEqual(judge(objects, { rules }), []);
  });

  test("template labels count as requirements, as Karpenter layers them", () => {
    const objects = [
      pool("a", { template: { metadata: { labels: { team: "payments" } } } }),
      pool("b", { template: { metadata: { labels: { team: "search" } } } }),
    ];
    assert.deepEqual(judge(objects, { rules }), []);
  });

  test("requirements on different keys that leave no instance type in common do not overlap", () => {
    const objects = [
      pool("a", {
        template: { spec: { requirements: [requirement("karpenter.k8s.aws/instance-category", "In", ["c"])] } },
      }),
      pool("b", {
        template: { spec: { requirements: [requirement("karpenter.k8s.aws/instance-family", "In", ["m5"])] } },
      }),
    ];
    assert.deepEqual(judge(objects, { rules }), []);
  });

  test("overlapping pools: one finding per pool, naming the pools it wins against", () => {
    const findings = judge([pool("a", {}), pool("b", {}), pool("c", {})], { rules });
    assert.deepEqual(findings.map((f) => f.object.name).sort(), ["b", "c"]);
    assert.match(
      findings.find((f) => f.object.name === "c")?.message ?? "",
      /^NodePool "c" and "a", "b" all have weight 0/,
    );
    const many = judge(
      ["p1", "p2", "p3", "p4", "p5", "p6"].map((n) => pool(n, {})),
      { rules },
    );
    assert.equal(many.length, 5);
    assert.match(many.find((f) => f.object.name === "p6")?.message ?? "", /"p1", "p2", "p3" and 2 more all have/);
  });

  test("a pool that fails validation is neither judged nor weighed as a rival: its schema findings say why", () => {
    // `values: 1.5` is not a list (the CRD's type): the API server would not have this pool at all.
    const broken = pool("a", { template: { spec: { requirements: [{ ...amd64, values: 1.5 }] } } });
    const findings = judge([broken, pool("b", { template: { spec: { requirements: [amd64] } } })], {
      rules: [...rules, "policy.*", "schema.structural"],
    });
    assert.deepEqual(summary(findings), ["schema.structural deny /spec/template/spec/requirements/0/values"]);
  });
});

test("every upstream example passes baseline with no denial from the references family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
