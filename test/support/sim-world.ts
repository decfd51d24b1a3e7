// The world for in-process tests: sim's World on a fake clock — by default only its controllers, with small
// writers for what the scheduler or a kubelet would do (bind a pod, mark it Ready or finished); with `run`, the
// scheduler, kubelets, volumes and node lifecycle too.
import assert from "node:assert/strict";
import {
  World,
  type ObjectStore,
  type KubeObject,
  type ResourceKind,
  type WorldComponent,
  type WorldScenario,
  type WorldControllers,
} from "../../sim/index.ts";
import { FakeClock } from "./fake-clock.ts";
import { guardAgainstHang } from "./hang-guard.ts";

export interface TestWorld {
  store: ObjectStore;
  clock: FakeClock;
  controllers: WorldControllers;
  world: World;
  kind(group: string, version: string, plural: string): ResourceKind;
  /** The pods of a namespace, by name. */
  pods(namespace?: string): KubeObject[];
  stop(): void;
}

export function kindOf(store: ObjectStore, group: string, version: string, plural: string): ResourceKind {
  const found = store.registry.resource(group, version, plural);
  assert.ok(found, `${plural} is served`);
  return found;
}

export const WORLD_START = new Date("2026-03-01T12:00:00Z");

export function startTestWorld(
  start = WORLD_START,
  options: { run?: WorldComponent[]; seed?: number; scenario?: WorldScenario } = {},
): TestWorld {
  const clock = new FakeClock(start);
  const run = new Set(options.run ?? []);
  const world = new World({
    clock,
    seed: options.seed ?? 0,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    run: {
      scheduler: run.has("scheduler"),
      kubelets: run.has("kubelets"),
      volumes: run.has("volumes"),
      nodeLifecycle: run.has("nodeLifecycle"),
    },
  }).start();
  const { store, controllers } = world;
  const kind = (g: string, v: string, p: string) => kindOf(store, g, v, p);
  return {
    store,
    clock,
    controllers,
    world,
    kind,
    pods: (namespace = "default") => store.list(kind("", "v1", "pods"), { namespace }).items,
    stop: () => void world.stop(),
  };
}

/** Every component of the world running. */
export const ALL_COMPONENTS: WorldComponent[] = ["scheduler", "kubelets", "volumes", "nodeLifecycle"];

/** A Ready node with optional labels and taints. */
export function node(name: string, options: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...options.labels } },
    spec: options.taints ? { taints: options.taints } : {},
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };
}

/** What the scheduler and the kubelet would do: bind the pod (unless bound) and make it Running and Ready. */
export function runPod(store: ObjectStore, pod: KubeObject, nodeName?: string): KubeObject {
  const pods = kindOf(store, "", "v1", "pods");
  const ns = String(pod.metadata?.namespace);
  const name = String(pod.metadata?.name);
  const bound = (pod.spec as { nodeName?: string }).nodeName;
  if (!bound) {
    assert.ok(nodeName, `pod ${name} needs a node`);
    pods.actions?.binding?.(store, pods, { namespace: ns, name }, { target: { kind: "Node", name: nodeName } });
  }
  const fresh = store.get(pods, ns, name);
  return store.update(
    pods,
    ns,
    name,
    {
      ...fresh,
      status: {
        ...(fresh.status as Record<string, unknown>),
        phase: "Running",
        conditions: [
          { type: "PodScheduled", status: "True" },
          { type: "Ready", status: "True" },
        ],
      },
    },
    { subresource: "status" },
  );
}

/** What the kubelet writes when the pod's containers exit: Succeeded or Failed. */
export function finishPod(store: ObjectStore, pod: KubeObject, phase: "Succeeded" | "Failed"): KubeObject {
  const pods = kindOf(store, "", "v1", "pods");
  const ns = String(pod.metadata?.namespace);
  const name = String(pod.metadata?.name);
  const fresh = store.get(pods, ns, name);
  return store.update(
    pods,
    ns,
    name,
    { ...fresh, status: { ...(fresh.status as object), phase } },
    { subresource: "status" },
  );
}

export function deploymentBody(name: string, replicas: number, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
    },
  };
}

export function pdbBody(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec };
}

/** Resolves with the objects of `kind` once `predicate` holds for them, re-checked on every change (no polling). */
export function waitForObjects(
  store: ObjectStore,
  kind: ResourceKind,
  predicate: (items: KubeObject[]) => boolean,
  what: string,
): Promise<KubeObject[]> {
  return guardAgainstHang(
    new Promise<KubeObject[]>((resolve) => {
      const check = (): boolean => {
        const items = store.list(kind).items;
        if (!predicate(items)) return false;
        resolve(items);
        return true;
      };
      if (check()) return;
      const watch = store.watch(kind, { resourceVersion: String(store.resourceVersion) }, () => {
        // The watch reports inside the store's write: look once the write (and the controllers' pass) is done.
        queueMicrotask(() =>
          queueMicrotask(() => {
            if (check()) watch.stop();
          }),
        );
      });
    }),
    what,
  );
}
