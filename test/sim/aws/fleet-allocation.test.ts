// CreateFleet (instant) picks among its overrides as EC2's documented allocation strategies say ("Allocation
// strategies for Spot Instances" / "for On-Demand Instances", EC2 Fleet user guide). The test reads the market the
// way a client would — spot prices through DescribeSpotPriceHistory, on-demand prices from the catalog file — plus
// each spot pool's capacity level (the world's input, 1–3), applies the published definition itself, and finds
// override pairs on which the strategies disagree, so each pick shows the rule it follows:
//   lowest-price (spot): the lowest spot price; price-capacity-optimized: the deepest pools, then the lowest
//   price; capacity-optimized: the deepest pool; capacity-optimized-prioritized: capacity first, Priority among
//   equals; lowest-price (on-demand): the lowest on-demand price; prioritized: Priority.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeSpotPriceHistoryCommand,
  type FleetLaunchTemplateOverridesRequest,
} from "@aws-sdk/client-ec2";
import { spotCapacityLevel } from "../../../sim/world/cloud/index.ts";
import { type AwsWorld, startAwsWorld } from "./aws-world.ts";

const ZONE = "us-west-2a";
const SUBNET = "subnet-00000000000000001";
const SEED = 7;
const TYPES = [
  "m5.large",
  "m5.xlarge",
  "m5a.large",
  "m5a.xlarge",
  "m6i.large",
  "m6i.xlarge",
  "c5.large",
  "c5.xlarge",
  "c5a.large",
  "c6i.large",
  "c6i.xlarge",
  "r5.large",
  "r5a.large",
  "r6i.large",
  "m7i.large",
  "c7i.large",
  "m5.2xlarge",
  "c5.2xlarge",
  "r5.xlarge",
  "m6a.large",
  "c6a.large",
  "r6a.large",
  "m5d.large",
  "c5d.large",
];
const onDemand = new Map(
  (
    JSON.parse(readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
      name: string;
      onDemandUsd: number;
    }[]
  ).map((t) => [t.name, t.onDemandUsd]),
);

interface Pool {
  type: string;
  spot: number;
  onDemand: number;
  capacity: number;
}

let world: AwsWorld;
let template = "";
let pools: Pool[] = [];
before(async () => {
  world = await startAwsWorld({ spotPriceSeed: SEED, describeLagMs: 0 });
  const created = await world.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "allocation",
      LaunchTemplateData: { ImageId: "ami-0a00000000000a023" },
    }),
  );
  template = created.LaunchTemplate?.LaunchTemplateId ?? "";
  const { SpotPriceHistory = [] } = await world.ec2.send(
    new DescribeSpotPriceHistoryCommand({ InstanceTypes: TYPES as "m5.large"[], AvailabilityZone: ZONE }),
  );
  pools = TYPES.map((type) => ({
    type,
    spot: Number(SpotPriceHistory.find((p) => p.InstanceType === type)?.SpotPrice),
    onDemand: onDemand.get(type) ?? 0,
    capacity: spotCapacityLevel(SEED, type, ZONE),
  }));
  assert.ok(pools.every((p) => p.spot > 0 && p.onDemand > 0));
});
after(() => world.close());

/** The first pair (a, b) of pools for which `holds` is true, so the test can name what it relies on. */
function pairWhere(holds: (a: Pool, b: Pool) => boolean): [Pool, Pool] {
  for (const a of pools) for (const b of pools) if (a !== b && holds(a, b)) return [a, b];
  throw new Error("no pair of pools in TYPES for this case: widen TYPES");
}

async function pick(
  capacityType: "spot" | "on-demand",
  strategy: string,
  overrides: FleetLaunchTemplateOverridesRequest[],
): Promise<string | undefined> {
  const result = await world.ec2.send(
    new CreateFleetCommand({
      Type: "instant",
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: capacityType },
      ...(capacityType === "spot"
        ? { SpotOptions: { AllocationStrategy: strategy as "lowest-price" } }
        : { OnDemandOptions: { AllocationStrategy: strategy as "lowest-price" } }),
      LaunchTemplateConfigs: [
        { LaunchTemplateSpecification: { LaunchTemplateId: template, Version: "$Latest" }, Overrides: overrides },
      ],
    }),
  );
  assert.equal(result.Errors, undefined);
  return result.Instances?.[0]?.InstanceType;
}

const override = (pool: Pool, priority?: number): FleetLaunchTemplateOverridesRequest => ({
  InstanceType: pool.type as "m5.large",
  SubnetId: SUBNET,
  ...(priority === undefined ? {} : { Priority: priority }),
});

describe("spot", () => {
  test("lowest-price takes the lowest spot price, price-capacity-optimized the deeper pool", async () => {
    // a is cheaper, b has more capacity.
    const [a, b] = pairWhere((x, y) => x.spot < y.spot && x.capacity < y.capacity);
    const overrides = [override(a), override(b)];
    assert.equal(await pick("spot", "lowest-price", overrides), a.type);
    assert.equal(await pick("spot", "price-capacity-optimized", overrides), b.type);
  });

  test("price-capacity-optimized takes the lowest price among equally deep pools", async () => {
    const [a, b] = pairWhere((x, y) => x.capacity === y.capacity && x.spot < y.spot);
    assert.equal(await pick("spot", "price-capacity-optimized", [override(b), override(a)]), a.type);
  });

  test("lowest-price follows spot prices, not on-demand ones", async () => {
    const [a, b] = pairWhere((x, y) => x.spot < y.spot && x.onDemand > y.onDemand);
    assert.equal(await pick("spot", "lowest-price", [override(b), override(a)]), a.type);
  });

  test("capacity-optimized takes the deepest pool whatever its price", async () => {
    const [a, b] = pairWhere((x, y) => x.capacity > y.capacity && x.spot > y.spot);
    assert.equal(await pick("spot", "capacity-optimized", [override(b), override(a)]), a.type);
  });

  test("capacity-optimized-prioritized: capacity first, Priority among equals", async () => {
    const [deep, shallow] = pairWhere((x, y) => x.capacity > y.capacity);
    assert.equal(
      await pick("spot", "capacity-optimized-prioritized", [override(shallow, 1), override(deep, 2)]),
      deep.type,
    );
    const [a, b] = pairWhere((x, y) => x.capacity === y.capacity && x.spot > y.spot);
    assert.equal(await pick("spot", "capacity-optimized-prioritized", [override(b, 2), override(a, 1)]), a.type);
  });
});

describe("on-demand", () => {
  test("lowest-price takes the lowest on-demand price; prioritized takes Priority", async () => {
    const [a, b] = pairWhere((x, y) => x.onDemand < y.onDemand);
    assert.equal(await pick("on-demand", "lowest-price", [override(b), override(a)]), a.type);
    assert.equal(await pick("on-demand", "prioritized", [override(a, 2), override(b, 1)]), b.type);
  });

  test("a spot-only strategy for on-demand is EC2's InvalidParameterValue", async () => {
    const [a] = pairWhere(() => true);
    await assert.rejects(pick("on-demand", "price-capacity-optimized", [override(a)]), {
      name: "InvalidParameterValue",
    });
  });
});
