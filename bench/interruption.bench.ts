// Interruption handling under a burst (Karpenter's interruption benchmark has the same shape, 100 to 15,000
// messages): 100, 1,000 and 5,000 spot interruption warnings queued in the simulated world's SQS, each for its own
// spot NodeClaim with a Node, consumed through the real SQS adapter (SDK v3 over HTTP to the simulated endpoint)
// by the interruption consumer and controller over the in-process Cluster port. Per size, in the same run:
//   - the baseline: the same messages received and deleted through the same adapter and consumer, no handling;
//   - handling: messages/s received, acted on (taint + NodeClaim deletion persisted) and deleted; receipt to cordon
//     (the taint written) and receipt to the NodeClaim's deletion (what provisioning reacts to: the evicted pods'
//     replacement request starts there) at p50 / p99; and notice (queued) to cordon, which includes the backlog;
//   - parse + decision alone (parse the body, find the NodeClaim and Node), in process.
// Targets: ≥ 1,000 messages/s of parse + decision, cordon within 100 ms of receipt at p99, handling ≥ 50 % of the
// baseline's rate. The world runs on a clock that never moves, so no spot termination or visibility timeout fires
// during a run; every latency is wall time (performance.now).
import { performance } from "node:perf_hooks";
import { SqsInterruptionQueue } from "../adapters/aws/index.ts";
import { VirtualClock, type Cluster, type QueueMessage } from "../api/index.ts";
import {
  type HandledMessage,
  InterruptionConsumer,
  InterruptionController,
  parseMessage,
} from "../controller/index.ts";
import { instanceIdOf } from "../controller/interruption/index.ts";
import { StoreCluster, World } from "../sim/index.ts";
import { WorldCloudProvider } from "../test/support/world-cloud-provider.ts";

const QUEUE = "bench-interruptions";
const SIZES = [100, 1_000, 5_000];
const CREDENTIALS = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

interface Fleet {
  world: World;
  cluster: StoreCluster;
  endpoint: string;
  instanceIds: string[];
  send(): number;
  close(): Promise<void>;
}

async function fleet(size: number): Promise<Fleet> {
  const clock = new VirtualClock(new Date("2026-04-06T09:00:00Z"));
  const world = new World({
    clock,
    scenario: { cloud: { interruptionQueue: QUEUE } },
    run: { controllers: false, scheduler: false, kubelets: false, volumes: false, nodeLifecycle: false },
  }).start();
  const served = await world.serve();
  const subnetId = world.cloud.scenario.subnets[0]?.id ?? "";
  const instances = world.cloud.launch(
    {
      instanceType: "m5.large",
      subnetId,
      imageId: "ami-0a00000000000a023",
      capacityType: "spot",
      securityGroupIds: [],
      tags: [],
    },
    size,
  );
  const nodes = world.kind("", "v1", "nodes");
  const claims = world.kind("karpenter.sh", "v1", "nodeclaims");
  for (const [i, instance] of instances.entries()) {
    const providerID = `aws:///${instance.zone}/${instance.id}`;
    world.store.create(nodes, undefined, {
      metadata: { name: `node-${i}`, labels: { "karpenter.sh/nodepool": "default" } },
      spec: { providerID },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    });
    const claim = world.store.create(claims, undefined, {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: {
        name: `default-${i}`,
        finalizers: ["karpenter.sh/termination"],
        labels: {
          "karpenter.sh/nodepool": "default",
          "karpenter.sh/capacity-type": "spot",
          "node.kubernetes.io/instance-type": "m5.large",
          "topology.kubernetes.io/zone": instance.zone,
        },
      },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
      },
    });
    world.store.update(
      claims,
      undefined,
      `default-${i}`,
      { ...claim, status: { providerID, nodeName: `node-${i}` } },
      { subresource: "status" },
    );
  }
  // The queue after the launches: their state-change notices (pending) are not part of the burst.
  served.aws.queues.create(QUEUE, {});
  const cluster = new StoreCluster(world.store, { clock });
  await cluster.start();
  return {
    world,
    cluster,
    endpoint: served.aws.endpoint,
    instanceIds: instances.map((i) => i.id),
    send() {
      const at = performance.now();
      for (const id of instances.map((i) => i.id)) served.aws.events.spotInterruption(id);
      return at;
    },
    async close() {
      await cluster.stop();
      await world.stop();
    },
  };
}

/** Consumes `count` messages through the SQS adapter; resolves with the wall time once the last is deleted. */
async function consume(f: Fleet, count: number, handle: (m: QueueMessage) => Promise<HandledMessage>): Promise<number> {
  const queue = new SqsInterruptionQueue(QUEUE, {
    endpoint: f.endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const start = performance.now();
  const consumer = new InterruptionConsumer({
    queue,
    clock: f.world.clock,
    handle,
    onDone: (d) => {
      if (d.deleted && ++done === count) finish();
    },
  }).start();
  await finished;
  const seconds = (performance.now() - start) / 1000;
  void consumer.stop();
  queue.destroy();
  return seconds;
}

/** The Cluster port with the times each taint and NodeClaim deletion was persisted. */
function timed(cluster: StoreCluster) {
  const tainted = new Map<string, number>();
  const deleted = new Map<string, number>();
  const proxy = new Proxy(cluster, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === "taint") {
        return async (...args: Parameters<Cluster["taint"]>) => {
          const node = await target.taint(...args);
          tainted.set(args[0], performance.now());
          return node;
        };
      }
      if (property === "delete") {
        return async (...args: Parameters<Cluster["delete"]>) => {
          const outcome = await target.delete(...args);
          if (args[0] === "nodeclaims") deleted.set(args[1].name, performance.now());
          return outcome;
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { cluster: proxy as Cluster, tainted, deleted };
}

const rows: string[] = [];
for (const size of SIZES) {
  // Baseline: receive and delete, nothing else.
  const base = await fleet(size);
  base.send();
  const baseSeconds = await consume(base, size, async () => ({ messageType: "baseline", outcomes: [] }));
  await base.close();

  // Handling: parse, find, taint, delete the NodeClaim, events; then the message is deleted.
  const f = await fleet(size);
  const t = timed(f.cluster);
  const controller = new InterruptionController({
    cluster: t.cluster,
    cloudProvider: new WorldCloudProvider(f.world.cloud),
    clock: f.world.clock,
  });
  const received = new Map<string, number>();
  const queuedAt = f.send();
  const seconds = await consume(f, size, async (m) => {
    const parsed = parseMessage(m.body);
    const id = parsed.type === "event" ? (parsed.event.instanceIds[0] ?? "") : "";
    received.set(id, performance.now());
    return controller.handleMessage(m);
  });
  const byInstance = new Map(f.instanceIds.map((id, i) => [id, i]));
  const cordon: number[] = [];
  const request: number[] = [];
  const noticeToCordon: number[] = [];
  for (const [id, at] of received) {
    const i = byInstance.get(id);
    if (i === undefined) continue;
    const taint = t.tainted.get(`node-${i}`);
    const deletion = t.deleted.get(`default-${i}`);
    if (taint !== undefined) {
      cordon.push(taint - at);
      noticeToCordon.push(taint - queuedAt);
    }
    if (deletion !== undefined) request.push(deletion - at);
  }
  controller.close();

  // Parse + decision alone, in process: the bodies the world queued, each parsed and its NodeClaim and Node found.
  const bodies = f.instanceIds.map((id) =>
    JSON.stringify({
      version: "0",
      id: "x",
      "detail-type": "EC2 Spot Instance Interruption Warning",
      source: "aws.ec2",
      account: "1",
      time: "2026-04-06T09:00:00Z",
      region: "us-west-2",
      resources: [],
      detail: { "instance-id": id, "instance-action": "terminate" },
    }),
  );
  const claimsByInstance = () =>
    new Map(f.cluster.list("nodeclaims").map((c) => [instanceIdOf(c.status?.providerID) ?? "", c]));
  const decideStart = performance.now();
  let found = 0;
  const index = claimsByInstance();
  for (const body of bodies) {
    const parsed = parseMessage(body);
    if (parsed.type !== "event") continue;
    const claim = index.get(parsed.event.instanceIds[0] ?? "");
    if (claim?.status?.nodeName && f.cluster.get("nodes", { name: claim.status.nodeName })) found++;
  }
  const decideRate = found / ((performance.now() - decideStart) / 1000);
  await f.close();

  const rate = size / seconds;
  const baseRate = size / baseSeconds;
  rows.push(
    `| ${size.toLocaleString("en")} | ${Math.round(baseRate)} | ${Math.round(rate)} | ${Math.round((100 * rate) / baseRate)} % | ` +
      `${percentile(cordon, 50).toFixed(1)} / ${percentile(cordon, 99).toFixed(1)} ms | ` +
      `${percentile(request, 50).toFixed(1)} / ${percentile(request, 99).toFixed(1)} ms | ` +
      `${(percentile(noticeToCordon, 50) / 1000).toFixed(2)} / ${(percentile(noticeToCordon, 99) / 1000).toFixed(2)} s | ` +
      `${Math.round(decideRate).toLocaleString("en")} |`,
  );
  console.log(rows.at(-1));
}

console.log(
  "\n| messages | baseline msg/s | handled msg/s | of baseline | receipt→cordon p50/p99 | receipt→NodeClaim deleted p50/p99 | queued→cordon p50/p99 | parse + decision /s |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
