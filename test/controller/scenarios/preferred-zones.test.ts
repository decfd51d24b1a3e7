// A Deployment whose pods prefer two zones (preferred node affinity on the pods: the seed guide puts that preference
// on the NodePool, where it is not a field). While the pool's offerings in those zones can launch, every node lands
// there; once both are out of capacity, the preference is relaxed (PREFERENCE_POLICY=Respect) and the pods get
// nodes in the third zone instead of staying pending. Every pod is bound by the world's scheduler. Expected zones
// are the world's subnets' zones (its scenario) and the preference as written; m5.large's 2 vCPUs (the catalog)
// take one 1200m pod each.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { KubeObject } from "../../../sim/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

const ZONE = "topology.kubernetes.io/zone";
let w: ProvisioningWorld;
let zones: string[];

function preferring(preferred: readonly string[]) {
  return {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: [{ key: ZONE, operator: "In", values: preferred }] } },
        ],
      },
    },
  };
}

const zoneOfNode = (name: string | undefined): string | undefined =>
  (w.list("v1", "Node").find((n) => n.metadata?.name === name)?.metadata?.labels as Record<string, string>)?.[ZONE];

const boundZones = (app: string): string[] => w.pods(app).map((p: KubeObject) => zoneOfNode(nodeNameOf(p)) ?? "?");

async function allBound(app: string): Promise<void> {
  await w.runUntil(
    () => w.pods(app).length > 0 && w.pods(app).every((p) => nodeNameOf(p) !== undefined),
    `every ${app} pod bound`,
    10 * 60_000,
  );
}

before(async () => {
  w = await startProvisioningWorld();
  zones = [...new Set(w.world.cloud.scenario.subnets.map((s) => s.zone))].sort();
  assert.ok(zones.length >= 3, `the world has three zones (${zones.join(", ")})`);
  w.create(
    NODE_CLASS,
    nodePool("default", [
      { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
    ]),
  );
});
after(() => w.stop());

test("while the preferred zones have capacity, every node lands in one of them", async () => {
  const preferred = zones.slice(0, 2);
  w.create(deployment("web", 4, { cpu: "1200m", memory: "1Gi" }, preferring(preferred)));
  await allBound("web");
  const placed = boundZones("web");
  assert.equal(new Set(w.pods("web").map(nodeNameOf)).size, 4, "one pod per m5.large");
  for (const zone of placed) assert.ok(preferred.includes(zone), `${zone} is one of ${preferred.join(", ")}`);
  for (const claim of w.list("karpenter.sh/v1", "NodeClaim")) {
    const zone = (claim.metadata?.labels as Record<string, string>)[ZONE] ?? "";
    assert.ok(preferred.includes(zone), `NodeClaim ${claim.metadata?.name} launched in ${zone}`);
  }
});

test("with both preferred zones out of capacity, the preference is relaxed and the pods land in the third", async () => {
  const preferred = zones.slice(0, 2);
  for (const zone of preferred) {
    w.world.cloud.capacity.outOfCapacity({ instanceType: "m5.large", zone, capacityType: "on-demand" });
  }
  w.create(deployment("more", 2, { cpu: "1200m", memory: "1Gi" }, preferring(preferred)));
  await allBound("more");
  assert.deepEqual(boundZones("more"), [zones[2], zones[2]]);
  assert.ok(w.events("InsufficientCapacity").length > 0, "the preferred zones were tried first and ran out");
});
