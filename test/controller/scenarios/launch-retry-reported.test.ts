// A launch is reported once, whoever carries it out: the provisioner creates a NodeClaim and its launch fails (EC2
// answers CreateFleet with its InternalError through the SDK's three attempts), the NodeClaim lifecycle tries it again
// after its backoff (5 s, not at the launch timeout: one timer per NodeClaim carries both) and it succeeds. The provisioner reports only a launch its own attempt saw through, so this one
// is the lifecycle's to report — in the same process, not only after a restart — or the status branch never hears
// of it. A launch the provisioner saw through is reported by it alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  deployment,
  NODE_CLASS,
  nodePool,
  ON_DEMAND_M5_LARGE,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld();
  w.create(NODE_CLASS, nodePool("default", ON_DEMAND_M5_LARGE));
});
after(() => w.stop());

/** Every report of each NodeClaim's launch: the provisioner's and the lifecycle's. */
function provisionedReports(): Map<string, string[]> {
  const reports = new Map<string, string[]>();
  const add = (name: string, by: string) => reports.set(name, [...(reports.get(name) ?? []), by]);
  for (const event of w.status) if (event.kind === "provisioned") add(event.node, "provisioner");
  for (const event of w.nodeClaimStatus as { kind: string; node?: string }[]) {
    if (event.kind === "provisioned") add(event.node ?? "", "lifecycle");
  }
  return reports;
}

const launched = () =>
  w
    .list("karpenter.sh/v1", "NodeClaim")
    .filter((c) => (c.status as { providerID?: string } | undefined)?.providerID !== undefined)
    .map((c) => String(c.metadata?.name));

test("a launch the lifecycle retried after the provisioner's attempt failed is reported once, by the lifecycle", async () => {
  // One launch attempt's worth of CreateFleet calls fails: the SDK's standard strategy makes three.
  w.world.cloud.faults.outage("ec2", 3, "CreateFleet");
  w.create(deployment("first", 1, { cpu: "1500m", memory: "512Mi" }));
  await w.runUntil(() => launched().length === 1, "the NodeClaim launched on a retry", 60_000, 1_000);
  const [name] = launched();
  const claims = w.list("karpenter.sh/v1", "NodeClaim");
  assert.equal(claims.length, 1, "the pod's one NodeClaim, launched on the lifecycle's retry");
  assert.equal(w.fleets.length, 2, "two launch attempts: the provisioner's failed, the lifecycle's");
  assert.deepEqual(Object.fromEntries(provisionedReports()), { [String(name)]: ["lifecycle"] });
  // The same process launched it: its report must not claim a restart the reader would look for in the logs.
  const reason = (w.nodeClaimStatus as { kind: string; reason?: string }[]).find(
    (e) => e.kind === "provisioned",
  )?.reason;
  assert.match(String(reason), /by the NodeClaim lifecycle/);
  assert.doesNotMatch(String(reason), /restart/);
});

test("a launch the provisioner saw through is reported once, by the provisioner", async () => {
  const before = new Set(launched());
  w.create(deployment("second", 1, { cpu: "1500m", memory: "512Mi" }));
  await w.runUntil(() => launched().length === before.size + 1, "the second NodeClaim launched", 60_000, 1_000);
  const name = launched().find((n) => !before.has(n));
  assert.deepEqual(provisionedReports().get(String(name)), ["provisioner"]);
});
