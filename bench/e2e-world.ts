// The simulated world the end-to-end bench runs `poolkeeper run` against, on a scaled clock shared with the
// controller's process (POOLKEEPER_SIM_CLOCK): the Kubernetes API over HTTPS, EC2/SSM/IAM/SQS over HTTP, instances
// booting into Nodes 60 s of simulated time after launch, a Git server with the pool repository. Reads of the world
// (pods running, NodeClaims, reserved utilization) go to its store directly: they are the bench's, not the
// controller's, work.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseQuantity, ScaledClock } from "../api/index.ts";
import { NodeRegistration, World, type KubeObject, type ServedWorld } from "../sim/index.ts";
import { startGitServer, type GitServer } from "../test/support/git-server.ts";
import { gitCli } from "../test/support/pool-repo.ts";
import { kindOf } from "../test/support/sim-world.ts";
import { startBenchController, type BenchController } from "./e2e-controller.ts";
import { simulatedRunArguments } from "../cli/demo/run-arguments.ts";

const CLUSTER = "prod";
const SERVICE_CIDR = "10.100.0.0/16";
const DNS_IP = "10.100.0.10";
/** NodeRegistration's default: an instance becomes a Node this long after it launched. */
export const BOOT_DELAY_MS = 60_000;

const POOLKEEPER_YAML = `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolkeeperConfig
spec:
  cluster: ${CLUSTER}
  pollInterval: 10s
`;

const NODE_CLASS = `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  role: KarpenterNodeRole-${CLUSTER}
  amiSelectorTerms:
    - alias: al2023@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: ${CLUSTER}
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: ${CLUSTER}
  metadataOptions:
    httpEndpoint: enabled
    httpTokens: required
    httpPutResponseHopLimit: 1
`;

/**
 * A pool shaped like the one Karpenter's e2e suites run on (c, m and r families past the second generation,
 * on-demand, amd64), consolidating underutilized nodes at once, with the default budget of 10 % of the nodes. No
 * limits: under a limit the scheduler holds back, per new NodeClaim, the largest type it might become (Karpenter's
 * rule), and 27 NodeClaims of this pool would hold back 10,000 CPUs.
 */
const NODE_POOL = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: default
spec:
  template:
    spec:
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: default
      requirements:
        - key: karpenter.k8s.aws/instance-category
          operator: In
          values: ["c", "m", "r"]
        - key: karpenter.k8s.aws/instance-generation
          operator: Gt
          values: ["2"]
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["on-demand"]
        - key: kubernetes.io/arch
          operator: In
          values: ["amd64"]
      expireAfter: 720h
  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: 0s
`;

/** Basic_test.go's two workloads: 500 × 900m/3100Mi and 500 × 3500m/28Gi. */
export const WORKLOADS = [
  { name: "small", cpu: "900m", memory: "3100Mi" },
  { name: "large", cpu: "3500m", memory: "28Gi" },
] as const;

export interface Utilization {
  cpu: number;
  memory: number;
  nodes: number;
}

export interface BenchWorld {
  readonly clock: ScaledClock;
  readonly world: World;
  readonly controller: BenchController;
  /** Sets each workload's replicas (creating the Deployments the first time). */
  scale(replicas: number): void;
  /** Whether the NodePool from Git is in the cluster. */
  poolApplied(): boolean;
  /** Pods not being deleted, and how many of them run bound to a node. */
  pods(): { total: number; running: number };
  /** NodeClaims, and how many are being deleted. */
  nodeClaims(): { total: number; deleting: number };
  /** Requests of the running pods over the allocatable of the nodes they may run on. */
  utilization(): Utilization;
  stop(): Promise<void>;
}

export async function startBenchWorld(factor: number): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-e2e-bench-"));
  const clock = new ScaledClock({ start: new Date("2026-06-01T09:00:00Z"), factor });
  const world = new World({ clock, seed: 0, scenario: { cloud: { clusterName: CLUSTER } } }).start();
  const served: ServedWorld = await world.serve({ dir });
  const registration = new NodeRegistration(world.cloud, world.store, { clock, bootDelayMs: BOOT_DELAY_MS }).start();
  const store = world.store;
  const kinds = {
    pods: kindOf(store, "", "v1", "pods"),
    nodes: kindOf(store, "", "v1", "nodes"),
    nodeClaims: kindOf(store, "karpenter.sh", "v1", "nodeclaims"),
    nodePools: kindOf(store, "karpenter.sh", "v1", "nodepools"),
    deployments: kindOf(store, "apps", "v1", "deployments"),
  };
  store.create(kindOf(store, "", "v1", "services"), "kube-system", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system" },
    spec: { clusterIP: DNS_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
  });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig(), { mode: 0o600 });

  const git: GitServer = await startGitServer();
  git.createBareRepo("pools.git");
  const work = join(dir, "work");
  await gitCli(dir, "init", "--quiet", "--initial-branch=main", work);
  for (const [path, text] of Object.entries({
    "poolkeeper.yaml": POOLKEEPER_YAML,
    "pools/nodeclass.yaml": NODE_CLASS,
    "pools/nodepool.yaml": NODE_POOL,
  })) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  await gitCli(work, "add", "-A");
  await gitCli(work, "commit", "--quiet", "-m", "pools: the e2e bench's class and pool");
  await gitCli(work, "push", "--quiet", git.url("pools.git"), "HEAD:main");

  const controller = await startBenchController(
    [
      ...simulatedRunArguments({
        repo: git.url("pools.git"),
        cacheDir: join(dir, "run-cache"),
        kubeconfig,
        region: world.cloud.scenario.region,
        awsEndpoint: served.aws.endpoint,
        serviceCidr: SERVICE_CIDR,
      }),
      // One replica: a lease at a scaled clock could lapse on a loaded machine and stop the loops mid-run.
      "--leader-elect=false",
    ],
    {
      PATH: process.env.PATH,
      HOME: dir,
      POOLKEEPER_SIM_CLOCK: JSON.stringify(clock.publish()),
      ...served.awsEnvironment(),
      AWS_EC2_METADATA_DISABLED: "true",
      // V8 settings for the controller (a heap limit, say), as a deployment would set them.
      ...(process.env.E2E_NODE_OPTIONS ? { NODE_OPTIONS: process.env.E2E_NODE_OPTIONS } : {}),
      // glibc's malloc arenas for the controller alone (the world's process keeps its own setting).
      ...(process.env.E2E_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.E2E_MALLOC_ARENA_MAX } : {}),
      // glibc's mmap threshold: allocations this large or larger are mapped apart and returned when freed.
      ...(process.env.E2E_MALLOC_MMAP_THRESHOLD
        ? { MALLOC_MMAP_THRESHOLD_: process.env.E2E_MALLOC_MMAP_THRESHOLD }
        : {}),
    },
    process.env.E2E_LOG ?? join(dir, "controller.log"),
    // E2E_DIST=1: the compiled dist/ (`npm run build`), not the sources; E2E_BUNDLE=1: the bundle (dist/bundle/,
    // `node scripts/bundle.ts`), which bin/poolkeeper.js prefers to dist/ when it is there (e2e.bench.ts checks which).
    // E2E_NODE_FLAGS: Node and V8 flags NODE_OPTIONS refuses (`--trace-gc`, whose lines land in the log file and
    // are skipped as not JSON), space-separated.
    [
      ...(process.env.E2E_DIST === "1" || process.env.E2E_BUNDLE === "1" ? ["--no-experimental-strip-types"] : []),
      ...(process.env.E2E_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== ""),
    ],
  );

  const requests = (pod: KubeObject) => {
    const containers = ((pod.spec as { containers?: { resources?: { requests?: Record<string, string> } }[] })
      ?.containers ?? []) as { resources?: { requests?: Record<string, string> } }[];
    let cpu = 0;
    let memory = 0;
    for (const c of containers) {
      cpu += parseQuantity(c.resources?.requests?.cpu ?? "0").toNumber();
      memory += parseQuantity(c.resources?.requests?.memory ?? "0").toNumber();
    }
    return { cpu, memory };
  };
  const isRunning = (pod: KubeObject) =>
    (pod.spec as { nodeName?: string } | undefined)?.nodeName !== undefined &&
    (pod.status as { phase?: string } | undefined)?.phase === "Running";

  return {
    clock,
    world,
    controller,
    scale(replicas) {
      for (const w of WORKLOADS) {
        const current = store.find(kinds.deployments, "default", w.name);
        if (current === undefined) store.create(kinds.deployments, "default", deployment(w, replicas));
        else {
          (current.spec as { replicas: number }).replicas = replicas;
          store.update(kinds.deployments, "default", w.name, current);
        }
      }
    },
    poolApplied: () => store.find(kinds.nodePools, undefined, "default") !== undefined,
    pods() {
      let total = 0;
      let running = 0;
      for (const pod of store.scan(kinds.pods)) {
        if (pod.metadata?.namespace !== "default" || pod.metadata?.deletionTimestamp !== undefined) continue;
        total += 1;
        if (isRunning(pod)) running += 1;
      }
      return { total, running };
    },
    nodeClaims() {
      let total = 0;
      let deleting = 0;
      for (const claim of store.scan(kinds.nodeClaims)) {
        total += 1;
        if (claim.metadata?.deletionTimestamp !== undefined) deleting += 1;
      }
      return { total, deleting };
    },
    utilization() {
      // Karpenter's e2e ExpectResourceRequestsUtilization-style figure: requests over allocatable, nodes poolkeeper
      // launched (labelled with the NodePool) only.
      let cpu = 0;
      let memory = 0;
      let nodes = 0;
      const launched = new Set<string>();
      for (const node of store.scan(kinds.nodes)) {
        const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
        if (labels["karpenter.sh/nodepool"] === undefined) continue;
        launched.add(String(node.metadata?.name));
        const allocatable = (node.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {};
        cpu += parseQuantity(allocatable.cpu ?? "0").toNumber();
        memory += parseQuantity(allocatable.memory ?? "0").toNumber();
        nodes += 1;
      }
      let cpuUsed = 0;
      let memoryUsed = 0;
      for (const pod of store.scan(kinds.pods)) {
        if (!isRunning(pod) || !launched.has((pod.spec as { nodeName: string }).nodeName)) continue;
        const r = requests(pod);
        cpuUsed += r.cpu;
        memoryUsed += r.memory;
      }
      return { cpu: cpu === 0 ? 0 : cpuUsed / cpu, memory: memory === 0 ? 0 : memoryUsed / memory, nodes };
    },
    async stop() {
      await controller.stop();
      registration.stop();
      await world.stop();
      await git.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function deployment(w: (typeof WORKLOADS)[number], replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: w.name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: w.name } },
      template: {
        metadata: { labels: { app: w.name } },
        spec: {
          containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: w.cpu, memory: w.memory } } }],
        },
      },
    },
  };
}
