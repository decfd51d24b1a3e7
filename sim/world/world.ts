// One world on one clock: the cluster's store, the controllers a cluster runs (Deployments, ReplicaSets,
// DaemonSets, Jobs, disruption budgets), the scheduler stand-in running, the kubelets, the node lifecycle
// controller and pod GC, the volume controllers, and the AWS account — in process for fast tests
// (`startWorld({ clock: new VirtualClock(…) })`), and served over HTTPS (the Kubernetes API) and HTTP(S) (the
// AWS endpoint) by `serve()` for clients in other processes.
import type { TimerClock } from "../../api/index.ts";
import { silentLogger, type Logger } from "../../runtime/index.ts";
import { startAwsServer, type AwsServer } from "../aws/server.ts";
import { createClusterStore, startKubeApiServer, type KubeApiServer } from "../kube/http/api-server.ts";
import type { ObjectStore } from "../kube/store/object-store.ts";
import type { StoreLimits } from "../kube/store/limits.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { Cloud, defaultScenario, loadInstanceTypes, regionInstanceTypes, type CloudScenario } from "./cloud/index.ts";
import { WorldControllers } from "./controllers/index.ts";
import { EventRecorder } from "./events.ts";
import { Kubelets, type KubeletOptions } from "./kubelet.ts";
import { NodeLifecycle } from "./node-lifecycle.ts";
import type { ScenarioObject } from "./scenario-file.ts";
import { ScenarioError } from "./scenario-file.ts";
import { SchedulerLoop } from "./scheduler-loop.ts";
import { Volumes, type VolumeOptions } from "./volumes.ts";

export interface WorldScenario {
  /** Objects created at start, in order (a scenario file's, read by readScenario). */
  objects?: ScenarioObject[];
  /** The AWS account: region, zones, subnets, images, offerings not offered… (defaultScenario's otherwise). */
  cloud?: Partial<CloudScenario>;
  kubelet?: KubeletOptions;
  volumes?: VolumeOptions;
}

export interface StartWorldOptions {
  /** Virtual in-process (api/'s VirtualClock), scaled for several processes (ScaledClock). */
  clock: TimerClock;
  /** Seeds every draw the world makes (scheduler ties, faults); 0 by default. */
  seed?: number;
  scenario?: WorldScenario;
  limits?: Partial<StoreLimits>;
  /**
   * Which components run; all by default. Tests that play the scheduler or the kubelet themselves (binding pods,
   * writing their status) turn those off; a benchmark of the API alone turns them all off.
   */
  run?: Partial<Record<WorldComponent, boolean>>;
}

export type WorldComponent = "controllers" | "scheduler" | "kubelets" | "volumes" | "nodeLifecycle";

export interface ServeOptions {
  /** Where the serving certificate's files go; a temporary directory by default. */
  dir?: string;
  /** The Kubernetes API's port; any free one by default. */
  port?: number;
  /** The AWS endpoint's port; any free one by default. */
  awsPort?: number;
  logger?: Logger;
}

export interface ServedWorld {
  kube: KubeApiServer;
  aws: AwsServer;
  /** The AWS SDK's and awscli's environment for this world: endpoints, region, dummy credentials. */
  awsEnvironment(): Record<string, string>;
  close(): Promise<void>;
}

export class World {
  readonly store: ObjectStore;
  readonly clock: TimerClock;
  readonly seed: number;
  readonly cloud: Cloud;
  readonly controllers: WorldControllers;
  readonly scheduler: SchedulerLoop;
  readonly kubelets: Kubelets;
  readonly volumes: Volumes;
  readonly nodeLifecycle: NodeLifecycle;
  readonly #run: Record<WorldComponent, boolean>;
  #served: ServedWorld | undefined;

  constructor(options: StartWorldOptions) {
    const { clock } = options;
    this.clock = clock;
    this.seed = options.seed ?? 0;
    this.#run = {
      controllers: true,
      scheduler: true,
      kubelets: true,
      volumes: true,
      nodeLifecycle: true,
      ...options.run,
    };
    const scenario = options.scenario ?? {};
    this.store = createClusterStore({ clock, limits: options.limits ?? {} });
    const cloud = defaultScenario(scenario.cloud);
    const instanceTypes = regionInstanceTypes(loadInstanceTypes(), cloud.instanceTypes);
    this.cloud = new Cloud({ scenario: cloud, instanceTypes, clock });
    this.controllers = new WorldControllers(this.store, { clock });
    this.scheduler = new SchedulerLoop(this.store, {
      clock,
      seed: this.seed,
      events: new EventRecorder(this.store, { component: "default-scheduler" }),
    });
    this.volumes = new Volumes(this.store, { clock, ...scenario.volumes });
    this.kubelets = new Kubelets(this.store, {
      clock,
      ...scenario.kubelet,
      events: new EventRecorder(this.store, { component: "kubelet" }),
      volumesReady: (pod) => this.volumes.ready(pod),
    });
    this.nodeLifecycle = new NodeLifecycle(this.store);
  }

  /** A served kind, by group, version and plural. */
  kind(group: string, version: string, plural: string): ResourceKind {
    return this.store.registry.get(group, version, plural);
  }

  /**
   * Creates the objects in order; a refusal is a ScenarioError naming the object, its place in the file and the
   * API server's reason.
   */
  apply(objects: readonly ScenarioObject[]): KubeObject[] {
    const problems: string[] = [];
    const created: KubeObject[] = [];
    for (const { object, kind, source, label } of objects) {
      const namespace = kind.namespaced ? String(object.metadata?.namespace ?? "default") : undefined;
      try {
        created.push(this.store.create(kind, namespace, structuredClone(object)));
      } catch (error) {
        problems.push(`${source.file}:${source.line}:${source.col}: ${label}: ${(error as Error).message}`);
      }
    }
    if (problems.length > 0) throw new ScenarioError(problems);
    return created;
  }

  /** Starts every component; they react to the store from now on. */
  start(objects: readonly ScenarioObject[] = []): this {
    this.apply(objects);
    if (this.#run.controllers) this.controllers.start();
    if (this.#run.volumes) this.volumes.start();
    if (this.#run.nodeLifecycle) this.nodeLifecycle.start();
    if (this.#run.kubelets) this.kubelets.start();
    if (this.#run.scheduler) this.scheduler.start();
    return this;
  }

  /** Serves the world: the Kubernetes API over HTTPS and the AWS endpoint, both on 127.0.0.1. */
  async serve(options: ServeOptions = {}): Promise<ServedWorld> {
    if (this.#served) return this.#served;
    const logger = options.logger ?? silentLogger();
    const kube = await startKubeApiServer({
      store: this.store,
      clock: this.clock,
      seed: this.seed,
      logger,
      ...(options.dir !== undefined ? { dir: options.dir } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    let aws: AwsServer;
    try {
      aws = await startAwsServer({
        cloud: this.cloud,
        clock: this.clock,
        logger,
        ...(options.awsPort !== undefined ? { port: options.awsPort } : {}),
      });
    } catch (error) {
      await kube.close();
      throw error;
    }
    const region = this.cloud.scenario.region;
    this.#served = {
      kube,
      aws,
      awsEnvironment: () => ({
        AWS_ENDPOINT_URL_EC2: aws.endpoint,
        AWS_ENDPOINT_URL_SQS: aws.endpoint,
        AWS_ENDPOINT_URL_SSM: aws.endpoint,
        AWS_ENDPOINT_URL_IAM: aws.endpoint,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        // The simulated AWS accepts any signature: these only keep the SDKs' credential chains quiet.
        AWS_ACCESS_KEY_ID: "AKIDPOOLKEEPERSIM",
        AWS_SECRET_ACCESS_KEY: "poolkeeper-sim",
      }),
      close: async () => {
        await Promise.all([kube.close(), aws.close()]);
      },
    };
    return this.#served;
  }

  /** Stops every component and closes what serve() opened. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    this.kubelets.stop();
    this.nodeLifecycle.stop();
    this.volumes.stop();
    this.controllers.stop();
    const served = this.#served;
    this.#served = undefined;
    await served?.close();
  }
}

/** A world with the scenario's objects created and every component started. */
export async function startWorld(options: StartWorldOptions): Promise<World> {
  const world = new World(options);
  world.start(options.scenario?.objects ?? []);
  return world;
}
