// Disruption's metrics from plans and command outcomes, read back through prom-client's registry. Expected values:
// Karpenter's metric names and label values (its metrics reference: reasons lowercase, decisions delete / replace,
// consolidation types multi / single, MaxInt32 = 2147483647 allowed when no budget is active) and its budget
// arithmetic (FACTS.md §b: ceil(11 × 10 %) = 2, disrupting nodes subtracted).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { fixedClock } from "../../../api/ports.ts";
import {
  createDisruptionMetrics,
  type DisruptionCommand,
  plan,
  recordExecution,
  recordPlan,
} from "../../../controller/disruption/index.ts";
import { instanceTypes, nodePool, pod, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";

const SATURDAY = new Date("2026-01-10T10:00:00Z");
const TYPES = instanceTypes(["m5.large", "m5.xlarge", "m5.2xlarge"]);

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [
      Object.entries(v.labels)
        .map(([k, l]) => `${k}=${String(l)}`)
        .join(","),
      v.value,
    ]),
  );
}

describe("disruption metrics", () => {
  test("allowed disruptions and nodes consuming budgets per pool and reason; eligible nodes per reason", async () => {
    // 11 empty nodes, one already disrupting; 10% for Empty and Underutilized, no budget for Drifted outside a window.
    const b = new SnapshotBuilder(TYPES);
    for (let i = 0; i < 11; i++) {
      b.node(`n${i}`, { type: "m5.large", ...(i === 0 ? { disruptionReason: "Underutilized" } : {}) });
    }
    const pool = nodePool("default", {
      budgets: [
        { nodes: "10%", reasons: ["Empty", "Underutilized"] },
        { nodes: "0", reasons: ["Drifted"], schedule: "0 9 * * 1-5", duration: "8h" },
      ],
    });
    const registry = new Registry();
    const metrics = createDisruptionMetrics(registry);
    recordPlan(metrics, plan(b.snapshot(), { nodePools: [pool] }, typesByPool([pool], TYPES), fixedClock(SATURDAY)));
    assert.deepEqual(await values(registry, "poolkeeper_nodepools_allowed_disruptions"), {
      "nodepool=default,reason=empty": 1,
      "nodepool=default,reason=drifted": 2147483647,
      "nodepool=default,reason=underutilized": 1,
    });
    assert.deepEqual(await values(registry, "poolkeeper_nodepools_nodes_consuming_budgets"), {
      "nodepool=default,reason=empty": 1,
      "nodepool=default,reason=drifted": 1,
      "nodepool=default,reason=underutilized": 1,
    });
    // Ten empty candidates (the disrupting one is none); none drifted or under-used.
    assert.deepEqual(await values(registry, "poolkeeper_voluntary_disruption_eligible_nodes"), {
      "reason=empty": 10,
      "reason=drifted": 0,
      "reason=underutilized": 0,
    });
  });

  test("decisions by decision, reason and consolidation type; failed validations; dry runs not counted", async () => {
    const b = new SnapshotBuilder(TYPES).node("big", { type: "m5.2xlarge", pods: [pod({ cpu: "500m" })] });
    const pool = nodePool("default");
    const [replace] = plan(b.snapshot(), { nodePools: [pool] }, typesByPool([pool], TYPES), fixedClock(SATURDAY))
      .commands as DisruptionCommand[];
    assert.ok(replace);
    assert.equal(replace.method, "single-node-consolidation");
    const registry = new Registry();
    const metrics = createDisruptionMetrics(registry);
    recordExecution(metrics, { outcome: "done", command: replace, replacements: ["r"] });
    recordExecution(metrics, { outcome: "rolled-back", command: replace, why: "launch failed" });
    recordExecution(metrics, { outcome: "invalidated", command: replace, why: "pod churn" });
    recordExecution(metrics, { outcome: "dry-run", command: { ...replace, dryRun: true } });
    const empty = { ...replace, method: "emptiness", reason: "Empty", replacements: [] } as DisruptionCommand;
    recordExecution(metrics, { outcome: "done", command: empty, replacements: [] });
    assert.deepEqual(await values(registry, "poolkeeper_voluntary_disruption_decisions_total"), {
      "decision=replace,reason=underutilized,consolidation_type=single": 2,
      "decision=delete,reason=empty,consolidation_type=": 1,
    });
    assert.deepEqual(await values(registry, "poolkeeper_voluntary_disruption_decisions_by_nodepool_total"), {
      "decision=replace,reason=underutilized,consolidation_type=single,nodepool=default": 2,
      "decision=delete,reason=empty,consolidation_type=,nodepool=default": 1,
    });
    assert.deepEqual(await values(registry, "poolkeeper_voluntary_disruption_failed_validations_total"), {
      "consolidation_type=single": 1,
    });
  });
});
