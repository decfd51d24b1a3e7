// `poolkeeper run` in this process, through `main` as the CLI calls it, against the simulated world on one virtual
// clock: the world (controllers, scheduler, kubelets, node lifecycle, node registration after the 60 s boot delay)
// serving its Kubernetes API over HTTPS and its AWS endpoint (EC2, SSM, IAM, SQS) over HTTP, a real Git server with
// the pool repository, and run's JSON log collected. Time moves only when the test moves it, and only once no HTTP
// request is in flight (cli/demo/quiescence.ts), so nothing depends on the machine's speed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { World, type KubeObject, type ServedWorld } from "../../sim/index.ts";
import type { EventBridge } from "../../sim/world/cloud/index.ts";
import { NodeRegistration } from "../../sim/world/node-registration/index.ts";
import { FakeClock } from "./fake-clock.ts";
import { startGitServer, type GitServer } from "./git-server.ts";
import { guardAgainstHang } from "./hang-guard.ts";
import { Quiescence } from "../../cli/demo/quiescence.ts";
import { gitCli } from "./pool-repo.ts";
import { kindOf } from "./sim-world.ts";
import { simulatedRunArguments } from "../../cli/demo/run-arguments.ts";

export const CLUSTER = "prod";
export const QUEUE = "prod-interruptions";
export const SERVICE_CIDR = "10.100.0.0/16";
export const DNS_IP = "10.100.0.10";
export const STATUS_BRANCH = "poolkeeper-status";

type Json = Record<string, unknown>;

/** The EC2NodeClass every scenario commits: the world's discovery tags, role and AL2023 images. */
export const NODE_CLASS = `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  role: KarpenterNodeRole-prod
  amiSelectorTerms:
    - alias: al2023@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: prod
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: prod
  metadataOptions:
    httpEndpoint: enabled
    httpTokens: required
    httpPutResponseHopLimit: 1
`;

/** A spot-only pool of m5.xlarge (3,920m allocatable CPU: four 900m pods), so packing is arithmetic. */
export const NODE_POOL = `apiVersion: karpenter.sh/v1
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
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot"]
        - key: node.kubernetes.io/instance-type
          operator: In
          values: ["m5.xlarge"]
      expireAfter: 720h
  limits:
    cpu: "1000"
    memory: 1000Gi
  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: 1h
    budgets:
      - nodes: "10%"
`;

/** A Deployment of `replicas` pods of 900m CPU and 1Gi. */
export function appDeployment(replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "app" } },
      template: {
        metadata: { labels: { app: "app" } },
        spec: {
          containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "900m", memory: "1Gi" } } }],
        },
      },
    },
  };
}

export interface RunWorld {
  readonly clock: FakeClock;
  readonly world: World;
  readonly served: ServedWorld;
  readonly events: EventBridge;
  readonly git: GitServer;
  readonly dir: string;
  /** The admin kubeconfig of the served API. */
  readonly kubeconfig: string;
  /** The pool repository's working tree; `commit` writes, commits and pushes files. */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
  /** Starts `poolkeeper run` with these arguments after the common ones; resolves once it serves. */
  startRun(args: string[], options?: { kubeconfig?: string }): Promise<RunningPoolkeeper>;
  /** Moves the clock in steps, each once no request is in flight, until `done()`; fails past `limitMs`. */
  until(done: () => boolean, what: string, options?: { stepMs?: number; limitMs?: number }): Promise<number>;
  /** Objects of a kind in the world's store. */
  list(group: string, version: string, plural: string, namespace?: string): KubeObject[];
  /** The status branch's commit messages, newest first. */
  statusCommits(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface RunningPoolkeeper {
  readonly lines: Json[];
  /** Stops it as SIGTERM would; resolves with its exit code. */
  stop(): Promise<number>;
  readonly err: () => string;
}

const POOLKEEPER_YAML = `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolkeeperConfig
spec:
  cluster: ${CLUSTER}
  pollInterval: 10s
  coalesce: 0s
`;

export async function startRunWorld(options: { interruptionQueue?: boolean } = {}): Promise<RunWorld> {
  const clock = new FakeClock(new Date("2026-06-01T09:00:00Z"));
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-run-world-"));
  const world = new World({
    clock,
    scenario: { cloud: { clusterName: CLUSTER, ...(options.interruptionQueue ? { interruptionQueue: QUEUE } : {}) } },
  }).start();
  const served = await world.serve({ dir });
  if (options.interruptionQueue) served.aws.queues.create(QUEUE, {});
  const registration = new NodeRegistration(world.cloud, world.store, { clock }).start();
  // What every cluster has: kube-dns's Service, whose ClusterIP run discovers for the kubelets.
  world.store.create(kindOf(world.store, "", "v1", "services"), "kube-system", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system" },
    spec: { clusterIP: DNS_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
  });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig());
  const git = await startGitServer();
  git.createBareRepo("pools.git");
  const work = join(dir, "work");
  await gitCli(dir, "init", "--quiet", "--initial-branch=main", work);
  const commit = async (message: string, files: Record<string, string | null>) => {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(work, path), { force: true });
      else {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), text);
      }
    }
    await gitCli(work, "add", "-A");
    await gitCli(work, "commit", "--quiet", "--allow-empty", "-m", message);
    await gitCli(work, "push", "--quiet", git.url("pools.git"), "HEAD:main");
    return gitCli(work, "rev-parse", "HEAD");
  };
  await commit("config", { "poolkeeper.yaml": POOLKEEPER_YAML });

  const quiescence = new Quiescence();
  const saved = { ...process.env };
  // The SDK's default chain, as a pod with Pod Identity would have it.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDSIMULATED", AWS_SECRET_ACCESS_KEY: "simulated-secret" });
  const runs: RunningPoolkeeper[] = [];

  const until: RunWorld["until"] = async (done, what, { stepMs = 1_000, limitMs = 10 * 60_000 } = {}) => {
    const start = clock.now().getTime();
    await quiescence.quiet();
    while (!done()) {
      if (clock.now().getTime() - start > limitMs)
        assert.fail(`${what}: not within ${limitMs / 1000} s of simulated time`);
      clock.step(stepMs);
      await quiescence.quiet();
    }
    return clock.now().getTime() - start;
  };

  return {
    clock,
    world,
    served,
    events: served.aws.events,
    git,
    dir,
    kubeconfig,
    commit,
    async startRun(args, runOptions = {}) {
      const lines: Json[] = [];
      // The manager's first phase: the start's work (caches synced, the Lease tried) is done — an event to wait for.
      let phased: () => void = () => {};
      const phase = new Promise<void>((resolve) => (phased = resolve));
      const log = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (const text of chunk.toString("utf8").split("\n")) {
            if (text === "") continue;
            const line = JSON.parse(text) as Json;
            lines.push(line);
            if (/^controller manager (leading|standby|passive)$/.test(String(line.msg))) phased();
          }
          callback();
        },
      });
      const stop = new AbortController();
      const out = capturedOutput();
      let listening: () => void = () => {};
      const serving = new Promise<void>((resolve) => (listening = resolve));
      const exit = main(
        [
          "run",
          ...simulatedRunArguments({
            repo: git.url("pools.git"),
            cacheDir: join(dir, `cache-${runs.length}`),
            kubeconfig: runOptions.kubeconfig ?? kubeconfig,
            region: "us-west-2",
            awsEndpoint: served.aws.endpoint,
            serviceCidr: SERVICE_CIDR,
          }),
          ...args,
        ],
        out,
        { run: { clock, signal: stop.signal, log, onListening: () => listening() } },
      );
      await guardAgainstHang(
        Promise.race([serving, exit.then((code) => assert.fail(`run exited ${code}: ${out.err}`))]),
        "run to serve",
      );
      await guardAgainstHang(
        Promise.race([phase, exit.then((code) => assert.fail(`run exited ${code}: ${out.err}`))]),
        "run to lead or stand by",
      );
      const running: RunningPoolkeeper = {
        lines,
        err: () => out.err,
        async stop() {
          stop.abort();
          return guardAgainstHang(exit, "run to stop");
        },
      };
      runs.push(running);
      return running;
    },
    until,
    list: (group, version, plural, namespace) =>
      world.store.list(kindOf(world.store, group, version, plural), namespace === undefined ? {} : { namespace }).items,
    async statusCommits() {
      const bare = join(git.root, "pools.git");
      const log = await gitCli(bare, "log", "--format=%B%x00", STATUS_BRANCH).catch(() => "");
      return log
        .split("\0")
        .map((m) => m.trim())
        .filter((m) => m !== "");
    },
    async stop() {
      for (const run of runs) await run.stop();
      quiescence.close();
      registration.stop();
      await world.stop();
      await git.stop();
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) Reflect.deleteProperty(process.env, name);
      Object.assign(process.env, saved);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
