// The plan golden test's scenario: three pools on one snapshot, and a change that drifts two of them (the default
// EC2NodeClass's AMI), cuts batch's CPU limit below what its nodes use, and gives web a business-hours budget.
import { clusterObjects, type NodeSpec, snapshotDocument } from "./plan-fixture.ts";

export const PLAN_EDITS = [
  { file: "pools/default.yaml", from: "alias: al2023@v20250117", to: "alias: al2023@v20250212" },
  { file: "pools/batch.yaml", from: 'cpu: "64"', to: 'cpu: "16"' },
  {
    file: "pools/web.yaml",
    from: '      - nodes: "10%"',
    to: '      - nodes: "0"\n        schedule: "0 9 * * 1-5"\n        duration: 8h\n      - nodes: "1"',
  },
];

/** Tuesday 2026-03-03, 10:00 UTC: inside web's new window (09:00–17:00 UTC on weekdays). */
export const TAKEN_AT = "2026-03-03T10:00:00Z";

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export const PLAN_NODES: NodeSpec[] = [
  // default: four m5.xlarge, each full with one 3-CPU pod.
  ...range(4).map((i) => ({
    claim: `default-${i}`,
    pool: "default",
    type: "m5.xlarge" as const,
    pods: [{ name: `app-${i}`, cpu: "3", memory: "1Gi" }],
  })),
  // web: two m5.large with two 500m pods each, and one with a single 100m pod that fits beside them.
  ...["a", "b"].map((x) => ({
    claim: `web-${x}`,
    pool: "web",
    type: "m5.large" as const,
    labels: { tier: "web" },
    pods: [
      { name: `front-${x}1`, cpu: "500m" },
      { name: `front-${x}2`, cpu: "500m" },
    ],
  })),
  { claim: "web-c", pool: "web", type: "m5.large", labels: { tier: "web" }, pods: [{ name: "static-1", cpu: "100m" }] },
  // batch: three m5.2xlarge, each full with one 7-CPU worker, on their own class.
  ...range(3).map((i) => ({
    claim: `batch-${i}`,
    pool: "batch",
    type: "m5.2xlarge" as const,
    nodeClass: "batch",
    labels: { tier: "batch" },
    pods: [{ name: `worker-${i}`, cpu: "7", memory: "2Gi", owner: { kind: "Job", name: `worker-${i}` } }],
  })),
];

/** One batch job waits for a node: 2 CPUs, more than an m5.large has. */
export const PLAN_PENDING = [
  { name: "job-1", pool: "batch", cpu: "2", memory: "1Gi", owner: { kind: "Job", name: "job-1" } },
];

export function planSnapshot() {
  return snapshotDocument(clusterObjects(PLAN_NODES, PLAN_PENDING), TAKEN_AT);
}
