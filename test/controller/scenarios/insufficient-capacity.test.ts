// Insufficient capacity in the simulated EC2: the cheapest spot offering out of capacity makes the fleet fall back
// to the next and the provider mark the offering unavailable, so for 3 minutes no fleet request names it; after
// that it is asked for again. When every spot offering is out, a pool that allows on-demand falls back to it and a
// spot-only pool's pods stay pending with the explanation as a FailedScheduling event, which says when the offerings
// come back. Expected zones come from the simulator's spot prices as the SDK reads them (DescribeSpotPriceHistory),
// not from the provider; the time from the ICE Event's timestamp and Karpenter's 3-minute UnavailableOfferingsTTL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeSpotPriceHistoryCommand, EC2Client, type _InstanceType } from "@aws-sdk/client-ec2";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
let ec2: EC2Client;
before(async () => {
  w = await startProvisioningWorld();
  ec2 = new EC2Client({
    endpoint: w.aws.endpoint,
    region: "us-west-2",
    credentials: { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" },
  });
  const only = (type: string, capacityTypes: string[]) => [
    { key: "node.kubernetes.io/instance-type", operator: "In" as const, values: [type] },
    { key: "karpenter.sh/capacity-type", operator: "In" as const, values: capacityTypes },
  ];
  w.create(
    NODE_CLASS,
    nodePool("spot", only("m5.large", ["spot"])),
    nodePool("flex", only("c5.large", ["spot", "on-demand"])),
    nodePool("strict", only("c5.large", ["spot"])),
  );
});
after(async () => {
  ec2.destroy();
  await w.stop();
});

/** Zones by the current spot price of the type, cheapest first. */
async function zonesByPrice(instanceType: _InstanceType): Promise<string[]> {
  const history = await ec2.send(
    new DescribeSpotPriceHistoryCommand({
      InstanceTypes: [instanceType],
      ProductDescriptions: ["Linux/UNIX"],
      StartTime: w.clock.now(),
    }),
  );
  return (history.SpotPriceHistory ?? [])
    .sort((a, b) => Number(a.SpotPrice) - Number(b.SpotPrice))
    .map((p) => p.AvailabilityZone ?? "");
}

const subnetZone = (subnetId: string) => w.world.cloud.scenario.subnets.find((s) => s.id === subnetId)?.zone;
const zonesAsked = (index: number) =>
  new Set(w.fleets[index]?.launchTemplates.flatMap((t) => t.overrides.map((o) => subnetZone(o.subnetId))));

function onPool(pool: string) {
  return { nodeSelector: { "karpenter.sh/nodepool": pool } };
}

async function bound(app: string): Promise<string> {
  await w.runUntil(() => w.pods(app).length > 0 && w.pods(app).every((p) => nodeNameOf(p)), `${app} bound`, 5 * 60_000);
  const node = w.list("v1", "Node").find((n) => n.metadata?.name === nodeNameOf(w.pods(app)[0] ?? {}));
  return (node?.metadata?.labels as Record<string, string>)["topology.kubernetes.io/zone"] ?? "";
}

describe("the cheapest spot offering out of capacity", () => {
  let cheapest = "";
  let iceAt = 0;

  test("the fleet falls back to the next offering", async () => {
    const zones = await zonesByPrice("m5.large");
    cheapest = zones[0] ?? "";
    w.world.cloud.capacity.outOfCapacity({ instanceType: "m5.large", zone: cheapest, capacityType: "spot" });
    iceAt = w.clock.now().getTime();
    w.create(deployment("first", 1, { cpu: "1200m", memory: "1Gi" }, onPool("spot")));
    const zone = await bound("first");
    assert.equal(w.fleets.length, 1);
    assert.ok(zonesAsked(0).has(cheapest), "the first request asked for the cheapest offering");
    assert.equal(zone, zones[1], "and the instance runs in the next cheapest zone");
  });

  test("for 3 minutes no fleet request names it", async () => {
    await w.runFor(60_000);
    w.create(deployment("second", 1, { cpu: "1200m", memory: "1Gi" }, onPool("spot")));
    await bound("second");
    assert.equal(w.fleets.length, 2);
    assert.ok(!zonesAsked(1).has(cheapest), `${cheapest} left out of ${[...zonesAsked(1)].join(", ")}`);
  });

  test("after 3 minutes it is asked for again and, with capacity back, launched", async () => {
    w.world.cloud.capacity.restore({ instanceType: "m5.large", zone: cheapest, capacityType: "spot" });
    await w.runFor(iceAt + 3 * 60_000 - w.clock.now().getTime());
    const zones = await zonesByPrice("m5.large");
    w.create(deployment("third", 1, { cpu: "1200m", memory: "1Gi" }, onPool("spot")));
    const zone = await bound("third");
    assert.equal(w.fleets.length, 3);
    assert.ok(zonesAsked(2).has(cheapest));
    assert.equal(zone, zones[0]);
  });
});

describe("every spot offering out of capacity", () => {
  before(async () => {
    for (const zone of await zonesByPrice("c5.large")) {
      w.world.cloud.capacity.outOfCapacity({ instanceType: "c5.large", zone, capacityType: "spot" });
    }
  });

  test("a pool that allows on-demand launches on-demand after the spot NodeClaim is given up", async () => {
    const before = w.fleets.length;
    w.create(deployment("flexible", 1, { cpu: "1", memory: "1Gi" }, onPool("flex")));
    await bound("flexible");
    assert.deepEqual(
      w.fleets.slice(before).map((f) => f.capacityType),
      ["spot", "on-demand"],
    );
    const ice = w.events("InsufficientCapacity");
    assert.equal(ice.length, 1);
    assert.match(ice[0]?.message ?? "", /InsufficientInstanceCapacity/);
    const node = w.list("v1", "Node").find((n) => n.metadata?.name === nodeNameOf(w.pods("flexible")[0] ?? {}));
    assert.equal((node?.metadata?.labels as Record<string, string>)["karpenter.sh/capacity-type"], "on-demand");
  });

  test("a spot-only pool's pod stays pending, its event saying no offering is available", async () => {
    w.create(deployment("spot-only", 1, { cpu: "1", memory: "1Gi" }, onPool("strict")));
    // The world's scheduler reports the pod unschedulable too; poolkeeper's event is the one not from it.
    const explained = () =>
      w
        .events("FailedScheduling")
        .filter((e) => e.involved.startsWith("spot-only") && e.component !== "default-scheduler");
    await w.runUntil(() => explained().length > 0, "explained");
    await w.runFor(30_000);
    assert.equal(nodeNameOf(w.pods("spot-only")[0] ?? {}), undefined);
    const [event] = explained();
    assert.match(event?.message ?? "", /pool strict: no available offering \(zone and capacity type\) satisfies/);
    assert.match(event?.message ?? "", /pool flex: the pod's node selector or affinity conflicts/);
  });

  test("the explanation says when the unavailable offerings come back: 3 minutes after the ICE, to the minute", () => {
    // Karpenter's UnavailableOfferingsTTL is 3 minutes; the explanation rounds the expiry up to the minute.
    const iceTimes = w
      .list("v1", "Event")
      .filter((e) => e["reason"] === "InsufficientCapacity")
      .map((e) => Date.parse(String(e["lastTimestamp"])));
    const expected = new Set(
      iceTimes.map((t) => new Date(Math.ceil((t + 3 * 60_000) / 60_000) * 60_000).toISOString().slice(11, 16)),
    );
    const explained = w
      .events("FailedScheduling")
      .filter((e) => e.involved.startsWith("spot-only") && e.component !== "default-scheduler");
    assert.ok(explained.length > 0);
    for (const { message } of explained) {
      const until = /pool strict: [^;]*\(ICE until (\d\d:\d\d) UTC\)/.exec(message)?.[1];
      assert.ok(until !== undefined && expected.has(until), `${message} — expected one of ${[...expected].join(", ")}`);
    }
  });
});

test("metrics: each NodeClaim given up for insufficient capacity is counted by pool, once per InsufficientCapacity Event", async () => {
  const counted = (await w.metrics.insufficientCapacity.get()).values;
  const total = counted.reduce((sum, v) => sum + v.value, 0);
  assert.equal(total, w.events("InsufficientCapacity").length);
  assert.equal(counted.find((v) => v.labels["nodepool"] === "flex")?.value, 1);
});
