// Everything the demo runs, in one process, started in order and stopped in reverse: the simulated world on one
// virtual clock that moves only once nothing is under way (quiescent-clock.ts; docs/ARCHITECTURE.md says why) (the
// Kubernetes API over HTTPS, EC2/SQS/SSM/IAM over HTTP, the world's controllers, scheduler, kubelets, and the
// instances booting into Nodes), a Git server holding the pool repository, `poolkeeper serve`'s admission webhook
// registered with the simulated API server (a Service and an EndpointSlice pointing at it on 127.0.0.1, its CA as
// caBundle: docs/sim.md "Pointing a webhook at a local server"), and `poolkeeper run` through the CLI's entry, over
// HTTP like the rest. Every part logs pino JSON into one file, never to the terminal.
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../runtime/index.ts";
import {
  createCertificateAuthority,
  createServingCertificate,
  NodeRegistration,
  World,
  type ServedWorld,
} from "../../sim/index.ts";
import { createWebhookServer, type WebhookServer } from "../../webhook/index.ts";
import { startController, type DemoController, type PoolkeeperMain } from "./controller.ts";
import { startGitServer, type GitServer } from "./git-server.ts";
import { findKubectl, kubectlFor, type Kubectl } from "./kubectl.ts";
import { QuiescentClock } from "./quiescent-clock.ts";
import { createDemoRepository, type DemoRepository } from "./repository.ts";
import { simulatedRunArguments } from "./run-arguments.ts";

/** The cluster's name: the simulated account's subnets and security groups carry `karpenter.sh/discovery: demo`. */
export const CLUSTER = "demo";
export const INTERRUPTION_QUEUE = "poolkeeper-demo-interruptions";
/** The cluster's Service network and DNS address (EKS's defaults), which run gives the kubelets it launches. */
const SERVICE_CIDR = "10.100.0.0/16";
const KUBE_DNS_IP = "10.100.0.10";
/**
 * Changes the simulated API server keeps for watches that resume and for paged lists: 2,000 instead of the store's
 * 10,000. Each keeps the object before and after the change, and the scale-out writes thousands (about 17 MB of the
 * demo's live heap at 10,000, docs/performance.md); run's watches follow live and a page of 500 fits, and a watch
 * that falls behind is told 410 Expired and relists (client-go's reflector; adapters/kube/informer.ts), as against
 * kube-apiserver's watch cache, which keeps a bounded number of events per resource too.
 */
const EVENT_WINDOW = 2_000;
const WEBHOOK_SERVICE = "poolkeeper-webhook";
const WEBHOOK_NAMESPACE = "poolkeeper";
export const WEBHOOK_NAME = "validate.poolkeeper.dev";
export const WEBHOOK_CONFIGURATION = "poolkeeper";

export interface DemoEnvironmentOptions {
  dir: string;
  /** Where the simulated clock starts: business hours on a weekday, so the GPU pool's `nodes: "0"` window holds. */
  start: Date;
  env: NodeJS.ProcessEnv;
  /** The CLI's entry, which starts `run`. */
  main: PoolkeeperMain;
}

export interface DemoEnvironment {
  dir: string;
  clock: QuiescentClock;
  world: World;
  served: ServedWorld;
  kubeconfig: string;
  kubectl: Kubectl;
  git: GitServer;
  repository: DemoRepository;
  controller: DemoController;
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

    const clock = new QuiescentClock(options.start);
    stoppers.push(() => clock.close());
    const world = new World({
      clock,
      seed: 0,
      scenario: { cloud: { clusterName: CLUSTER, interruptionQueue: INTERRUPTION_QUEUE } },
      limits: { eventWindow: EVENT_WINDOW },
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

    // The SDK's default credential chain reads this process's environment: the simulated AWS accepts any
    // signature, and these keep the chain from looking for (or finding) real credentials while the demo runs.
    stoppers.push(overrideEnvironment({ ...served.awsEnvironment(), AWS_EC2_METADATA_DISABLED: "true" }));
    const controller = startController(
      options.main,
      [
        ...simulatedRunArguments({
          repo: repository.url,
          cacheDir: join(dir, "run-cache"),
          kubeconfig,
          region: world.cloud.scenario.region,
          awsEndpoint: served.aws.endpoint,
          interruptionQueue: INTERRUPTION_QUEUE,
          serviceCidr: SERVICE_CIDR,
        }),
        // One replica: nothing to elect.
        "--leader-elect=false",
      ],
      clock,
      log,
    );
    stoppers.push(() => controller.stop());
    await clock.tickUntil(
      controller.line((line) => line.msg === "the cluster's caches are synced", "its caches were synced"),
    );
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
  clock: QuiescentClock,
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

/** Sets these variables in this process's environment; the returned function puts back what was there. */
function overrideEnvironment(values: Record<string, string>): () => void {
  const names = [...Object.keys(values), "AWS_SESSION_TOKEN", "AWS_PROFILE"];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of names) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
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
