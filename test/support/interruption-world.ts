// The world interruption and termination tests run in, in process on one fake clock: the simulated cluster with
// every component (scheduler, kubelets, volumes, node lifecycle), the world's EC2 with node registration (a launched
// instance becomes a Ready Node after the 60 s boot delay), EventBridge delivering to the interruption queue, the
// Cluster port over the store, and a CloudProvider over the world's EC2. What Karpenter's NodeClaim lifecycle
// controller does on registration (status.nodeName, the unregistered taint off) is stood in for here until the
// colleague's lifecycle controller exists.
import assert from "node:assert/strict";
import type { Node, NodeClaim } from "../../api/index.ts";
import { StoreCluster, World, type WorldComponent, type WorldScenario } from "../../sim/index.ts";
import { EventBridge, Queues } from "../../sim/world/cloud/index.ts";
import { NodeRegistration } from "../../sim/world/node-registration/index.ts";
import { FakeClock } from "./fake-clock.ts";
import { ALL_COMPONENTS } from "./sim-world.ts";
import { WorldCloudProvider } from "./world-cloud-provider.ts";

export const QUEUE = "poolkeeper-interruptions";
export const START = new Date("2026-04-06T09:00:00Z");
export const BOOT_DELAY_MS = 60_000;

export interface InterruptionWorld {
  clock: FakeClock;
  world: World;
  queues: Queues;
  events: EventBridge;
  registration: NodeRegistration;
  cluster: StoreCluster;
  provider: WorldCloudProvider;
  /** A NodeClaim launched through the provider (its instance boots into a Node after the boot delay). */
  launch(name: string, options?: LaunchOptions): Promise<NodeClaim>;
  /** The NodeClaim's Node, once registered. */
  nodeOf(claimName: string): Node | undefined;
  /** Moves the clock in `stepMs` steps until `done()` holds; fails past `limitMs` of simulated time. */
  until(done: () => boolean, what: string, options?: { stepMs?: number; limitMs?: number }): Promise<number>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  capacityType?: "spot" | "on-demand";
  pool?: string;
  zone?: string;
  /** The NodeClaim's `spec.terminationGracePeriod` (immutable after creation). */
  terminationGracePeriod?: string;
}

export interface InterruptionWorldOptions {
  run?: WorldComponent[];
  scenario?: WorldScenario;
  /** Serve the world (the Kubernetes API and the AWS endpoint) and use the served world's queues and EventBridge. */
  serve?: boolean;
}

export async function startInterruptionWorld(options: InterruptionWorldOptions = {}): Promise<InterruptionWorld> {
  const clock = new FakeClock(START);
  const run = new Set(options.run ?? ALL_COMPONENTS);
  const scenario: WorldScenario = {
    ...options.scenario,
    cloud: { clusterName: "test-cluster", interruptionQueue: QUEUE, ...options.scenario?.cloud },
  };
  const world = new World({
    clock,
    scenario,
    run: {
      scheduler: run.has("scheduler"),
      kubelets: run.has("kubelets"),
      volumes: run.has("volumes"),
      nodeLifecycle: run.has("nodeLifecycle"),
    },
  }).start(scenario.objects ?? []);
  let queues: Queues;
  let events: EventBridge;
  if (options.serve) {
    const served = await world.serve();
    queues = served.aws.queues;
    events = served.aws.events;
  } else {
    const cloud = world.cloud;
    queues = new Queues({ clock, ids: cloud.ids, accountId: cloud.scenario.accountId, region: cloud.scenario.region });
    events = new EventBridge({ cloud, queues, clock });
  }
  queues.create(QUEUE, {});
  const registration = new NodeRegistration(world.cloud, world.store, { clock, bootDelayMs: BOOT_DELAY_MS }).start();
  const cluster = new StoreCluster(world.store, { clock });
  await cluster.start();
  const provider = new WorldCloudProvider(world.cloud);

  // The NodeClaim lifecycle controller's registration step, stood in for: link the Node, lift the unregistered taint.
  const unsubscribe = cluster.onChange("nodes", (change) => {
    if (change.type !== "added") return;
    const node = change.object;
    const claim = cluster.list("nodeclaims").find((c) => c.status?.providerID === node.spec?.providerID);
    if (claim === undefined) return;
    const name = node.metadata.name ?? "";
    void (async () => {
      await cluster.patch(
        "nodeclaims",
        { name: claim.metadata.name ?? "" },
        { type: "merge", patch: { status: { nodeName: name } } },
        { subresource: "status" },
      );
      await cluster.taint(name, { key: "karpenter.sh/unregistered", effect: "NoExecute" }, { remove: true });
    })();
  });

  const nodeOf = (claimName: string) => {
    const claim = cluster.get("nodeclaims", { name: claimName });
    const providerID = claim?.status?.providerID;
    return providerID === undefined ? undefined : cluster.list("nodes").find((n) => n.spec?.providerID === providerID);
  };

  return {
    clock,
    world,
    queues,
    events,
    registration,
    cluster,
    provider,
    async launch(name, launchOptions = {}) {
      const pool = launchOptions.pool ?? "default";
      const requirements = [
        { key: "karpenter.sh/capacity-type", operator: "In", values: [launchOptions.capacityType ?? "spot"] },
        { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
        ...(launchOptions.zone
          ? [{ key: "topology.kubernetes.io/zone", operator: "In", values: [launchOptions.zone] }]
          : []),
      ];
      const wanted: NodeClaim = {
        apiVersion: "karpenter.sh/v1",
        kind: "NodeClaim",
        metadata: { name, labels: { "karpenter.sh/nodepool": pool }, finalizers: ["karpenter.sh/termination"] },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: requirements as NodeClaim["spec"]["requirements"],
          ...(launchOptions.terminationGracePeriod === undefined
            ? {}
            : { terminationGracePeriod: launchOptions.terminationGracePeriod }),
        },
      };
      const launched = await provider.create(wanted);
      const created = await cluster.create("nodeclaims", { ...launched, status: undefined } as unknown as NodeClaim);
      await cluster.update("nodeclaims", { ...created, status: launched.status } as NodeClaim, {
        subresource: "status",
      });
      await clock.runFor(0);
      const claim = cluster.get("nodeclaims", { name });
      assert.ok(claim?.status?.providerID, `NodeClaim ${name} launched`);
      return claim;
    },
    nodeOf,
    async until(done, what, { stepMs = 250, limitMs = 10 * 60_000 } = {}) {
      const start = clock.now().getTime();
      await clock.runFor(0);
      while (!done()) {
        if (clock.now().getTime() - start > limitMs)
          assert.fail(`${what}: not within ${limitMs / 1000} s of simulated time`);
        await clock.runFor(stepMs);
      }
      return clock.now().getTime() - start;
    },
    async stop() {
      unsubscribe();
      registration.stop();
      await cluster.stop();
      await world.stop();
    },
  };
}
