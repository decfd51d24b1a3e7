// Clusters for `poolkeeper plan` tests and the bench: Karpenter-managed nodes of catalog m5 types (capacity and
// allocatable from data/ec2-instance-types.json, prices its on-demand column), each a Node and a NodeClaim paired by
// provider ID with the pods bound to it, pending pods, and the ClusterSnapshot document holding them; a Git
// repository of pools with a base and a head commit; and poolkeeper run in this process, as a CI job runs it.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Node, NodeClaim, Pod } from "../../api/index.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import type { ClusterSnapshotDocument } from "../../controller/index.ts";
import { fixturesDir } from "./fixtures.ts";

/** The catalog's m5 figures (data/ec2-instance-types.json): vCPUs, MiB, allocatable millicores and MiB, USD/h. */
export const M5 = {
  "m5.large": { cpu: 2, memMiB: 8192, allocCpuMilli: 1930, allocMemMiB: 6903, usd: 0.096 },
  "m5.xlarge": { cpu: 4, memMiB: 16384, allocCpuMilli: 3920, allocMemMiB: 14162, usd: 0.192 },
  "m5.2xlarge": { cpu: 8, memMiB: 32768, allocCpuMilli: 7910, allocMemMiB: 29317, usd: 0.384 },
} as const;
export type M5Type = keyof typeof M5;
export const ZONES = ["us-east-1a", "us-east-1b"] as const;

export interface PodSpec {
  name: string;
  namespace?: string;
  cpu: string;
  memory?: string;
  owner?: { kind: string; name: string };
}

export interface NodeSpec {
  /** The NodeClaim's name; the Node is `ip-<claim>.ec2.internal`. */
  claim: string;
  pool: string;
  type: M5Type;
  nodeClass?: string;
  labels?: Record<string, string>;
  pods?: PodSpec[];
  zone?: string;
}

const CREATED = "2026-02-20T08:00:00Z";

export function nodeName(claim: string): string {
  return `ip-${claim}.ec2.internal`;
}

function pod(spec: PodSpec, pool: string, nodeName: string | undefined): Pod {
  const owner = spec.owner ?? { kind: "ReplicaSet", name: `${spec.name.replace(/-[^-]*$/, "")}-rs` };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.name,
      namespace: spec.namespace ?? pool,
      uid: `uid-${spec.name}`,
      labels: { app: spec.name.replace(/-[^-]*$/, "") },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true },
      ],
      creationTimestamp: CREATED,
    },
    spec: {
      ...(nodeName === undefined ? {} : { nodeName }),
      nodeSelector: { "karpenter.sh/nodepool": pool },
      containers: [{ name: "main", resources: { requests: { cpu: spec.cpu, memory: spec.memory ?? "256Mi" } } }],
    },
    status:
      nodeName === undefined
        ? {
            phase: "Pending",
            conditions: [
              { type: "PodScheduled", status: "False", reason: "Unschedulable", lastTransitionTime: CREATED },
            ],
          }
        : {
            phase: "Running",
            startTime: CREATED,
            conditions: [{ type: "Ready", status: "True", lastTransitionTime: CREATED }],
          },
  } as Pod;
}

export function clusterObjects(nodes: readonly NodeSpec[], pending: readonly (PodSpec & { pool: string })[] = []) {
  const out = { nodes: [] as Node[], nodeClaims: [] as NodeClaim[], pods: [] as Pod[] };
  for (const spec of nodes) {
    const t = M5[spec.type];
    const zone = spec.zone ?? "us-east-1a";
    const name = nodeName(spec.claim);
    const providerID = `aws:///${zone}/i-${spec.claim}`;
    const labels = {
      "karpenter.sh/nodepool": spec.pool,
      "karpenter.sh/capacity-type": "on-demand",
      "node.kubernetes.io/instance-type": spec.type,
      "karpenter.k8s.aws/instance-family": "m5",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/os": "linux",
      "topology.kubernetes.io/zone": zone,
      "topology.kubernetes.io/region": "us-east-1",
      "kubernetes.io/hostname": name,
      "karpenter.sh/initialized": "true",
      "karpenter.sh/registered": "true",
      ...(spec.labels ?? {}),
    };
    const capacity = { cpu: String(t.cpu), memory: `${t.memMiB}Mi`, pods: "58" };
    const allocatable = { cpu: `${t.allocCpuMilli}m`, memory: `${t.allocMemMiB}Mi`, pods: "58" };
    out.nodes.push({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels, creationTimestamp: CREATED },
      spec: { providerID },
      status: { capacity, allocatable, conditions: [{ type: "Ready", status: "True", lastTransitionTime: CREATED }] },
    } as Node);
    out.nodeClaims.push({
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: { name: spec.claim, labels, creationTimestamp: CREATED },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: spec.nodeClass ?? "default" },
        requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: [spec.type] }],
      },
      status: {
        providerID,
        nodeName: name,
        capacity,
        allocatable,
        lastPodEventTime: CREATED,
        conditions: ["Launched", "Registered", "Initialized", "Ready"].map((type) => ({
          type,
          status: "True",
          reason: type,
          message: "",
          lastTransitionTime: CREATED,
        })),
      },
    } as NodeClaim);
    for (const p of spec.pods ?? []) out.pods.push(pod(p, spec.pool, name));
  }
  for (const p of pending) out.pods.push(pod(p, p.pool, undefined));
  return out;
}

/** A ClusterSnapshot document of the objects, by default with on-demand offerings of the three m5 types in ZONES. */
export function snapshotDocument(
  objects: ReturnType<typeof clusterObjects>,
  takenAt: string,
  cluster = "prod",
  offerings: ClusterSnapshotDocument["offerings"] = m5Offerings(),
): ClusterSnapshotDocument {
  return {
    apiVersion: "poolkeeper.dev/v1alpha1",
    kind: "ClusterSnapshot",
    metadata: { takenAt, cluster, region: "us-east-1" },
    nodes: objects.nodes,
    pods: objects.pods,
    nodeClaims: objects.nodeClaims,
    podDisruptionBudgets: [],
    daemonSets: [],
    offerings,
  };
}

function m5Offerings(): ClusterSnapshotDocument["offerings"] {
  return Object.entries(M5).flatMap(([instanceType, t]) =>
    ZONES.map((zone) => ({ instanceType, zone, capacityType: "on-demand" as const, price: t.usd, available: true })),
  );
}

/** Runs git in `cwd` with a fixed identity and date, so commits are reproducible. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_DATE: "2026-03-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-03-01T00:00:00Z" },
  }).trim();
}

/**
 * A repository in `dir` whose files, as they are, are committed on `main`; then `change` edits them and the edit is
 * committed on branch `change`, which stays checked out.
 */
export function commitChange(dir: string, change: () => void): void {
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "pools");
  git(dir, "checkout", "--quiet", "-b", "change");
  change();
  git(dir, "commit", "--quiet", "-am", "the change");
}

/**
 * The plan fixture repository (test/fixtures/plan/repo) committed on `main`, then the change on branch `change`:
 * each edit replaces one text in one file.
 */
export function planRepo(edits: readonly { file: string; from: string; to: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-plan-"));
  cpSync(join(fixturesDir, "plan", "repo"), dir, { recursive: true });
  commitChange(dir, () => {
    for (const edit of edits) {
      const path = join(dir, edit.file);
      const text = readFileSync(path, "utf8");
      if (!text.includes(edit.from)) throw new Error(`${edit.file} has no ${JSON.stringify(edit.from)}`);
      writeFileSync(path, text.replace(edit.from, edit.to));
    }
  });
  return dir;
}

/** `poolkeeper …args` through `main`, in this process, from `cwd` (findings name files relative to it). */
export async function poolkeeperIn(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  process.chdir(cwd);
  const out = capturedOutput();
  const code = await main(args, out);
  return { code, stdout: out.out, stderr: out.err };
}
