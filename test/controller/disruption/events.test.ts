// The plan as Events: every node set aside gets its reason on the Node, a pool with consolidation off says so, and a
// dry run reports what it would do — the answer to "why was this node removed, or why not?" in `kubectl describe`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixedClock } from "../../../api/ports.ts";
import { plan, planEvents } from "../../../controller/disruption/index.ts";
import { instanceTypes, nodePool, pod, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";

const TYPES = instanceTypes(["m5.large", "m5.2xlarge"]);
const NOW = new Date("2026-01-05T14:00:00Z");

describe("plan events", () => {
  test("blocked nodes get DisruptionBlocked or Unconsolidatable on the Node; dry runs say what they would do", () => {
    const b = new SnapshotBuilder(TYPES)
      .node("kept", {
        type: "m5.2xlarge",
        pods: [pod({ name: "db-0", annotations: { "karpenter.sh/do-not-disrupt": "true" } })],
      })
      .node("idle", { type: "m5.2xlarge", pool: "batch" });
    const pools = [nodePool("default"), nodePool("batch", { consolidateAfter: "Never" })];
    const events = planEvents(plan(b.snapshot(), { nodePools: pools }, typesByPool(pools, TYPES), fixedClock(NOW)));
    assert.deepEqual(
      events.map((e) => `${e.involved.kind}/${e.involved.name} ${e.reason}: ${e.message}`),
      [
        "Node/idle Unconsolidatable: NodePool batch has consolidation disabled (consolidateAfter: Never)",
        "Node/kept DisruptionBlocked: pod default/db-0 has do-not-disrupt",
      ],
    );
    const dry = new SnapshotBuilder(TYPES).node("big", { type: "m5.2xlarge", pods: [pod({ cpu: "500m" })] });
    const [pool] = pools;
    assert.ok(pool);
    const dryEvents = planEvents(
      plan(dry.snapshot(), { nodePools: [pool] }, typesByPool([pool], TYPES), fixedClock(NOW), { dryRun: true }),
    );
    assert.deepEqual(
      dryEvents.map((e) => `${e.involved.kind}/${e.involved.name} ${e.reason}`),
      ["NodePool/default DisruptionDryRun", "Node/big DisruptionDryRun"],
    );
    assert.match(
      dryEvents[0]?.message ?? "",
      /^would replace big \(m5\.2xlarge on-demand, \$0\.384\/h\) with one m5\.large/,
    );
  });

  test("a desired pool that cannot be read is reported on the NodePool, naming the field", () => {
    const broken = nodePool("broken", {}, { requirements: [{ key: "cpu-count", operator: "Gt", values: ["many"] }] });
    const p = plan(new SnapshotBuilder(TYPES).snapshot(), { nodePools: [broken] }, new Map(), fixedClock(NOW));
    assert.equal(p.problems.length, 1);
    assert.match(p.problems[0] ?? "", /^NodePool broken spec\.template\.spec\.requirements: /);
    assert.deepEqual(
      planEvents(p).map((e) => `${e.involved.kind}/${e.involved.name} ${e.type} ${e.reason}`),
      ["NodePool/broken Warning DisruptionBlocked"],
    );
  });
});
