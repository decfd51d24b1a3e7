// A generated cluster for the world's scheduler, seeded so that a failure is reproducible: nodes over three zones
// (some tainted, some labelled for a node selector), pods already bound to them (some with affinity terms, which
// the scheduler keeps per node), and pending pods of every kind the default profile weighs — zone and host
// spreading, required anti-affinity and preferred affinity, tolerations, node selectors, priorities.
import type { LabelSelector, Node, Pod } from "../../sim/world/objects.ts";
import { seededRandom } from "./json-mutation.ts";

export const ZONE = "topology.kubernetes.io/zone";
export const HOSTNAME = "kubernetes.io/hostname";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const APPS = 12;

/** A node of the generated cluster; `cpu` cores (8 by default), 4 GiB of memory per core, 110 pods. */
export function generatedNode(index: number, cpu = 8): Node {
  const name = `node-${index}`;
  const labels: Record<string, string> = { [HOSTNAME]: name, [ZONE]: ZONES[index % ZONES.length] ?? "" };
  if (index % 11 === 3) labels["disk"] = "ssd";
  const allocatable = { cpu: String(cpu), memory: `${cpu * 4}Gi`, pods: "110" };
  return {
    metadata: { name, labels },
    spec: index % 7 === 5 ? { taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }] } : {},
    status: { capacity: { ...allocatable }, allocatable },
  };
}

function appSelector(app: number): LabelSelector {
  return { matchLabels: { app: `app-${app}` } };
}

/** A pod of one of the apps, with requests and, by the draw, the constraints the plugins weigh. */
function generatedPod(name: string, random: () => number, nodeName?: string): Pod {
  const app = Math.floor(random() * APPS);
  const pod: Pod = {
    metadata: { name, namespace: "default", labels: { app: `app-${app}` } },
    spec: {
      containers: [
        {
          name: "main",
          image: "registry.k8s.io/pause:3.10",
          resources: {
            requests: {
              cpu: `${100 + Math.floor(random() * 10) * 100}m`,
              memory: `${128 * (1 + Math.floor(random() * 16))}Mi`,
            },
          },
        },
      ],
    },
  };
  if (nodeName !== undefined) pod.spec.nodeName = nodeName;
  const draw = random();
  if (draw < 0.25) {
    pod.spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: appSelector(app) },
    ];
  } else if (draw < 0.4) {
    pod.spec.topologySpreadConstraints = [
      { maxSkew: 2, topologyKey: HOSTNAME, whenUnsatisfiable: "ScheduleAnyway", labelSelector: appSelector(app) },
    ];
  } else if (draw < 0.52) {
    pod.spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOSTNAME, labelSelector: appSelector(app) }],
      },
    };
  } else if (draw < 0.62) {
    pod.spec.affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, podAffinityTerm: { topologyKey: ZONE, labelSelector: appSelector((app + 1) % APPS) } },
        ],
      },
    };
  } else if (draw < 0.72) {
    pod.spec.tolerations = [{ key: "dedicated", operator: "Exists" }];
  } else if (draw < 0.78) {
    pod.spec.nodeSelector = { disk: "ssd" };
  }
  if (random() < 0.1) pod.spec.priority = 100;
  return pod;
}

export interface GeneratedCluster {
  readonly nodes: Node[];
  /** Bound to the nodes already. */
  readonly bound: Pod[];
  /** Not yet bound, in the order to schedule them. */
  readonly pending: Pod[];
}

export function generatedCluster(
  seed: number,
  sizes: { nodes: number; bound: number; pending: number; cpu?: number },
): GeneratedCluster {
  const random = seededRandom(seed);
  const nodes = Array.from({ length: sizes.nodes }, (_, i) => generatedNode(i, sizes.cpu));
  const bound = Array.from({ length: sizes.bound }, (_, i) =>
    generatedPod(`bound-${i}`, random, `node-${Math.floor(random() * sizes.nodes)}`),
  );
  const pending = Array.from({ length: sizes.pending }, (_, i) => generatedPod(`pending-${i}`, random));
  return { nodes, bound, pending };
}
