import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultCatalog } from "../../../cloudprovider/catalog/catalog.ts";
import { applyFix, judge, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["limits.*"];
const m5 = [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m5"] }];
const only = (...names: string[]) => [{ key: "node.kubernetes.io/instance-type", operator: "In", values: names }];

function pool(name: string, limits: Record<string, unknown> | undefined, requirements: unknown[] = m5, extra = {}) {
  return nodePool(name, { ...(limits ? { limits } : {}), ...extra, template: { spec: { requirements } } });
}

const price = (name: string) => defaultCatalog().byName(name)?.onDemandUsd ?? NaN;

test("a pool with cpu and memory limits that fit its instance types passes in both presets", () => {
  const object = pool("a", { cpu: 100, memory: "400Gi" });
  assert.deepEqual(judge([object], { rules }), []);
  assert.deepEqual(judge([object], { rules, preset: "strict" }), []);
});

describe("limits.required", () => {
  test("no limits: a warning in baseline, a denial in strict, with the unbounded-growth consequence", () => {
    const object = pool("a", undefined);
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["limits.required warn /spec/limits"]);
    assert.match(findings[0]?.message ?? "", /sets no cpu or memory limit, so it can grow without bound/);
    assert.equal(findings[0]?.patch, undefined);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), ["limits.required deny /spec/limits"]);
  });

  test("one of cpu and memory is enough by default; requireAll asks for both", () => {
    const object = pool("a", { cpu: 100 });
    assert.deepEqual(judge([object], { rules }), []);
    const settings = { "limits.required": { params: { requireAll: true } } };
    const findings = judge([object], { rules, settings });
    assert.deepEqual(summary(findings), ["limits.required warn /spec/limits"]);
    assert.match(findings[0]?.message ?? "", /sets no memory limit/);
  });

  test("a nodes limit alone bounds the count, not the size, and the message says how large a node can be", () => {
    const findings = judge([pool("a", { nodes: 10 })], { rules });
    assert.match(
      findings[0]?.message ?? "",
      /limits\.nodes 10 bounds only the node count, and a node may have up to 96 vCPUs \(m5\.24xlarge\)/,
    );
  });

  test("static pools, which may only set limits.nodes, are not reported", () => {
    assert.deepEqual(judge([pool("a", undefined, m5, { replicas: 3 })], { rules }), []);
  });
});

describe("limits.unreachable", () => {
  test("cpu 1000m and memory 1000 are below the smallest m5: denied in baseline, naming the type and the unit slip", () => {
    const findings = judge([pool("a", { cpu: "1000m", memory: "1000" })], { rules });
    assert.deepEqual(summary(findings), [
      "limits.unreachable deny /spec/limits/cpu",
      "limits.unreachable deny /spec/limits/memory",
    ]);
    const [cpu, memory] = findings;
    assert.match(
      cpu?.message ?? "",
      /limits\.cpu is 1000m \(1 vCPU\), but the smallest instance type .* m5\.large, has 2 vCPUs/,
    );
    assert.match(cpu?.message ?? "", /this NodePool can never launch a node/);
    assert.match(cpu?.hint ?? "", /"m" means thousandths of a vCPU.*did you mean 1000\?/);
    // Karpenter counts capacity: 8192 MiB less the 7.5% VM overhead.
    assert.match(memory?.message ?? "", /1,000 bytes.*7,577 MiB of memory capacity as Karpenter counts it/);
    assert.match(memory?.hint ?? "", /did you mean 1000Gi\?/);
  });

  test("a limit equal to the smallest type's capacity fits; one unit less does not", () => {
    assert.deepEqual(judge([pool("a", { cpu: 2, memory: "7577Mi" })], { rules }), []);
    assert.deepEqual(summary(judge([pool("a", { cpu: 2, memory: "7576Mi" })], { rules })), [
      "limits.unreachable deny /spec/limits/memory",
    ]);
  });

  test("a GPU limit blocks only a pool whose every type has more GPUs", () => {
    const gpuOnly = pool("a", { cpu: 100, memory: "1000Gi", "nvidia.com/gpu": 2 }, only("g5.12xlarge"));
    const findings = judge([gpuOnly], { rules });
    assert.deepEqual(summary(findings), ["limits.unreachable deny /spec/limits/nvidia.com~1gpu"]);
    assert.match(findings[0]?.message ?? "", /has at least 4 nvidia\.com\/gpu \(smallest: g5\.12xlarge\)/);
    const mixed = pool("a", { cpu: 100, memory: "1000Gi", "nvidia.com/gpu": 2 }, only("g5.12xlarge", "m5.large"));
    assert.deepEqual(judge([mixed], { rules }), []);
  });

  test("limits that each fit some type but no type at once: one denial on spec.limits", () => {
    const findings = judge([pool("a", { cpu: 3, memory: "10Gi" }, only("r5.large", "c5.xlarge"))], { rules });
    assert.deepEqual(summary(findings), ["limits.unreachable deny /spec/limits"]);
    assert.match(findings[0]?.message ?? "", /fits within all of its limits at once \(cpu: 3, memory: 10Gi\)/);
  });

  test("nodes below one, and a pool whose requirements match nothing is left to instance-types.none-match", () => {
    assert.deepEqual(summary(judge([pool("a", { cpu: 10, nodes: "500m" })], { rules })), [
      "limits.unreachable deny /spec/limits/nodes",
    ]);
    const none = pool("a", { cpu: "1000m" }, [
      { key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["4096"] },
    ]);
    assert.deepEqual(judge([none], { rules: ["limits.unreachable"] }), []);
  });

  test("resources the catalog cannot size (pods, ephemeral-storage) are not judged", () => {
    assert.deepEqual(judge([pool("a", { cpu: 100, pods: 1, "ephemeral-storage": "1Gi" })], { rules }), []);
  });
});

describe("limits.zero", () => {
  test("cpu 0 pauses the pool: a warning in both presets, not a denial", () => {
    const object = pool("a", { cpu: 0, memory: "100Gi" });
    assert.deepEqual(summary(judge([object], { rules })), ["limits.zero warn /spec/limits/cpu"]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), ["limits.zero warn /spec/limits/cpu"]);
    assert.match(judge([object], { rules })[0]?.message ?? "", /launches no node .* paused on purpose/);
  });

  test("nvidia.com/gpu 0 on a pool with non-GPU types only keeps GPU types out", () => {
    assert.deepEqual(judge([pool("a", { cpu: 100, "nvidia.com/gpu": 0 }, [])], { rules }), []);
    assert.deepEqual(summary(judge([pool("a", { cpu: 100, "nvidia.com/gpu": 0 }, only("g5.xlarge"))], { rules })), [
      "limits.zero warn /spec/limits/nvidia.com~1gpu",
    ]);
  });
});

describe("limits.unit-mix", () => {
  test("a binary suffix on cpu: warned, with the value probably meant", () => {
    const findings = judge([pool("a", { cpu: "100Gi", memory: "400Gi" })], { rules, preset: "strict" });
    assert.deepEqual(summary(findings), ["limits.unit-mix warn /spec/limits/cpu"]);
    assert.match(findings[0]?.message ?? "", /100Gi is 107,374,182,400/);
    assert.equal(findings[0]?.hint, "did you mean 100?");
  });

  test("decimal memory suffixes and cpu in millicores that fit are not reported", () => {
    assert.deepEqual(judge([pool("a", { cpu: "4000m", memory: "64G" })], { rules }), []);
  });

  test("a slip that makes the limit unreachable is reported once, by limits.unreachable", () => {
    assert.deepEqual(summary(judge([pool("a", { cpu: 10, memory: "512m" })], { rules })), [
      "limits.unreachable deny /spec/limits/memory",
    ]);
  });

  test("when the instance types are unknown, the slip is still reported here", () => {
    const unknown = [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m99.large"] }];
    const findings = judge([pool("a", { cpu: 10, memory: "1000" }, unknown)], { rules });
    assert.deepEqual(summary(findings), ["limits.unit-mix warn /spec/limits/memory"]);
    assert.match(findings[0]?.message ?? "", /without a suffix is in bytes, so 1000 is 1,000 bytes/);
  });
});

describe("limits.max-per-pool", () => {
  const settings = { "limits.max-per-pool": { params: { cpu: 1000, memory: "4000Gi" } } };

  test("off until a policy sets a maximum", () => {
    assert.deepEqual(judge([pool("a", { cpu: 100000 })], { rules: ["limits.max-per-pool"] }), []);
  });

  test("a limit above the maximum is denied, and the patch lowers it to the maximum", () => {
    const object = pool("a", { cpu: 2000, memory: "100Gi" });
    const findings = judge([object], { rules, settings });
    assert.deepEqual(summary(findings), ["limits.max-per-pool deny /spec/limits/cpu"]);
    assert.match(findings[0]?.message ?? "", /has limits\.cpu 2000, above the maximum of 1000 per NodePool/);
    assert.deepEqual(judge([applyFix(object, findings[0])], { rules, settings }), []);
  });

  test("missing limits are unbounded; applying every finding's patch in turn gives a compliant pool", () => {
    const object = pool("a", undefined);
    const findings = judge([object], { rules: ["limits.max-per-pool"], settings });
    assert.deepEqual(summary(findings), [
      "limits.max-per-pool deny /spec/limits/cpu",
      "limits.max-per-pool deny /spec/limits/memory",
    ]);
    assert.match(findings[0]?.message ?? "", /no cpu limit, so its CPU is unbounded/);
    const fixed = findings.reduce((o, f) => applyFix(o, f), object);
    assert.deepEqual((fixed.spec as { limits?: unknown }).limits, { cpu: 1000, memory: "4000Gi" });
    assert.deepEqual(judge([fixed], { rules, settings }), []);
  });

  test("static pools are judged on their node count, without a patch", () => {
    const nodes = { "limits.max-per-pool": { params: { nodes: 5 } } };
    const findings = judge([pool("a", undefined, m5, { replicas: 8 })], { rules, settings: nodes });
    assert.deepEqual(summary(findings), ["limits.max-per-pool deny /spec/limits/nodes"]);
    assert.match(findings[0]?.message ?? "", /can have 8 nodes/);
    assert.equal(findings[0]?.patch, undefined);
    assert.deepEqual(judge([pool("a", { nodes: 4 }, m5, { replicas: 8 })], { rules, settings: nodes }), []);
  });
});

describe("limits.cluster-total", () => {
  const settings = { "limits.cluster-total": { params: { cpu: 1500 } } };
  const rule = ["limits.cluster-total"];

  test("the pools' limits add up above the total: one warning, on the first pool", () => {
    const findings = judge([pool("a", { cpu: 1000 }), pool("b", { cpu: 1000 })], { rules: rule, settings });
    assert.deepEqual(
      findings.map((f) => `${f.object.name} ${f.severity} ${f.pointer}`),
      ["a warn /spec/limits/cpu"],
    );
    assert.match(findings[0]?.message ?? "", /add up to 2000 \(a: 1000, b: 1000\), above the cluster total of 1500/);
    assert.deepEqual(judge([pool("a", { cpu: 1000 }), pool("b", { cpu: 500 })], { rules: rule, settings }), []);
  });

  test("a pool without a limit makes the total unbounded", () => {
    const findings = judge([pool("a", { cpu: 10 }), pool("b", { memory: "10Gi" })], { rules: rule, settings });
    assert.match(
      findings[0]?.message ?? "",
      /NodePool b sets no cpu limit, so the total CPU of the NodePools in scope is unbounded/,
    );
  });

  test("in the webhook the pool being admitted carries the finding; the cluster's copy of it is replaced", () => {
    const cluster = { nodePools: [pool("a", { cpu: 100 }), pool("z", { cpu: 1000 })], nodeClasses: [] };
    const findings = judge([pool("a", { cpu: 900 })], { rules: rule, settings, cluster });
    assert.deepEqual(
      findings.map((f) => f.object.name),
      ["a"],
    );
    assert.match(findings[0]?.message ?? "", /add up to 1900 \(a: 900, z: 1000\)/);
  });

  test("a static pool counts its replicas times its largest instance type", () => {
    const nodes = { "limits.cluster-total": { params: { cpu: 100 } } };
    const findings = judge(
      [pool("a", { cpu: 10 }), pool("s", undefined, only("m5.xlarge", "m5.2xlarge"), { replicas: 12 })],
      {
        rules: rule,
        settings: nodes,
      },
    );
    assert.match(findings[0]?.message ?? "", /add up to 106 \(a: 10, s: 96\)/);
  });
});

describe("limits.max-hourly-cost", () => {
  const rule = ["limits.max-hourly-cost"];
  const cost = (max: number) => ({ "limits.max-hourly-cost": { params: { maxHourlyCost: max } } });

  test("off until a policy sets a budget", () => {
    assert.deepEqual(judge([pool("a", { cpu: 100000 })], { rules: rule }), []);
  });

  test("the tightest of the limits' worst cases: 3 nodes of m5.large cost less than 10 vCPUs of it", () => {
    const object = pool("a", { cpu: 10, nodes: 3 }, only("m5.large"));
    const worst = 3 * price("m5.large");
    assert.deepEqual(judge([object], { rules: rule, settings: cost(worst + 0.01) }), []);
    const findings = judge([object], { rules: rule, settings: cost(worst - 0.01) });
    assert.deepEqual(summary(findings), ["limits.max-hourly-cost warn /spec/limits/nodes"]);
    assert.match(
      findings[0]?.message ?? "",
      /filled to 3 nodes .* \(m5\.large, \$0\.10 an hour on demand\), this NodePool can cost up to \$0\.29 an hour/,
    );
    assert.deepEqual(summary(judge([object], { rules: rule, settings: cost(0.2), preset: "strict" })), [
      "limits.max-hourly-cost deny /spec/limits/nodes",
    ]);
  });

  test("per vCPU, the type that costs the most per vCPU sets the bound", () => {
    const object = pool("a", { cpu: 100 }, only("m5.large", "g5.xlarge"));
    const findings = judge([object], { rules: rule, settings: cost(1) });
    const perVcpu = price("g5.xlarge") / 4;
    assert.match(findings[0]?.message ?? "", new RegExp(`g5\\.xlarge.*up to \\$${(100 * perVcpu).toFixed(2)} an hour`));
  });

  test("no cpu, memory or nodes limit: unbounded", () => {
    const findings = judge([pool("a", undefined)], { rules: rule, settings: cost(100) });
    assert.match(findings[0]?.message ?? "", /nothing bounds its hourly cost/);
  });
});

test("every upstream example passes baseline with no denial from the limits family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});

describe("limits.hourly-cost-annotation and limits.hourly-cost-annotation-scope", () => {
  const rule = ["limits.hourly-cost-annotation", "limits.hourly-cost-annotation-scope"];
  const capped = (value: unknown) => {
    const object = pool("a", { cpu: 100 });
    (object.metadata as Record<string, unknown>).annotations = { "poolkeeper.dev/max-hourly-cost": value };
    return object;
  };
  const pointer = "/metadata/annotations/poolkeeper.dev~1max-hourly-cost";

  test("a price: only the reminder that Karpenter ignores it, a warning in both presets", () => {
    const findings = judge([capped("12.50")], { rules: rule });
    assert.deepEqual(summary(findings), [`limits.hourly-cost-annotation-scope warn ${pointer}`]);
    assert.match(findings[0]?.message ?? "", /^caps the pool at \$12\.50 an hour only when poolkeeper run provisions/);
    assert.deepEqual(summary(judge([capped("12.50")], { rules: rule, preset: "strict" })), [
      `limits.hourly-cost-annotation-scope warn ${pointer}`,
    ]);
  });

  test("not a number of dollars: denied in both presets, saying the pool would provision nothing", () => {
    for (const value of ["$12", "12,50", "ten", 12]) {
      const findings = judge([capped(value)], { rules: rule });
      assert.deepEqual(summary(findings), [`limits.hourly-cost-annotation deny ${pointer}`], String(value));
      assert.match(
        findings[0]?.message ?? "",
        /is not a number of USD per hour, so poolkeeper run skips this NodePool/,
      );
    }
  });

  test("no annotation, nothing said", () => {
    assert.deepEqual(judge([pool("a", { cpu: 100 })], { rules: rule }), []);
  });
});
