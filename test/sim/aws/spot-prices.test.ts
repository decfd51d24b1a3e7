// The simulated spot market through DescribeSpotPriceHistory, read by the SDK v3 and by Debian's awscli: records
// shaped as the verbatim AWS response in test/fixtures/aws/ (members, six-decimal price text, newest first); every
// price 30–70 % below the catalog's on-demand price (data/ec2-instance-types.json read here, not through sim/);
// the same seed gives the same prices and another seed others; prices drift slowly over simulated time; windows,
// filters and pages as EC2 documents them; a spot launch records the price in effect.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  DescribeSpotPriceHistoryCommand,
  paginateDescribeSpotPriceHistory,
  RunInstancesCommand,
  type SpotPrice,
} from "@aws-sdk/client-ec2";
import { type AwsWorld, awsCli, START, startAwsWorld } from "./aws-world.ts";

const fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/aws/DescribeSpotPriceHistory.m5_large.json", import.meta.url), "utf8"),
) as { SpotPriceHistory: Record<string, string>[] };
const onDemand = new Map(
  (
    JSON.parse(readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
      name: string;
      onDemandUsd: number;
    }[]
  ).map((t) => [t.name, t.onDemandUsd]),
);
const HOUR = 3_600_000;
const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"];

let world: AwsWorld;
let other: AwsWorld;
before(async () => {
  world = await startAwsWorld({ describeLagMs: 0 });
  other = await startAwsWorld({ spotPriceSeed: 2 });
});
after(async () => {
  await world.close();
  await other.close();
});

/** Every page's prices, in order. */
async function allPages(pages: AsyncIterable<{ SpotPriceHistory?: SpotPrice[] }>): Promise<SpotPrice[]> {
  const prices: SpotPrice[] = [];
  for await (const page of pages) prices.push(...(page.SpotPriceHistory ?? []));
  return prices;
}

const current = async (w: AwsWorld, types: string[]): Promise<SpotPrice[]> =>
  (await w.ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: types as "m5.large"[] }))).SpotPriceHistory ??
  [];

describe("DescribeSpotPriceHistory", () => {
  test("records have the members and price text of the verbatim AWS response, newest first", async () => {
    const real = fixture.SpotPriceHistory;
    const served = (await awsCli(world.server.endpoint, [
      "ec2",
      "describe-spot-price-history",
      "--instance-types",
      "m5.large",
      "--start-time",
      new Date(START.getTime() - 12 * HOUR).toISOString(),
    ])) as { SpotPriceHistory: Record<string, string>[]; NextToken?: string };
    assert.ok(served.SpotPriceHistory.length >= 12 * 3, "twelve hours of hourly changes in three zones");
    assert.deepEqual(Object.keys(served.SpotPriceHistory[0] ?? {}).sort(), Object.keys(real[0] ?? {}).sort());
    const priceText = /^[0-9]+\.[0-9]{6}$/;
    assert.ok(real.every((r) => priceText.test(r.SpotPrice ?? "")));
    for (const record of served.SpotPriceHistory) {
      assert.match(record.SpotPrice ?? "", priceText);
      assert.equal(record.ProductDescription, "Linux/UNIX");
      assert.equal(record.InstanceType, "m5.large");
      assert.ok(ZONES.includes(record.AvailabilityZone ?? ""));
    }
    const newestFirst = (records: Record<string, string>[]) =>
      records.every((r, i) => i === 0 || Date.parse(records[i - 1]?.Timestamp ?? "") >= Date.parse(r.Timestamp ?? ""));
    assert.ok(newestFirst(real), "AWS answers newest first");
    assert.ok(newestFirst(served.SpotPriceHistory));
  });

  test("the real m5.large prices lie in the 30–70 % discount band the world draws from", () => {
    const price = onDemand.get("m5.large") ?? 0;
    for (const record of fixture.SpotPriceHistory) {
      const discount = 1 - Number(record.SpotPrice) / price;
      assert.ok(discount >= 0.3 && discount <= 0.7, `${record.SpotPrice} against ${price}`);
    }
  });

  test("every offering is priced 30–70 % below on-demand, one current price per zone", async () => {
    const types = ["m5.large", "c6g.xlarge", "r7i.2xlarge", "t3.micro", "p4d.24xlarge"];
    const prices = await current(world, types);
    assert.equal(prices.length, types.length * ZONES.length);
    for (const p of prices) {
      const base = onDemand.get(p.InstanceType ?? "") ?? 0;
      const discount = 1 - Number(p.SpotPrice) / base;
      // Rounding to 4 decimals moves a cheap type's discount by at most 0.00005 / price.
      const slack = 0.00005 / base;
      assert.ok(discount >= 0.3 - slack && discount <= 0.7 + slack, `${p.InstanceType} ${p.SpotPrice} vs ${base}`);
      assert.ok((p.Timestamp?.getTime() ?? Infinity) <= START.getTime());
      assert.ok((p.Timestamp?.getTime() ?? 0) > START.getTime() - HOUR, "the change in effect is under an hour old");
    }
  });

  test("the same seed gives the same prices, another seed others", async () => {
    const again = await startAwsWorld({ spotPriceSeed: 1 });
    try {
      const types = ["m5.large", "m5.xlarge", "c5.large", "r5.large"];
      const [a, b, c] = await Promise.all([current(world, types), current(again, types), current(other, types)]);
      assert.deepEqual(a, b);
      assert.notDeepEqual(
        a.map((p) => p.SpotPrice),
        c.map((p) => p.SpotPrice),
      );
    } finally {
      await again.close();
    }
  });

  test("prices drift slowly: each hourly change is small, days move them", async () => {
    const week = await allPages(
      paginateDescribeSpotPriceHistory(
        { client: world.ec2, pageSize: 1000 },
        {
          InstanceTypes: ["m5.large"],
          AvailabilityZone: "us-west-2a",
          StartTime: new Date(START.getTime() - 7 * 24 * HOUR),
          EndTime: START,
        },
      ),
    );
    assert.equal(week.length, 7 * 24 + 1, "hourly changes over a week and the one in effect at its start");
    const prices = week.map((p) => Number(p.SpotPrice));
    const base = onDemand.get("m5.large") ?? 0;
    for (let i = 1; i < prices.length; i++) {
      assert.ok(Math.abs((prices[i] ?? 0) - (prices[i - 1] ?? 0)) <= 0.025 * base, `hour ${i}`);
    }
    assert.ok(Math.max(...prices) - Math.min(...prices) >= 0.05 * base, "a week moves the price");
  });

  test("a window returns the changes in it and the price in effect at its start", async () => {
    const start = new Date(START.getTime() - 3 * HOUR);
    const end = new Date(START.getTime() - HOUR);
    const { SpotPriceHistory = [] } = await world.ec2.send(
      new DescribeSpotPriceHistoryCommand({
        InstanceTypes: ["m5.large"],
        AvailabilityZone: "us-west-2b",
        StartTime: start,
        EndTime: end,
      }),
    );
    const times = SpotPriceHistory.map((p) => p.Timestamp?.getTime() ?? 0);
    assert.equal(times.length, 3);
    assert.ok((times[2] ?? 0) <= start.getTime(), "the oldest is the price in effect at the start");
    assert.ok(times.slice(0, 2).every((t) => t > start.getTime() && t <= end.getTime()));
  });

  test("filters by zone and product; another product finds nothing", async () => {
    const { SpotPriceHistory: windows = [] } = await world.ec2.send(
      new DescribeSpotPriceHistoryCommand({ InstanceTypes: ["m5.large"], ProductDescriptions: ["Windows"] }),
    );
    assert.deepEqual(windows, []);
    const { SpotPriceHistory: filtered = [] } = await world.ec2.send(
      new DescribeSpotPriceHistoryCommand({
        Filters: [
          { Name: "availability-zone", Values: ["us-west-2c"] },
          { Name: "instance-type", Values: ["m5.*"] },
        ],
        ProductDescriptions: ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
      }),
    );
    assert.ok(filtered.length > 5);
    assert.ok(filtered.every((p) => p.AvailabilityZone === "us-west-2c" && p.InstanceType?.startsWith("m5.")));
  });

  test("the SDK's paginator reads every current price in pages", async () => {
    const all = await allPages(paginateDescribeSpotPriceHistory({ client: world.ec2, pageSize: 1000 }, {}));
    assert.equal(all.length, onDemand.size * ZONES.length);
    assert.equal(new Set(all.map((p) => `${p.InstanceType}@${p.AvailabilityZone}`)).size, all.length);
  });

  test("a spot launch records the price in effect for its offering", async () => {
    world.clock.step(5 * HOUR);
    const run = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-0a00000000000a023",
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: "subnet-00000000000000002",
        InstanceMarketOptions: { MarketType: "spot" },
      }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? "";
    const [price] = await current(world, ["m5.large"]).then((ps) =>
      ps.filter((p) => p.AvailabilityZone === "us-west-2b"),
    );
    assert.equal(world.server.cloud.instance(id).priceUsd, Number(price?.SpotPrice));
    assert.notEqual(world.server.cloud.instance(id).priceUsd, onDemand.get("m5.large"));
  });
});
