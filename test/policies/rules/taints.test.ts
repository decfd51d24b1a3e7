import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { judge, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["taints.*"];
// Requirements that allow no GPU types, so only the rule under test speaks.
const cmr = [{ key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] }];
const gpu = [{ key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["g", "p"] }];

function pool(name: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  return nodePool(name, {
    template: { ...(labels ? { metadata: { labels } } : {}), spec: { requirements: cmr, ...spec } },
  });
}

describe("taints.system-isolation", () => {
  const rule = ["taints.system-isolation"];

  test("a workload pool with the system label, a requirement on it and the system taint: three denials", () => {
    const object = pool(
      "batch",
      {
        requirements: [...cmr, { key: "node-role.kubernetes.io/system", operator: "In", values: ["true"] }],
        taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NoExecute" }],
      },
      { "node-role.kubernetes.io/system": "true", team: "data" },
    );
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "taints.system-isolation deny /spec/template/metadata/labels/node-role.kubernetes.io~1system",
      "taints.system-isolation deny /spec/template/spec/requirements/1",
      "taints.system-isolation deny /spec/template/spec/taints/0",
    ]);
    const messages = judge([object], { rules: rule }).map((f) => f.message);
    assert.ok(messages.every((m) => /system/.test(m)));
    assert.match(messages.join("\n"), /every add-on that tolerates it can land on this workload pool's nodes/);
  });

  test("every operator but DoesNotExist makes Karpenter label the node", () => {
    for (const operator of ["Exists", "NotIn"]) {
      const values = operator === "NotIn" ? ["false"] : undefined;
      const object = pool("batch", {
        requirements: [...cmr, { key: "node-role.kubernetes.io/system", operator, ...(values ? { values } : {}) }],
      });
      assert.equal(judge([object], { rules: rule }).length, 1, operator);
    }
    const none = pool("batch", {
      requirements: [...cmr, { key: "node-role.kubernetes.io/system", operator: "DoesNotExist" }],
    });
    assert.deepEqual(judge([none], { rules: rule }), []);
  });

  test("the pool named system (EKS Auto Mode's) may carry them; systemPools names others, with wildcards", () => {
    const labels = { "node-role.kubernetes.io/system": "true" };
    const taints = [{ key: "CriticalAddonsOnly", effect: "NoSchedule" }];
    assert.deepEqual(judge([pool("system", { taints }, labels)], { rules: rule }), []);
    const platform = pool("system-arm", { taints }, labels);
    assert.equal(judge([platform], { rules: rule }).length, 2);
    const settings = { "taints.system-isolation": { params: { systemPools: ["system-*"] } } };
    assert.deepEqual(judge([platform], { rules: rule, settings }), []);
  });

  test("labels and taint patterns are parameters; a pattern's effect and value must match when given", () => {
    const object = pool(
      "web",
      { taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }] },
      { "example.com/infra": "" },
    );
    assert.deepEqual(judge([object], { rules: rule }), []);
    const settings = {
      "taints.system-isolation": {
        params: {
          systemLabels: ["example.com/infra"],
          systemTaints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
        },
      },
    };
    assert.equal(judge([object], { rules: rule, settings }).length, 2);
    const otherEffect = {
      "taints.system-isolation": { params: { systemTaints: [{ key: "dedicated", effect: "NoExecute" }] } },
    };
    assert.deepEqual(judge([object], { rules: rule, settings: otherEffect }), []);
  });

  test("a startup taint is not a lasting system taint", () => {
    const object = pool("batch", { startupTaints: [{ key: "CriticalAddonsOnly", effect: "NoSchedule" }] });
    assert.deepEqual(judge([object], { rules: rule }), []);
  });
});

describe("taints.duplicate", () => {
  const rule = ["taints.duplicate"];

  test("a key and effect repeated in taints and across startupTaints is denied once per repeat", () => {
    const object = pool("a", {
      taints: [
        { key: "example.com/dedicated", value: "a", effect: "NoSchedule" },
        { key: "example.com/dedicated", value: "b", effect: "NoSchedule" },
        { key: "example.com/dedicated", value: "a", effect: "NoExecute" },
      ],
      startupTaints: [{ key: "example.com/dedicated", effect: "NoSchedule" }],
    });
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), [
      "taints.duplicate deny /spec/template/spec/startupTaints/0",
      "taints.duplicate deny /spec/template/spec/taints/1",
    ]);
    assert.match(findings[0]?.message ?? "", /duplicate taint Key\/Effect pair/);
    assert.match(findings[0]?.message ?? "", /launches no nodes/);
  });

  test("the same key with different effects is fine, in both presets", () => {
    const object = pool("a", {
      taints: [{ key: "a", effect: "NoSchedule" }],
      startupTaints: [{ key: "a", effect: "NoExecute" }],
    });
    assert.deepEqual(judge([object], { rules: rule, preset: "strict" }), []);
  });
});

describe("taints.karpenter-owned", () => {
  const rule = ["taints.karpenter-owned"];

  test("karpenter.sh/disrupted and karpenter.sh/unregistered are denied wherever they are listed", () => {
    const object = pool("a", {
      taints: [
        { key: "example.com/team", effect: "NoSchedule" },
        { key: "karpenter.sh/disrupted", effect: "NoSchedule" },
      ],
      startupTaints: [{ key: "karpenter.sh/unregistered", effect: "NoExecute" }],
    });
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), [
      "taints.karpenter-owned deny /spec/template/spec/startupTaints/0",
      "taints.karpenter-owned deny /spec/template/spec/taints/1",
    ]);
    assert.match(findings.map((f) => f.message).join("\n"), /draining/);
    assert.match(findings.map((f) => f.message).join("\n"), /nodes it has not registered yet/);
    assert.match(
      findings.find((f) => f.pointer.includes("/taints/"))?.message ?? "",
      /launches nodes only for pods that tolerate it/,
    );
  });

  test("other karpenter.sh-looking keys and ordinary taints are not Karpenter's", () => {
    const object = pool("a", { taints: [{ key: "karpenter.sh/team", effect: "NoSchedule" }] });
    assert.deepEqual(judge([object], { rules: rule }), []);
  });
});

describe("taints.gpu-untainted", () => {
  const rule = ["taints.gpu-untainted"];

  test("a pool that allows g and p types without a GPU taint warns in baseline and is denied in strict", () => {
    const object = pool("gpu", { requirements: gpu });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "taints.gpu-untainted warn /spec/template/spec/requirements",
    ]);
    assert.deepEqual(summary(judge([object], { rules: rule, preset: "strict" })), [
      "taints.gpu-untainted deny /spec/template/spec/requirements",
    ]);
    const [finding] = judge([object], { rules: rule });
    assert.match(finding?.message ?? "", /GPU instance types \(g[^)]*\d+ in all\)/);
    assert.match(finding?.hint ?? "", /nvidia\.com\/gpu:NoSchedule/);
  });

  test("a NoSchedule or NoExecute taint with a GPU key keeps other pods off; PreferNoSchedule does not", () => {
    for (const effect of ["NoSchedule", "NoExecute"]) {
      const object = pool("gpu", { requirements: gpu, taints: [{ key: "nvidia.com/gpu", value: "true", effect }] });
      assert.deepEqual(judge([object], { rules: rule }), [], effect);
    }
    const prefer = pool("gpu", { requirements: gpu, taints: [{ key: "nvidia.com/gpu", effect: "PreferNoSchedule" }] });
    assert.deepEqual(summary(judge([prefer], { rules: rule })), [
      "taints.gpu-untainted warn /spec/template/spec/taints",
    ]);
  });

  test("gpuTaintKeys names the keys that count", () => {
    const object = pool("gpu", {
      requirements: gpu,
      taints: [{ key: "example.com/accelerated", effect: "NoSchedule" }],
    });
    assert.equal(judge([object], { rules: rule }).length, 1);
    const settings = { "taints.gpu-untainted": { params: { gpuTaintKeys: ["example.com/accelerated"] } } };
    assert.deepEqual(judge([object], { rules: rule, settings }), []);
  });

  test("pools that exclude GPU types are not reported: by category, by gpu-count DoesNotExist, by template label", () => {
    assert.deepEqual(judge([pool("cmr", {})], { rules: rule }), []);
    const noGpu = pool("any", {
      requirements: [{ key: "karpenter.k8s.aws/instance-gpu-count", operator: "DoesNotExist" }],
    });
    assert.deepEqual(judge([noGpu], { rules: rule }), []);
    const labelled = pool("labelled", { requirements: [] }, { "karpenter.k8s.aws/instance-category": "c" });
    assert.deepEqual(judge([labelled], { rules: rule }), []);
  });

  test("a pool with no category restriction can launch GPU types", () => {
    const object = pool("any", { requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] });
    assert.equal(judge([object], { rules: rule }).length, 1);
  });

  test("an AMD-only pool is told to use the AMD key", () => {
    const object = pool("amd", {
      requirements: [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g4ad"] }],
    });
    assert.match(judge([object], { rules: rule })[0]?.hint ?? "", /amd\.com\/gpu:NoSchedule/);
  });
});

test("every upstream example passes baseline with no taints denial", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
