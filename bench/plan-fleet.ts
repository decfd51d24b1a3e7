// The pool repository and cluster of bench/plan.bench.ts, at any size. NodePools and EC2NodeClasses are derived from
// the plan test's `batch` pool and class (test/fixtures/plan/repo/pools/batch.yaml: on-demand m5, template labels)
// and varied by name, weight, team label and class; `pools` pools over pools/20 classes in 10 files. The change, on
// branch `change`: the first class's AMI (its pools' nodes drift), one pool in a hundred's limits cut below its
// nodes, another's budget a business-hours `nodes: "0"` window, one in two hundred given a template label (every
// node of it drifts). The snapshot: two m5 nodes per pool with three pods each, a pending pod per five pools, and
// the whole catalog offered in three zones, as `poolkeeper snapshot` writes it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { catalogInstanceTypes, defaultCatalog } from "../cloudprovider/index.ts";
import { offeringsOf } from "../controller/preview/index.ts";
import { fixturesDir } from "../test/support/fixtures.ts";
import {
  clusterObjects,
  commitChange,
  type M5Type,
  type NodeSpec,
  snapshotDocument,
} from "../test/support/plan-fixture.ts";
import { TAKEN_AT } from "../test/support/plan-scenario.ts";

type Json = Record<string, unknown>;

const FILES = 10;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const TYPES: readonly M5Type[] = ["m5.large", "m5.xlarge", "m5.2xlarge"];
// Per type, each of a node's three pods: about two thirds of the type's allocatable CPU in all.
const POD_CPU: Readonly<Record<M5Type, string>> = { "m5.large": "400m", "m5.xlarge": "900m", "m5.2xlarge": "2" };

const [poolTemplate, classTemplate] = parseAllDocuments(
  readFileSync(join(fixturesDir, "plan", "repo", "pools", "batch.yaml"), "utf8"),
).map((d) => d.toJS() as Json);
if (poolTemplate?.["kind"] !== "NodePool" || classTemplate?.["kind"] !== "EC2NodeClass") {
  throw new Error("test/fixtures/plan/repo/pools/batch.yaml no longer holds a NodePool and an EC2NodeClass");
}

export interface PlanFleet {
  /** The repository, on branch `change`; `main` is the base. The snapshot is `snapshot.json` in it. */
  readonly dir: string;
  readonly pools: number;
  readonly classes: number;
  readonly nodes: number;
  readonly pods: number;
  readonly pending: number;
  readonly offerings: number;
  readonly snapshotBytes: number;
}

interface Edit {
  readonly limits: boolean;
  readonly budget: boolean;
  readonly label: boolean;
}

export function buildPlanFleet(pools: number): PlanFleet {
  const classes = Math.max(1, Math.round(pools / 20));
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-plan-bench-"));
  mkdirSync(join(dir, "pools"));
  const write = (changed: boolean) => {
    for (let f = 0; f < FILES; f++) {
      const docs: Json[] = [];
      for (let i = f; i < pools; i += FILES) {
        const edit = {
          limits: changed && i % 100 === 1,
          budget: changed && i % 100 === 2,
          label: changed && i % 200 === 3,
        };
        docs.push(nodePool(i, classes, edit));
      }
      for (let c = f; c < classes; c += FILES) docs.push(nodeClass(c, changed && c === 0 ? "v20250212" : "v20250117"));
      writeFileSync(join(dir, "pools", `pools-${f}.yaml`), docs.map((d) => stringify(d)).join("---\n"));
    }
  };
  write(false);
  commitChange(dir, () => write(true));

  const nodes: NodeSpec[] = [];
  for (let i = 0; i < pools; i++) {
    for (let n = 0; n < 2; n++) {
      const type = TYPES[(i + n) % TYPES.length] as M5Type;
      nodes.push({
        claim: `pool-${i}-${n}`,
        pool: `pool-${i}`,
        type,
        nodeClass: `class-${i % classes}`,
        labels: { team: `team-${i}` },
        zone: ZONES[(i + n) % ZONES.length],
        pods: [1, 2, 3].map((p) => ({
          name: `app-${i}-${n}-${p}`,
          namespace: `team-${i}`,
          cpu: POD_CPU[type],
          memory: "512Mi",
        })),
      });
    }
  }
  const pending = Array.from({ length: Math.floor(pools / 5) }, (_, k) => ({
    name: `job-${k}-x`,
    namespace: `team-${k * 5}`,
    pool: `pool-${k * 5}`,
    cpu: "1",
    memory: "1Gi",
  }));
  const objects = clusterObjects(nodes, pending);
  const offerings = offeringsOf(catalogInstanceTypes(defaultCatalog(), { zones: ZONES, region: "us-east-1" }));
  const text = JSON.stringify(snapshotDocument(objects, TAKEN_AT, "bench", offerings));
  writeFileSync(join(dir, "snapshot.json"), text);
  return {
    dir,
    pools,
    classes,
    nodes: objects.nodes.length,
    pods: objects.pods.length,
    pending: pending.length,
    offerings: offerings.length,
    snapshotBytes: text.length,
  };
}

function nodePool(i: number, classes: number, edit: Edit): Json {
  const pool = structuredClone(poolTemplate) as {
    metadata: Json;
    spec: {
      weight: number;
      template: { metadata: { labels: Record<string, string> }; spec: { nodeClassRef: Json } };
      limits: Json;
      disruption: Json;
    };
  };
  pool.metadata = { name: `pool-${i}` };
  pool.spec.weight = (i % 90) + 1;
  pool.spec.template.metadata.labels = { team: `team-${i}`, ...(edit.label ? { tier: "gold" } : {}) };
  pool.spec.template.spec.nodeClassRef = { ...pool.spec.template.spec.nodeClassRef, name: `class-${i % classes}` };
  pool.spec.limits = { cpu: edit.limits ? "8" : "200", memory: "800Gi" };
  pool.spec.disruption = {
    ...pool.spec.disruption,
    consolidateAfter: "1m",
    budgets: [edit.budget ? { nodes: "0", schedule: "0 9 * * 1-5", duration: "8h" } : { nodes: "10%" }],
  };
  return pool as unknown as Json;
}

function nodeClass(c: number, release: string): Json {
  const nodeClass = structuredClone(classTemplate) as { metadata: Json; spec: Json };
  nodeClass.metadata = { name: `class-${c}` };
  nodeClass.spec["amiSelectorTerms"] = [{ alias: `al2023@${release}` }];
  return nodeClass as unknown as Json;
}
