// `poolkeeper plan` at scale: a 1,000-pool repository (50 EC2NodeClasses, 10 files) and a 2,000-node snapshot (two
// m5 nodes per pool, three pods each, 200 pending pods, the whole catalog offered in three zones as `snapshot`
// writes it), with a change that drifts the 40 nodes of one class's 20 pools, changes ten pools' limits, ten pools'
// budgets and five pools' template labels. Measures `plan --format markdown` in process (median of 3) and once as a
// process (start-up included). Target (issue 26): < 5 s.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { main } from "../cli/main.ts";
import { capturedOutput } from "../cli/output.ts";
import { catalogInstanceTypes, defaultCatalog } from "../cloudprovider/index.ts";
import { offeringsOf } from "../controller/preview/index.ts";
import { clusterObjects, git, type NodeSpec } from "../test/support/plan-fixture.ts";

const POOLS = 1_000;
const CLASSES = 50;
const FILES = 10;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

function pool(i: number, edit: { limits?: boolean; budget?: boolean; label?: boolean }): string {
  return `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: pool-${i}
spec:
  weight: ${(i % 90) + 1}
  template:
    metadata:
      labels:
        team: team-${i}${edit.label ? "\n        tier: gold" : ""}
    spec:
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: class-${i % CLASSES}
      requirements:
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["on-demand"]
        - key: karpenter.k8s.aws/instance-family
          operator: In
          values: ["m5"]
      expireAfter: 720h
      terminationGracePeriod: 24h
  limits:
    cpu: "${edit.limits ? 8 : 200}"
    memory: 800Gi
  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: 1m
    budgets:
      - nodes: "${edit.budget ? "0" : "10%"}"${edit.budget ? '\n        schedule: "0 9 * * 1-5"\n        duration: 8h' : ""}
`;
}

function nodeClass(c: number, ami: string): string {
  return `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: class-${c}
spec:
  role: KarpenterNodeRole-prod
  amiSelectorTerms:
    - alias: al2023@${c === 0 ? ami : "v20250117"}
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
}

function writeRepo(dir: string, changed: boolean): void {
  for (let f = 0; f < FILES; f++) {
    const docs: string[] = [];
    for (let i = f; i < POOLS; i += FILES) {
      docs.push(
        pool(i, {
          limits: changed && i % 100 === 1,
          budget: changed && i % 100 === 2,
          label: changed && i % 200 === 3,
        }),
      );
    }
    for (let c = f; c < CLASSES; c += FILES) docs.push(nodeClass(c, changed ? "v20250212" : "v20250117"));
    writeFileSync(join(dir, "pools", `pools-${f}.yaml`), docs.join("---\n"));
  }
}

const dir = mkdtempSync(join(tmpdir(), "poolkeeper-plan-bench-"));
mkdirSync(join(dir, "pools"));
writeRepo(dir, false);
git(dir, "init", "--quiet", "--initial-branch=main");
git(dir, "add", ".");
git(dir, "commit", "--quiet", "-m", "pools");
git(dir, "checkout", "--quiet", "-b", "change");
writeRepo(dir, true);
git(dir, "commit", "--quiet", "-am", "the change");

const types = ["m5.large", "m5.xlarge", "m5.2xlarge"] as const;
const nodes: NodeSpec[] = [];
for (let i = 0; i < POOLS; i++) {
  for (let n = 0; n < 2; n++) {
    const type = types[(i + n) % 3] ?? "m5.large";
    const cpu = type === "m5.large" ? "400m" : type === "m5.xlarge" ? "900m" : "2";
    nodes.push({
      claim: `pool-${i}-${n}`,
      pool: `pool-${i}`,
      type,
      nodeClass: `class-${i % CLASSES}`,
      labels: { team: `team-${i}` },
      zone: ZONES[(i + n) % 3],
      pods: [1, 2, 3].map((p) => ({ name: `app-${i}-${n}-${p}`, namespace: `team-${i}`, cpu, memory: "512Mi" })),
    });
  }
}
const pending = Array.from({ length: 200 }, (_, k) => ({
  name: `job-${k}-x`,
  namespace: `team-${k * 5}`,
  pool: `pool-${k * 5}`,
  cpu: "1",
  memory: "1Gi",
}));
const objects = clusterObjects(nodes, pending);
const offerings = offeringsOf(catalogInstanceTypes(defaultCatalog(), { zones: ZONES, region: "us-east-1" }));
const snapshot = {
  apiVersion: "poolkeeper.dev/v1alpha1",
  kind: "ClusterSnapshot",
  metadata: { takenAt: "2026-03-03T10:00:00Z", cluster: "bench", region: "us-east-1" },
  ...objects,
  podDisruptionBudgets: [],
  daemonSets: [],
  offerings,
};
const snapshotText = JSON.stringify(snapshot);
writeFileSync(join(dir, "snapshot.json"), snapshotText);
console.log(
  `repository: ${POOLS} NodePools, ${CLASSES} EC2NodeClasses in ${FILES} files; snapshot: ${objects.nodes.length} nodes, ` +
    `${objects.pods.length} pods (${pending.length} pending), ${offerings.length} offerings, ` +
    `${(snapshotText.length / 1024 / 1024).toFixed(1)} MiB`,
);

const args = [
  "plan",
  "--base",
  "main",
  "--head",
  "change",
  "--snapshot",
  "snapshot.json",
  "--format",
  "markdown",
  "pools",
];
process.chdir(dir);
const times: number[] = [];
let output = "";
for (let run = 0; run < 3; run++) {
  const out = capturedOutput();
  const start = performance.now();
  const code = await main(args, out);
  times.push(performance.now() - start);
  if (code !== 0) throw new Error(`plan exited ${code}: ${out.err}`);
  output = out.out;
}
times.sort((a, b) => a - b);
const cpu = process.cpuUsage();
console.log(
  `in process: median ${(times[1] ?? 0).toFixed(0)} ms of 3 (${times.map((t) => t.toFixed(0)).join(", ")} ms)`,
);
const start = performance.now();
execFileSync(process.execPath, [join(import.meta.dirname, "..", "bin", "poolkeeper.js"), ...args], {
  cwd: dir,
  maxBuffer: 64 * 1024 * 1024,
  stdio: ["ignore", "ignore", "inherit"],
});
console.log(`as a process: ${(performance.now() - start).toFixed(0)} ms wall (start-up included)`);
console.log(
  `this process's CPU so far: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
const drift = output.split("\n").filter((line) => /^\| pool-\d+ \| \d+ of/.test(line)).length;
console.log(`plan: ${drift} pools drifting; ${output.length} characters of Markdown`);
rmSync(dir, { recursive: true, force: true });
