// The simulated world with poolkeeper's provisioning running against it, on one fake clock: the world (its
// controllers, scheduler, kubelets, node lifecycle and volumes) and its AWS account served over HTTP to the AWS
// cloud provider through adapters/aws, node registration booting launched instances into Nodes, and the
// provisioner, NodeClaim lifecycle and garbage collection over the Cluster port — in process (StoreCluster) by
// default, or any other implementation (adapters/kube over the served API). Time moves only when a test moves it;
// `settle` waits until no controller has work under way, so nothing depends on the machine's speed.
import { setImmediate as nextTurn } from "node:timers/promises";
import { Registry } from "prom-client";
import type { Cluster, EC2NodeClass, FleetRequest, NodePool } from "../../api/index.ts";
import { sdkAwsPorts } from "../../adapters/aws/index.ts";
import { AwsCloudProvider } from "../../cloudprovider/aws/index.ts";
import {
  Launcher,
  NodeClaimGarbageCollection,
  NodeClaimLifecycle,
  type NodeClaimStatusEvent,
} from "../../controller/nodeclaim/index.ts";
import {
  createProvisioningMetrics,
  Provisioner,
  type PendingEvent,
  type ProvisionedEvent,
  type ProvisioningMetrics,
} from "../../controller/provisioning/index.ts";
import { silentLogger } from "../../runtime/index.ts";
import { type KubeObject, StoreCluster, World } from "../../sim/index.ts";
import { type AwsServer, startAwsServer } from "../../sim/aws/index.ts";
import type { CloudScenario } from "../../sim/world/cloud/index.ts";
import { NodeRegistration } from "../../sim/world/node-registration/index.ts";
import { FakeClock } from "./fake-clock.ts";

export const START = new Date("2026-03-02T09:00:00Z");
export const CLUSTER = {
  name: "sim",
  endpoint: "https://sim.example",
  caBundle: Buffer.from("-----BEGIN CERTIFICATE-----\nsim\n-----END CERTIFICATE-----\n").toString("base64"),
  serviceCIDR: "10.100.0.0/16",
  dnsIP: "10.100.0.10",
};

export const NODE_CLASS: EC2NodeClass = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    amiSelectorTerms: [{ alias: "al2023@latest" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
    role: "KarpenterNodeRole-sim",
  },
} as EC2NodeClass;

/** A pool's requirements that allow one on-demand m5.large: a launch whose type and price a test knows. */
export const ON_DEMAND_M5_LARGE: NodePool["spec"]["template"]["spec"]["requirements"] = [
  { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
  { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
];

export function nodePool(
  name: string,
  requirements: NodePool["spec"]["template"]["spec"]["requirements"],
  options: { limits?: Record<string, string>; weight?: number; nodeClass?: string } = {},
): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: options.nodeClass ?? "default" },
          requirements,
        },
      },
      disruption: { consolidateAfter: "Never" },
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.weight === undefined ? {} : { weight: options.weight }),
    },
  } as NodePool;
}

export function deployment(
  name: string,
  replicas: number,
  requests: { cpu: string; memory: string },
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests } }], ...extra },
      },
    },
  };
}

/** The pod's node, once the world's scheduler has bound it. */
export function nodeNameOf(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName;
}

export interface ProvisioningWorld {
  readonly clock: FakeClock;
  readonly world: World;
  readonly aws: AwsServer;
  readonly cluster: Cluster;
  readonly provider: AwsCloudProvider;
  readonly provisioner: Provisioner;
  readonly lifecycle: NodeClaimLifecycle;
  readonly gc: NodeClaimGarbageCollection;
  readonly registration: NodeRegistration;
  readonly registry: Registry;
  readonly metrics: ProvisioningMetrics;
  /** The launches the status report was told of, in order. */
  readonly status: ProvisionedEvent[];
  /** The batches of still-pending pods the status report was told of, in order. */
  readonly pending: PendingEvent[];
  /** What the lifecycle's timeouts and garbage collection told the status report, in order. */
  readonly nodeClaimStatus: NodeClaimStatusEvent[];
  /** Every CreateFleet request the provider made, in order. */
  readonly fleets: FleetRequest[];
  /** Creates objects in the world's store (kind by apiVersion and kind). */
  create(...objects: object[]): void;
  list(apiVersion: string, kind: string): KubeObject[];
  /** The pods of the default namespace, optionally only those labelled `app`. */
  pods(app?: string): KubeObject[];
  /** Events with this reason, optionally only about the named object. */
  /** Events by reason (and object); `component` is who wrote it (`default-scheduler` for the world's scheduler). */
  events(reason: string, about?: string): { message: string; involved: string; count: number; component: string }[];
  /** Waits until no controller has work under way. */
  settle(): Promise<void>;
  /** Moves the clock `ms` forward in steps, settling after each. */
  runFor(ms: number, stepMs?: number): Promise<void>;
  /** Moves the clock in steps until `done` holds; fails after `maxMs` of simulated time, saying `what`. */
  runUntil(done: () => boolean, what: string, maxMs?: number, stepMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ProvisioningWorldOptions {
  readonly cloud?: Partial<CloudScenario>;
  /** Another Cluster port over the same world (adapters/kube over the served API); StoreCluster otherwise. */
  readonly cluster?: (world: World) => Promise<{ cluster: Cluster; close(): Promise<void> }>;
  readonly gcGracePeriodMs?: number;
}

const PLURALS: Record<string, [string, string, string]> = {
  NodePool: ["karpenter.sh", "v1", "nodepools"],
  EC2NodeClass: ["karpenter.k8s.aws", "v1", "ec2nodeclasses"],
  Deployment: ["apps", "v1", "deployments"],
  DaemonSet: ["apps", "v1", "daemonsets"],
  Pod: ["", "v1", "pods"],
  NodeClaim: ["karpenter.sh", "v1", "nodeclaims"],
  Node: ["", "v1", "nodes"],
  Event: ["", "v1", "events"],
  PersistentVolume: ["", "v1", "persistentvolumes"],
  PersistentVolumeClaim: ["", "v1", "persistentvolumeclaims"],
  StorageClass: ["storage.k8s.io", "v1", "storageclasses"],
};

export async function startProvisioningWorld(options: ProvisioningWorldOptions = {}): Promise<ProvisioningWorld> {
  const clock = new FakeClock(START);
  const world = new World({ clock, scenario: { cloud: options.cloud ?? {} } }).start();
  const aws = await startAwsServer({ cloud: world.cloud, clock, logger: silentLogger() });
  const ports = sdkAwsPorts({
    endpoint: aws.endpoint,
    region: world.cloud.scenario.region,
    credentials: { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" },
  });
  const fleets: FleetRequest[] = [];
  const ec2 = ports.ec2;
  const recording = new Proxy(ec2, {
    get(target, property, receiver) {
      if (property === "createFleet") {
        return (request: FleetRequest) => {
          fleets.push(request);
          return target.createFleet(request);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const registration = new NodeRegistration(world.cloud, world.store, { clock }).start();
  const custom = await options.cluster?.(world);
  const cluster = custom?.cluster ?? new StoreCluster(world.store, { clock });
  if (custom === undefined) await cluster.start();
  const provider = new AwsCloudProvider({
    ports: { ...ports, ec2: recording },
    clock,
    region: world.cloud.scenario.region,
    kubernetesVersion: "1.34",
    cluster: CLUSTER,
    nodeClass: (name) => cluster.get("ec2nodeclasses", { name }),
  });
  await provider.instanceTypes.refresh();
  const registry = new Registry();
  const metrics = createProvisioningMetrics(registry);
  const status: ProvisionedEvent[] = [];
  const pending: PendingEvent[] = [];
  const launcher = new Launcher({ cluster, cloudProvider: provider, clock });
  const provisioner = new Provisioner({
    cluster,
    cloudProvider: provider,
    launcher,
    clock,
    metrics,
    status: { record: (event) => (event.kind === "pending" ? pending.push(event) : status.push(event)) },
  }).start();
  const nodeClaimStatus: NodeClaimStatusEvent[] = [];
  const nodeClaimSink = { record: (event: NodeClaimStatusEvent) => nodeClaimStatus.push(event) };
  const lifecycle = new NodeClaimLifecycle({
    cluster,
    launcher,
    clock,
    observedCapacity: provider,
    status: nodeClaimSink,
  }).start();
  const gc = new NodeClaimGarbageCollection({
    cluster,
    cloudProvider: provider,
    clock,
    status: nodeClaimSink,
    ...(options.gcGracePeriodMs === undefined ? {} : { gracePeriodMs: options.gcGracePeriodMs }),
  }).start();

  const controllers = [provisioner, lifecycle, gc];
  const settle = async () => {
    for (let round = 0; round < 10_000; round++) {
      await nextTurn();
      await nextTurn();
      if (controllers.every((c) => !c.busy)) return;
      await Promise.all(controllers.map((c) => c.idle()));
    }
    throw new Error("the controllers never settled");
  };
  const kind = (apiVersion: string, k: string) => {
    const plural = PLURALS[k];
    if (plural === undefined) throw new Error(`no plural for ${k}`);
    return world.kind(...plural);
  };
  const runFor = async (ms: number, stepMs = 1_000) => {
    for (let passed = 0; passed < ms; passed += stepMs) {
      clock.step(Math.min(stepMs, ms - passed));
      await settle();
    }
  };
  return {
    clock,
    world,
    aws,
    cluster,
    provider,
    provisioner,
    lifecycle,
    gc,
    registration,
    registry,
    metrics,
    status,
    pending,
    nodeClaimStatus,
    fleets,
    create(...objects) {
      for (const object of objects as KubeObject[]) {
        const k = kind(String(object.apiVersion), String(object.kind));
        world.store.create(
          k,
          k.namespaced ? String(object.metadata?.namespace ?? "default") : undefined,
          structuredClone(object),
        );
      }
    },
    list: (apiVersion, k) => world.store.list(kind(apiVersion, k)).items,
    pods: (app) =>
      world.store
        .list(kind("v1", "Pod"), { namespace: "default" })
        .items.filter(
          (p) => app === undefined || (p.metadata?.labels as Record<string, string> | undefined)?.["app"] === app,
        ),
    events: (reason, about) =>
      world.store
        .list(kind("v1", "Event"))
        .items.map(
          (e) =>
            e as unknown as {
              reason?: string;
              message?: string;
              count?: number;
              involvedObject: { name?: string };
              source?: { component?: string };
              reportingComponent?: string;
            },
        )
        .filter((e) => e.reason === reason && (about === undefined || e.involvedObject.name === about))
        .map((e) => ({
          message: e.message ?? "",
          involved: e.involvedObject.name ?? "",
          count: e.count ?? 1,
          component: e.source?.component ?? e.reportingComponent ?? "",
        })),
    settle,
    runFor,
    async runUntil(done, what, maxMs = 30 * 60_000, stepMs = 1_000) {
      await settle();
      for (let passed = 0; !done(); passed += stepMs) {
        if (passed >= maxMs) throw new Error(`${what}: not within ${maxMs / 1000} s of simulated time`);
        clock.step(stepMs);
        await settle();
      }
    },
    async stop() {
      provisioner.stop();
      lifecycle.stop();
      gc.stop();
      await settle();
      await cluster.stop();
      await custom?.close();
      registration.stop();
      ports.destroy();
      await aws.close();
      await world.stop();
    },
  };
}
