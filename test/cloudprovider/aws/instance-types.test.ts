// The AWS provider's instance types: the capacity estimate of every catalog type, as listed for an AL2023
// EC2NodeClass with default settings, equals Karpenter's published allocatable recorded in the catalog file
// (the same oracle test/cloudprovider/capacity.test.ts checks the math against, here through DescribeInstanceTypes
// and the provider); observed capacity replaces the estimate; the catalog stands in when EC2 cannot be asked; the
// refresh runs every 12 hours on the clock; the full list is built once and reused until something it depends on
// changes, and a launch's few types are that list's own objects.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type EC2NodeClass, parseQuantity, Throttled } from "../../../api/index.ts";
import { AwsCloudProvider } from "../../../cloudprovider/aws/aws-cloud-provider.ts";
import { DEFAULT_CAPACITY_SETTINGS } from "../../../cloudprovider/capacity-settings.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { FakeAws, REGION } from "../../support/fake-aws.ts";

const published = JSON.parse(
  readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8"),
) as {
  name: string;
  allocCpuMilli: number;
  allocMemoryMiB: number;
}[];

const NODE_CLASS = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    amiSelectorTerms: [{ alias: "al2023@latest" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test-cluster" } }],
    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test-cluster" } }],
    role: "KarpenterNodeRole-test-cluster",
  },
} as EC2NodeClass;

function setup() {
  const clock = new FakeClock(new Date("2026-01-05T10:00:00Z"));
  const aws = new FakeAws(() => clock.now());
  const provider = new AwsCloudProvider({
    ports: aws,
    clock,
    region: REGION,
    kubernetesVersion: "1.34",
    cluster: { name: "test-cluster", endpoint: "https://test-cluster", serviceCIDR: "10.100.0.0/16" },
    nodeClass: () => NODE_CLASS,
  });
  return { clock, aws, provider };
}

const MiB = (q: { value(): bigint } | undefined) => Number((q?.value() ?? 0n) / 1048576n);

test("the estimate of every catalog type equals Karpenter's published allocatable (AL2023 defaults)", async () => {
  const { provider } = setup();
  await provider.instanceTypes.refresh();
  const types = await provider.getInstanceTypes({} as never, NODE_CLASS);
  const byName = new Map(types.map((t) => [t.name, t]));
  assert.equal(byName.size, published.length);
  const mismatches = published.flatMap((p) => {
    const alloc = byName.get(p.name)?.allocatable() ?? {};
    const cpu = Number(alloc.cpu?.milliValue() ?? -1);
    const memory = MiB(alloc.memory);
    return cpu === p.allocCpuMilli && memory === p.allocMemoryMiB ? [] : [`${p.name}: ${cpu}m/${memory}Mi`];
  });
  assert.deepEqual(mismatches, []);
});

test("observed capacity replaces the memory estimate for its type and EC2NodeClass only", async () => {
  const { provider } = setup();
  const before = (await provider.getInstanceTypes({} as never, NODE_CLASS)).find((t) => t.name === "m5.large");
  assert.equal(MiB(before?.capacity.memory), 7577); // 8192 − ceil(7.5 %)
  provider.recordObservedCapacity("m5.large", NODE_CLASS, "7910264Ki");
  const after = await provider.getInstanceTypes({} as never, NODE_CLASS);
  assert.equal(after.find((t) => t.name === "m5.large")?.capacity.memory?.value(), parseQuantity("7910264Ki").value());
  assert.equal(MiB(after.find((t) => t.name === "m5.xlarge")?.capacity.memory), MiB(parseQuantity("15155Mi")));
  const otherClass = { ...NODE_CLASS, spec: { ...NODE_CLASS.spec, tags: { team: "b" } } } as EC2NodeClass;
  const other = await provider.getInstanceTypes({} as never, otherClass);
  assert.equal(MiB(other.find((t) => t.name === "m5.large")?.capacity.memory), 7577);
});

test("without EC2's answers the catalog stands in: every type, every zone, no spot price", async () => {
  const { aws, provider } = setup();
  aws.ec2.describeInstanceTypes = () => Promise.reject(new Throttled("RequestLimitExceeded", "slow down"));
  await provider.instanceTypes.refresh();
  assert.ok(provider.instanceTypes.lastRefreshError instanceof Throttled);
  const types = await provider.getInstanceTypes({} as never, NODE_CLASS);
  assert.equal(types.length, published.length);
  const m5 = types.find((t) => t.name === "m5.large");
  assert.deepEqual(
    m5?.offerings.items.map((o) => [o.zone, o.capacityType, o.available]),
    [
      ["us-west-2a", "on-demand", true],
      ["us-west-2a", "spot", false],
      ["us-west-2b", "on-demand", true],
      ["us-west-2b", "spot", false],
    ],
  );
});

test("spot prices from DescribeSpotPriceHistory; refreshed every 12 hours on the clock", async () => {
  const { clock, aws, provider } = setup();
  aws.spotPrices.set("m5.large:us-west-2a", 0.04);
  await provider.instanceTypes.start();
  assert.equal(aws.count("DescribeInstanceTypes"), 1);
  assert.equal(provider.instanceTypes.spotPrice("m5.large", "us-west-2a"), 0.04);
  aws.spotPrices.set("m5.large:us-west-2a", 0.05);
  clock.step(12 * 60 * 60_000 - 1);
  assert.equal(aws.count("DescribeInstanceTypes"), 1);
  clock.step(1);
  await clock.untilPending(1); // the next refresh is armed once this one has answered
  assert.equal(aws.count("DescribeInstanceTypes"), 2);
  assert.equal(provider.instanceTypes.spotPrice("m5.large", "us-west-2a"), 0.05);
  provider.instanceTypes.stop();
  assert.deepEqual(clock.pending, []);
});

test("the full list is built once and reused until a refresh, an observed capacity or an unavailable offering changes it", async () => {
  const { clock, aws, provider } = setup();
  aws.spotPrices.set("m5.large:us-west-2a", 0.04);
  await provider.instanceTypes.refresh();
  const m5 = <T extends { name: string }>(types: readonly T[]) => types.find((t) => t.name === "m5.large");
  const first = await provider.getInstanceTypes({} as never, NODE_CLASS);
  const again = await provider.getInstanceTypes({} as never, NODE_CLASS);
  assert.notEqual(again, first, "each call has its own array");
  assert.equal(m5(again), m5(first), "the same InstanceType: nothing it depends on changed");

  // An offering marked unavailable: a new list, that offering unavailable until its 3 minutes are over.
  provider.markUnavailable("m5.large", "us-west-2a", "spot", "InsufficientInstanceCapacity");
  const offering = async () =>
    m5(await provider.getInstanceTypes({} as never, NODE_CLASS))?.offerings.items.find(
      (o) => o.zone === "us-west-2a" && o.capacityType === "spot",
    );
  assert.equal((await offering())?.available, false);
  // A second offering out, then a third: each a new state; the list of the state before is not kept beside it.
  provider.markUnavailable("m5.large", "us-west-2b", "spot", "InsufficientInstanceCapacity");
  await provider.getInstanceTypes({} as never, NODE_CLASS);
  provider.markUnavailable("m5.large", "us-west-2c", "spot", "InsufficientInstanceCapacity");
  await provider.getInstanceTypes({} as never, NODE_CLASS);
  assert.equal(provider.instanceTypes.listsHeld, 1, "one EC2NodeClass: one list held, its newest");
  clock.step(3 * 60_000);
  assert.equal((await offering())?.available, false, "through the last instant of the TTL");
  clock.step(1);
  assert.equal((await offering())?.available, true);

  // A refresh with a new spot price: the new price.
  aws.spotPrices.set("m5.large:us-west-2a", 0.05);
  clock.step(1000);
  await provider.instanceTypes.refresh();
  assert.equal((await offering())?.price, 0.05);

  // Observed capacity: the new memory for that type.
  provider.recordObservedCapacity("m5.large", NODE_CLASS, "7910264Ki");
  const observed = m5(await provider.getInstanceTypes({} as never, NODE_CLASS));
  assert.equal(observed?.capacity.memory?.value(), parseQuantity("7910264Ki").value());
});

test("a launch's few types are the current full list's own objects; built apart only when the list is not current", async () => {
  const { provider } = setup();
  await provider.instanceTypes.refresh();
  const source = provider.instanceTypes;
  const zones = [{ zone: "us-west-2a", zoneId: undefined }];
  const names = new Set(["m5.large", "c5.xlarge"]);
  const full = source.list(zones, DEFAULT_CAPACITY_SETTINGS, "hash-1");
  const named = source.list(zones, DEFAULT_CAPACITY_SETTINGS, "hash-1", names);
  assert.deepEqual(named.map((t) => t.name).sort(), ["c5.xlarge", "m5.large"]);
  for (const type of named)
    assert.equal(
      type,
      full.find((t) => t.name === type.name),
      `${type.name}: shared`,
    );

  // A new observed capacity: the list is not current, and the named types are built apart, with it.
  source.recordObservedMemory("m5.large", "hash-1", parseQuantity("7910264Ki"));
  const apart = source.list(zones, DEFAULT_CAPACITY_SETTINGS, "hash-1", names);
  const m5 = apart.find((t) => t.name === "m5.large");
  assert.notEqual(
    m5,
    full.find((t) => t.name === "m5.large"),
  );
  assert.equal(m5?.capacity.memory?.value(), parseQuantity("7910264Ki").value());
  assert.equal(source.listsHeld, 0, "asking for a few types does not build the whole list");
  // Once the full list is built again, the named ones are its objects again.
  const rebuilt = source.list(zones, DEFAULT_CAPACITY_SETTINGS, "hash-1");
  const again = source.list(zones, DEFAULT_CAPACITY_SETTINGS, "hash-1", new Set(["m5.large"]));
  assert.equal(
    again[0],
    rebuilt.find((t) => t.name === "m5.large"),
  );
  assert.equal(again[0]?.capacity.memory?.value(), parseQuantity("7910264Ki").value());
});
