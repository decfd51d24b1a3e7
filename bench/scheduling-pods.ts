// The pods of Karpenter's scheduling benchmark (core:pkg/controllers/provisioning/scheduling/
// scheduling_benchmark_test.go `makeDiversePods`): one fifth each generic, zone topology spread, hostname topology
// spread, zone self-affinity and hostname anti-affinity, the remainder generic; CPU ∈ {100, 250, 500, 1000, 1500}m,
// memory ∈ {100, 256, 512, 1024, 2048, 4096}Mi; label values from a..g. Seeded (42) with mulberry32, not Go's
// math/rand, so the draws differ from Karpenter's but the mix is the same.
import type { Pod } from "../api/index.ts";

const CPU = [100, 250, 500, 1000, 1500];
const MEMORY = [100, 256, 512, 1024, 2048, 4096];
const LABEL_VALUES = ["a", "b", "c", "d", "e", "f", "g"];
export const ZONE = "topology.kubernetes.io/zone";
export const HOSTNAME = "kubernetes.io/hostname";

export type PodKind = "generic" | "zone-spread" | "hostname-spread" | "zone-affinity" | "hostname-anti-affinity";

export interface BenchPod {
  readonly pod: Pod;
  readonly kind: PodKind;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  /** For hostname spread: the selector's label value (at most maxSkew = 1 such pod per node). */
  readonly spreadGroup: string | undefined;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function diversePods(count: number, seed = 42): BenchPod[] {
  const random = mulberry32(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  let serial = 0;
  const make = (kind: PodKind): BenchPod => {
    serial += 1;
    const cpuMilli = pick(CPU);
    const memoryMiB = pick(MEMORY);
    let labels: Record<string, string> = {};
    let extra: Record<string, unknown> = {};
    let spreadGroup: string | undefined;
    switch (kind) {
      case "generic":
        break;
      case "zone-spread":
      case "hostname-spread": {
        labels = { "my-label": pick(LABEL_VALUES) };
        spreadGroup = pick(LABEL_VALUES);
        const key = kind === "zone-spread" ? ZONE : HOSTNAME;
        extra = {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: key,
              whenUnsatisfiable: "DoNotSchedule",
              labelSelector: { matchLabels: { "my-label": spreadGroup } },
            },
          ],
        };
        break;
      }
      case "zone-affinity":
        labels = { "my-affininity": pick(LABEL_VALUES) };
        extra = {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: ZONE, labelSelector: { matchLabels: labels } },
              ],
            },
          },
        };
        break;
      case "hostname-anti-affinity":
        labels = { app: "nginx" };
        extra = {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: HOSTNAME, labelSelector: { matchLabels: labels } },
              ],
            },
          },
        };
        break;
    }
    const pod: Pod = {
      metadata: { name: `bench-${serial}`, namespace: "default", uid: `uid-${serial}`, labels },
      spec: {
        containers: [{ name: "app", resources: { requests: { cpu: `${cpuMilli}m`, memory: `${memoryMiB}Mi` } } }],
        ...extra,
      },
    };
    return { pod, kind, cpuMilli, memoryMiB, spreadGroup: kind === "hostname-spread" ? spreadGroup : undefined };
  };
  const fifth = Math.floor(count / 5);
  const kinds: PodKind[] = ["generic", "zone-spread", "hostname-spread", "zone-affinity", "hostname-anti-affinity"];
  const pods = kinds.flatMap((kind) => Array.from({ length: fifth }, () => make(kind)));
  while (pods.length < count) pods.push(make("generic"));
  return pods;
}

export function genericPods(count: number, seed = 42): BenchPod[] {
  return diversePods(count * 5, seed)
    .filter((p) => p.kind === "generic")
    .slice(0, count);
}
