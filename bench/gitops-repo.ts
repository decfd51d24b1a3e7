// The pool repository of bench/gitops.bench.ts, built in seconds with `git fast-import` instead of thousands of
// `git commit`s: `poolkeeper.yaml` and the EC2NodeClass of test/fixtures/gitops/repo, and one file per NodePool,
// each derived from the fixture's `default` pool and varied the way a fleet varies (names, teams, limits, weights,
// capacity types, instance categories, generations and architectures, lifetimes, consolidation, budgets) so that
// no two pools are identical and every one passes the baseline policy. The history is a chain of commits that
// each change one to three pools' limits; further commits, each changing one pool, are prepared for the bench
// to put on the branch one at a time (`git update-ref`), so each sync it times sees a new commit.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { poolRepoFixture } from "../test/support/pool-repo.ts";

type Json = Record<string, unknown>;

export interface BenchRepoOptions {
  /** NodePool files (`pools/pool-0000.yaml`, …). */
  pools: number;
  /** Commits on `main`, the first one adding every file. */
  commits: number;
  /** Commits prepared after `main`'s head, each changing one pool, not on any branch yet. */
  future: number;
}

export interface BenchRepo {
  /** Head of `main`. */
  head: string;
  /** The prepared commits, oldest first: each one's parent is the one before (the first's is `head`). */
  future: string[];
  /** Bytes of pool, config and node class files at `head`. */
  bytes: number;
}

const fixture = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
const [poolTemplate, nodeClassTemplate] = parseAllDocuments(fixture).map((d) => d.toJS() as Json);
if (poolTemplate?.kind !== "NodePool" || nodeClassTemplate?.kind !== "EC2NodeClass") {
  throw new Error("test/fixtures/gitops/repo/pools/default.yaml no longer holds a NodePool and an EC2NodeClass");
}

const capacityTypes = [["spot", "on-demand"], ["on-demand"], ["spot"]];
const categories = [["c", "m", "r"], ["c", "m"], ["m", "r"], ["c"], ["m"], ["r"], ["c", "r"]];
const architectures = [undefined, ["amd64"], ["arm64"], ["amd64", "arm64"]];
const expiry = ["720h", "336h", "168h", "480h"];
const consolidateAfter = ["30s", "1m", "5m", "15m"];

/** The NodePool file of pool `index` at `revision` (each revision changes its limits). */
export function poolFile(index: number, revision: number): string {
  const name = `pool-${String(index).padStart(4, "0")}`;
  const pool = structuredClone(poolTemplate) as Json & { metadata: Json; spec: Json };
  pool.metadata = { name, labels: { team: `team-${index % 41}` } };
  const template = pool.spec.template as { metadata?: Json; spec: Json };
  template.metadata = { labels: { team: `team-${index % 41}`, pool: name } };
  const requirements = template.spec.requirements as { key: string; operator: string; values: string[] }[];
  for (const r of requirements) {
    if (r.key === "karpenter.sh/capacity-type") r.values = pick(capacityTypes, index);
    if (r.key === "karpenter.k8s.aws/instance-category") r.values = pick(categories, index);
    if (r.key === "karpenter.k8s.aws/instance-generation") r.values = [String(3 + (index % 4))];
  }
  const arch = pick(architectures, index >> 2);
  if (arch) requirements.push({ key: "kubernetes.io/arch", operator: "In", values: arch });
  template.spec.expireAfter = pick(expiry, index >> 1);
  const cpu = 64 + ((index * 37 + revision * 101) % 1937);
  pool.spec.limits = { cpu: String(cpu), memory: `${cpu * 4}Gi` };
  pool.spec.weight = 1 + (index % 97);
  pool.spec.disruption = {
    consolidationPolicy: index % 5 === 0 ? "WhenEmpty" : "WhenEmptyOrUnderutilized",
    consolidateAfter: pick(consolidateAfter, index),
    budgets: [{ nodes: `${5 + ((index + revision) % 16)}%` }],
  };
  return `# Pool ${index} of the benchmark fleet, revision ${revision}.\n${stringify(pool)}`;
}

function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length] as T;
}

/** Fills the bare repository `gitDir` (empty, branch `main`) and returns what the bench needs. */
export function buildBenchRepo(gitDir: string, options: BenchRepoOptions): BenchRepo {
  const chunks: Buffer[] = [];
  const add = (text: string) => chunks.push(Buffer.from(text, "utf8"));
  const data = (text: string) => add(`data ${Buffer.byteLength(text, "utf8")}\n${text}\n`);
  let time = 1_700_000_000;
  let mark = 0;
  const commit = (ref: string, message: string, files: Map<string, string>, from?: number) => {
    add(`commit ${ref}\nmark :${++mark}\ncommitter Bench <bench@poolkeeper.test> ${(time += 60)} +0000\n`);
    data(message);
    if (from !== undefined) add(`from :${from}\n`);
    for (const [path, text] of files) {
      add(`M 100644 inline ${path}\n`);
      data(text);
    }
  };

  const revisions = new Array<number>(options.pools).fill(0);
  const initial = new Map<string, string>();
  initial.set("poolkeeper.yaml", readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8"));
  initial.set("pools/node-class.yaml", `# The node class every pool uses.\n${stringify(nodeClassTemplate)}`);
  for (let i = 0; i < options.pools; i++) initial.set(poolPath(i), poolFile(i, 0));
  const bytes = [...initial.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  commit("refs/heads/main", `pools: ${options.pools} pools\n`, initial);

  const change = (indexes: number[]) => {
    const files = new Map<string, string>();
    for (const i of indexes) {
      const revision = (revisions[i] ?? 0) + 1;
      revisions[i] = revision;
      files.set(poolPath(i), poolFile(i, revision));
    }
    return files;
  };
  for (let k = 1; k < options.commits; k++) {
    const count = 1 + (k % 3);
    const indexes = [...new Set(Array.from({ length: count }, (_, j) => (k * 7919 + j * 131) % options.pools))];
    commit("refs/heads/main", `pools: resize ${indexes.map((i) => `pool-${i}`).join(", ")}\n`, change(indexes));
  }
  const headMark = mark;
  for (let k = 0; k < options.future; k++) {
    const index = (k * 613 + 17) % options.pools;
    commit("refs/bench/future", `pools: resize pool-${index}\n`, change([index]), k === 0 ? headMark : undefined);
  }

  execFileSync("git", ["-C", gitDir, "fast-import", "--quiet"], {
    input: Buffer.concat(chunks),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", gitDir, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim();
  const head = git("rev-parse", "refs/heads/main");
  const future =
    options.future > 0 ? git("rev-list", "--reverse", "refs/heads/main..refs/bench/future").split("\n") : [];
  if (future.length !== options.future) throw new Error(`expected ${options.future} prepared commits`);
  // The prepared commits stay in the pack but on no ref: the server advertises only `main` (and, later, the
  // status branch). Automatic gc is off so that nothing prunes them before the bench moves `main` onto them.
  if (options.future > 0) git("update-ref", "-d", "refs/bench/future");
  git("config", "gc.auto", "0");
  return { head, future, bytes };
}

function poolPath(index: number): string {
  return `pools/pool-${String(index).padStart(4, "0")}.yaml`;
}
