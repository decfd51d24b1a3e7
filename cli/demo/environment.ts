// Everything the demo runs, started in order and stopped in reverse: the simulated world on a scaled clock (the
// Kubernetes API over HTTPS, EC2/SQS/SSM/IAM over HTTP, the world's controllers, scheduler, kubelets, and the
// instances booting into Nodes), a Git server holding the pool repository, `poolkeeper serve`'s admission webhook
// registered with the simulated API server (a Service and an EndpointSlice pointing at it on 127.0.0.1, its CA as
// caBundle: docs/sim.md "Pointing a webhook at a local server"), and `poolkeeper run` in its own process. Every
// part logs pino JSON into one file, never to the terminal.
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { ScaledClock } from "../../api/index.ts";
import { createLogger, type Logger } from "../../runtime/index.ts";
import {
  createCertificateAuthority,
  createServingCertificate,
  NodeRegistration,
  World,
  type ServedWorld,
} from "../../sim/index.ts";
import { createWebhookServer, type WebhookServer } from "../../webhook/index.ts";
import { startController, type ControllerProcess } from "./controller-process.ts";
import { startGitServer, type GitServer } from "./git-server.ts";
import { findKubectl, kubectlFor, type Kubectl } from "./kubectl.ts";
import { createDemoRepository, type DemoRepository } from "./repository.ts";

/** The cluster's name: the simulated account's subnets and security groups carry `karpenter.sh/discovery: demo`. */
export const CLUSTER = "demo";
export const INTERRUPTION_QUEUE = "poolkeeper-demo-interruptions";
/** The cluster's Service network and DNS address (EKS's defaults), which run gives the kubelets it launches. */
const SERVICE_CIDR = "10.100.0.0/16";
const KUBE_DNS_IP = "10.100.0.10";
const WEBHOOK_SERVICE = "poolkeeper-webhook";
const WEBHOOK_NAMESPACE = "poolkeeper";
export const WEBHOOK_NAME = "validate.poolkeeper.dev";
export const WEBHOOK_CONFIGURATION = "poolkeeper";

export interface DemoEnvironmentOptions {
  dir: string;
  /** Simulated seconds per wall second. */
  timeFactor: number;
  /** Where the simulated clock starts: business hours on a weekday, so the GPU pool's `nodes: "0"` window holds. */
  start: Date;
  env: NodeJS.ProcessEnv;
}

export interface DemoEnvironment {
  dir: string;
  clock: ScaledClock;
  world: World;
  served: ServedWorld;
  kubeconfig: string;
  kubectl: Kubectl;
  git: GitServer;
  repository: DemoRepository;
  controller: ControllerProcess;
  logFile: string;
  logger: Logger;
  stop(): Promise<void>;
}

/** What is running so far, stopped in reverse order when a later part fails to start. */
type Stopper = () => unknown;

export async function startDemoEnvironment(
  options: DemoEnvironmentOptions,
  onStarted: (what: string) => void,
): Promise<DemoEnvironment> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, "demo.log");
  const log: WriteStream = createWriteStream(logFile, { flags: "a" });
  const logger = createLogger({ name: "poolkeeper-demo", level: "info", destination: log });
  const stoppers: Stopper[] = [() => new Promise<void>((resolve) => log.end(() => resolve()))];
  const stopAll = async () => {
    for (const stop of stoppers.reverse().splice(0)) await stop();
  };
  try {
    const kubectlBinary = await findKubectl(options.env);

    const clock = new ScaledClock({ start: options.start, factor: options.timeFactor });
    const world = new World({
      clock,
      seed: 0,
      scenario: { cloud: { clusterName: CLUSTER, interruptionQueue: INTERRUPTION_QUEUE } },
    }).start();
    stoppers.push(() => world.stop());
    mkdirSync(join(dir, "world"), { recursive: true });
    const served = await world.serve({ dir: join(dir, "world"), logger: logger.child({ component: "sim" }) });
    served.aws.queues.create(INTERRUPTION_QUEUE, {});
    // What every cluster has: kube-dns's Service, whose ClusterIP run discovers for the kubelets' settings.
    world.store.create(world.store.registry.get("", "v1", "services"), "kube-system", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system" },
      spec: { clusterIP: KUBE_DNS_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
    });
    const registration = new NodeRegistration(world.cloud, world.store, {
      clock,
      logger: logger.child({ component: "sim-node-registration" }),
    }).start();
    stoppers.push(() => registration.stop());
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, served.kube.kubeconfig(), { mode: 0o600 });
    const kubectl = kubectlFor(kubectlBinary, kubeconfig, dir);
    onStarted(`simulated world: Kubernetes API ${served.kube.url}, AWS ${served.aws.endpoint}`);

    const git = await startGitServer({ root: join(dir, "git"), logger: logger.child({ component: "git-server" }) });
    stoppers.push(() => git.stop());
    const repository = await createDemoRepository(git, dir);
    onStarted(`Git server: ${repository.url} (main: the guide's pools, corrected)`);

    const webhook = await startWebhook(dir, clock, logger);
    stoppers.push(() => webhook.server.close());
    const wired = await kubectl(["apply", "-f", "-"], webhookWiring(webhook.port, webhook.ca));
    if (wired.code !== 0) throw new Error(`registering the admission webhook: ${wired.stderr.trim()}`);
    onStarted(`admission webhook: ${WEBHOOK_NAME}, called by the API server at 127.0.0.1:${webhook.port}`);

    const controller = startController(
      [
        "--repo",
        repository.url,
        "--cache-dir",
        join(dir, "run-cache"),
        "--kubeconfig",
        kubeconfig,
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--aws-region",
        world.cloud.scenario.region,
        "--aws-endpoint",
        served.aws.endpoint,
        "--interruption-queue",
        INTERRUPTION_QUEUE,
        // One replica: nothing to elect, and a 15 s lease at ×30 is half a wall second, which a loaded machine
        // could let lapse and so stop the loops mid-scenario.
        "--leader-elect=false",
        "--service-cidr",
        SERVICE_CIDR,
      ],
      {
        PATH: options.env.PATH,
        HOME: dir,
        POOLKEEPER_SIM_CLOCK: JSON.stringify(clock.publish()),
        // The simulated AWS accepts any signature; these keep the SDK from looking for real credentials.
        ...served.awsEnvironment(),
        AWS_EC2_METADATA_DISABLED: "true",
      },
      log,
    );
    stoppers.push(() => controller.stop());
    await controller.line((line) => line.msg === "the cluster's caches are synced", "its caches were synced");
    onStarted(`poolkeeper run: loops ${controller.loops.join(", ")}`);

    return {
      dir,
      clock,
      world,
      served,
      kubeconfig,
      kubectl,
      git,
      repository,
      controller,
      logFile,
      logger,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startWebhook(
  dir: string,
  clock: ScaledClock,
  logger: Logger,
): Promise<{ server: WebhookServer; port: number; ca: string }> {
  const authority = createCertificateAuthority();
  const issued = createServingCertificate([`DNS:${WEBHOOK_SERVICE}.${WEBHOOK_NAMESPACE}.svc`], 365, authority);
  const tlsDir = join(dir, "webhook");
  mkdirSync(tlsDir, { recursive: true });
  const certFile = join(tlsDir, "tls.crt");
  const keyFile = join(tlsDir, "tls.key");
  writeFileSync(certFile, issued.cert);
  writeFileSync(keyFile, issued.key, { mode: 0o600 });
  const server = createWebhookServer({
    tls: { certFile, keyFile },
    policy: { files: [], preset: "baseline" },
    clock,
    logger: logger.child({ component: "webhook" }),
    watch: false,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  return { server, port, ca: issued.ca };
}

function webhookWiring(port: number, ca: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${WEBHOOK_NAMESPACE}}
---
apiVersion: v1
kind: Service
metadata: {name: ${WEBHOOK_SERVICE}, namespace: ${WEBHOOK_NAMESPACE}}
spec:
  ports: [{name: https, port: 443, targetPort: 9443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${WEBHOOK_SERVICE}-local
  namespace: ${WEBHOOK_NAMESPACE}
  labels: {kubernetes.io/service-name: ${WEBHOOK_SERVICE}}
addressType: IPv4
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
ports: [{name: https, port: ${port}}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: ${WEBHOOK_CONFIGURATION}}
webhooks:
  - name: ${WEBHOOK_NAME}
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 10
    clientConfig:
      service: {name: ${WEBHOOK_SERVICE}, namespace: ${WEBHOOK_NAMESPACE}, path: /validate, port: 443}
      caBundle: ${Buffer.from(ca).toString("base64")}
    rules:
      - apiGroups: ["karpenter.sh", "karpenter.k8s.aws"]
        apiVersions: ["*"]
        resources: ["nodepools", "ec2nodeclasses"]
        operations: ["CREATE", "UPDATE"]
        scope: Cluster
`;
}
