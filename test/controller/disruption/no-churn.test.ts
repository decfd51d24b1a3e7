// The no-churn property on random clusters: plans applied to a fixed point (each pass's command carried out as the
// executor and the world would, time moving on a minute a pass) never undo an earlier command. Checked on every
// pass: the cluster's $/h falls by exactly the command's saving, which is positive; no node replaced by one of
// another type is turned back by a later replacement; no pod moves back to a node it left; no pod is lost; the
// passes end, and at the fixed point a further plan, even an hour later, proposes nothing. (A pod may still move
// twice, first onto a node that a later command consolidates: see docs/disruption.md.)
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodePool, Pod } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { type DisruptionCommand, plan } from "../../../controller/disruption/index.ts";
import { ClusterModel, instanceTypes, nodePool, pod, typesByPool } from "../../support/disruption-cluster.ts";
import { seededRandom } from "../../support/json-mutation.ts";

const NAMES = ["m5.large", "m5.xlarge", "m5.2xlarge", "c5.large", "c5.xlarge", "r5.large", "m5a.large", "t3.medium"];
const TYPES = instanceTypes(NAMES);
const START = new Date("2026-01-05T12:00:00Z");
const SEEDS = 40;

function randomCluster(seed: number): { model: ClusterModel; pool: NodePool } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const policy = pick(["WhenEmptyOrUnderutilized", "Balanced", "WhenEmptyOrUnderutilized"]);
  const budgets = [{ nodes: pick(["10%", "50%", "100%", "2"]) }];
  const pool = nodePool("default", { consolidationPolicy: policy, budgets });
  const model = new ClusterModel();
  const nodes = 3 + Math.floor(random() * 10);
  for (let i = 0; i < nodes; i++) {
    const type = pick(NAMES);
    const cpu = String(TYPES.find((t) => t.name === type)?.allocatable()["cpu"] ?? "0");
    const room = cpu.endsWith("m") ? Number.parseInt(cpu, 10) : Number.parseFloat(cpu) * 1000;
    const pods: Pod[] = [];
    let used = 0;
    const count = Math.floor(random() * 7);
    for (let j = 0; j < count; j++) {
      const request = pick([100, 250, 500, 1000]);
      if (used + request > room) break;
      used += request;
      pods.push(pod({ cpu: `${request}m`, memory: pick(["128Mi", "512Mi", "1Gi"]), name: `s${seed}-n${i}-p${j}` }));
    }
    model.add(`n${String(i).padStart(2, "0")}`, { type, pods });
  }
  return { model, pool };
}

function cost(model: ClusterModel): number {
  let total = 0;
  for (const n of model.nodes.values()) total += TYPES.find((t) => t.name === n.type)?.offerings.items[0]?.price ?? 0;
  return total;
}

/** Each pod's node. */
function hosts(model: ClusterModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, n] of model.nodes) for (const p of n.pods ?? []) out.set(p.metadata.name ?? "", name);
  return out;
}

describe("no churn: plans applied to a fixed point undo nothing", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    test(`random cluster ${seed}`, () => {
      const { model, pool } = randomCluster(seed);
      const types = typesByPool([pool], TYPES);
      const podCount = hosts(model).size;
      const turned = new Set<string>();
      const history = new Map<string, string[]>([...hosts(model)].map(([p, t]) => [p, [t]]));
      let now = START;
      let passes = 0;
      const limit = model.nodes.size * 3 + 5;
      for (;;) {
        const p = plan(model.builder(TYPES).snapshot(), { nodePools: [pool] }, types, fixedClock(now));
        const command: DisruptionCommand | undefined = p.commands[0];
        if (command === undefined) break;
        passes += 1;
        assert.ok(passes <= limit, `no fixed point after ${limit} passes`);
        assert.ok(command.savingsPerHour > 0, `${command.message} saves nothing`);
        const before = cost(model);
        const from = command.candidates.map((c) => c.instanceType ?? "");
        // A node replaced by one of another type is never turned back; multi-node merges (several nodes into one)
        // are not replacements of a type and are left out (a budget of 2 merges pairs pass by pass).
        for (const r of command.candidates.length === 1 ? command.replacements : []) {
          const to = r.instanceTypes[0] ?? "";
          for (const f of from) {
            assert.ok(!turned.has(`${to}->${f}`), `${f} → ${to} undoes an earlier ${to} → ${f}`);
            turned.add(`${f}->${to}`);
          }
        }
        model.apply(command, TYPES, [pool], now);
        assert.ok(
          Math.abs(before - cost(model) - command.savingsPerHour) < 1e-9,
          `${command.message}: $/h fell by the saving`,
        );
        for (const [podName, type] of hosts(model)) {
          const seen = history.get(podName) ?? [];
          if (seen[seen.length - 1] !== type) seen.push(type);
          const n = seen.length;
          assert.ok(
            !(n >= 3 && seen[n - 1] === seen[n - 3]),
            `pod ${podName} moved back and forth: ${seen.join(" → ")}`,
          );
          history.set(podName, seen);
        }
        assert.equal(hosts(model).size, podCount, "no pod lost");
        now = new Date(now.getTime() + 60_000);
      }
      const later = new Date(now.getTime() + 3_600_000);
      assert.deepEqual(
        plan(model.builder(TYPES).snapshot(), { nodePools: [pool] }, types, fixedClock(later)).commands,
        [],
      );
    });
  }
});
