// The simulated world for `poolkeeper run` started as its own processes (test/support/poolkeeper-process.ts), as a
// deployment runs its replicas: the world on a scaled clock shared with the processes (POOLKEEPER_SIM_CLOCK),
// serving its Kubernetes API over HTTPS and its AWS endpoint (EC2, SSM, IAM, SQS with the interruption queue),
// instances booting into Nodes, kube-dns's Service, and a local pool repository holding poolkeeper.yaml, the
// EC2NodeClass and a NodePool. Each replica gets its own cache directory, as each pod has its own volume, and may
// get its own ServiceAccount, so that the API server's audit log tells the replicas' requests apart.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ScaledClock } from "../../api/index.ts";
import { NodeRegistration, World, type KubeObject, type ServedWorld } from "../../sim/index.ts";
import { guardAgainstHang } from "./hang-guard.ts";
import { gitCli } from "./pool-repo.ts";
import { CLUSTER, DNS_IP, NODE_CLASS, QUEUE, SERVICE_CIDR } from "./run-world.ts";
import { kindOf } from "./sim-world.ts";
import { simulatedRunArguments } from "../../cli/demo/run-arguments.ts";

export interface ProcessWorld {
  dir: string;
  clock: ScaledClock;
  world: World;
  served: ServedWorld;
  repo: string;
  env: NodeJS.ProcessEnv;
  /** `run`'s arguments for one replica (its own cache directory), then `extra`. */
  runArgs(replica: string, extra?: string[], kubeconfig?: string): string[];
  /**
   * A kubeconfig authenticating as ServiceAccount `kube-system/<name>`, bound to cluster-admin: the token the
   * legacy token controller writes into a service-account-token Secret.
   */
  serviceAccountKubeconfig(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startProcessWorld(options: {
  factor: number;
  seed: number;
  nodePool: string;
  /** Written to the repository's poolkeeper.yaml. */
  config: string;
  /** The instance types the region has (the world's scenario.cloud.instanceTypes); every catalog type by default. */
  instanceTypes?: string[];
}): Promise<ProcessWorld> {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-process-world-"));
  const clock = new ScaledClock({ start: new Date("2026-06-01T09:00:00Z"), factor: options.factor });
  const world = new World({
    clock,
    seed: options.seed,
    scenario: {
      cloud: {
        clusterName: CLUSTER,
        interruptionQueue: QUEUE,
        ...(options.instanceTypes === undefined ? {} : { instanceTypes: options.instanceTypes }),
      },
    },
  }).start();
  const served = await world.serve({ dir });
  served.aws.queues.create(QUEUE, {});
  const registration = new NodeRegistration(world.cloud, world.store, { clock }).start();
  world.store.create(kindOf(world.store, "", "v1", "services"), "kube-system", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system" },
    spec: { clusterIP: DNS_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
  });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig());
  const repo = join(dir, "repo");
  mkdirSync(join(repo, "pools"), { recursive: true });
  await gitCli(dir, "init", "--quiet", "--initial-branch=main", repo);
  writeFileSync(join(repo, "poolkeeper.yaml"), options.config);
  writeFileSync(join(repo, "pools", "nodeclass.yaml"), NODE_CLASS);
  writeFileSync(join(repo, "pools", "nodepool.yaml"), options.nodePool);
  await gitCli(repo, "add", "-A");
  await gitCli(repo, "commit", "--quiet", "-m", "pools");
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    POOLKEEPER_SIM_CLOCK: JSON.stringify(clock.publish()),
    ...served.awsEnvironment(),
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return {
    dir,
    clock,
    world,
    served,
    repo,
    env,
    runArgs: (replica, extra = [], config = kubeconfig) => [
      "run",
      ...simulatedRunArguments({
        repo,
        cacheDir: join(dir, `cache-${replica}`),
        kubeconfig: config,
        region: world.cloud.scenario.region,
        awsEndpoint: served.aws.endpoint,
        interruptionQueue: QUEUE,
        serviceCidr: SERVICE_CIDR,
      }),
      ...extra,
    ],
    async serviceAccountKubeconfig(name) {
      const store = world.store;
      const secrets = kindOf(store, "", "v1", "secrets");
      // The token controller fills the Secret after its creation: wait for that write (an event, not a time).
      const filled = new Promise<KubeObject>((resolve) => {
        const watch = store.watch(secrets, { resourceVersion: String(store.resourceVersion) }, (event) => {
          const data = (event.object as { data?: Record<string, string> }).data;
          if (event.object.metadata?.name === `${name}-token` && data?.token !== undefined) {
            watch.stop();
            resolve(event.object);
          }
        });
      });
      store.create(kindOf(store, "", "v1", "serviceaccounts"), "kube-system", {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name, namespace: "kube-system" },
      });
      store.create(kindOf(store, "rbac.authorization.k8s.io", "v1", "clusterrolebindings"), undefined, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${name}-admin` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", name, namespace: "kube-system" }],
      });
      store.create(secrets, "kube-system", {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/service-account-token",
        metadata: {
          name: `${name}-token`,
          namespace: "kube-system",
          annotations: { "kubernetes.io/service-account.name": name },
        },
      });
      const secret = await guardAgainstHang(filled, `the token of ServiceAccount ${name}`);
      const token = Buffer.from(
        String((secret.data as Record<string, string> | undefined)?.token ?? ""),
        "base64",
      ).toString("utf8");
      if (token === "") throw new Error(`no token written for ServiceAccount ${name}`);
      const config = parse(served.kube.kubeconfig()) as { users: { user: { token: string } }[] };
      for (const user of config.users) user.user.token = token;
      const file = join(dir, `${name}.kubeconfig`);
      writeFileSync(file, stringify(config));
      return file;
    },
    async stop() {
      registration.stop();
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
