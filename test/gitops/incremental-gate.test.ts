// Incremental judging (policies/findings-cache.ts through the gate's cache): on seeded random sequences of commits —
// pools added, edited, deleted and renamed, classes changed and renamed, weights that collide, cluster totals,
// policies that change, time that passes an end-of-support date, an exemption's expiry and a new year — each
// commit's judgement with the cache kept from the previous commits equals judging it from nothing (the oracle).
// A second test counts what a one-file commit re-judges.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { GateCache, judgeCommit, type CommitFiles, type DesiredState, type Judgement } from "../../gitops/gate.ts";
import { gatePolicy } from "../../gitops/gate-policy.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

const config = loadConfig(readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8"), "poolkeeper.yaml")
  .config as PoolkeeperConfig;

interface Pool {
  name: string;
  weight?: number;
  categories: string[];
  capacity: string[];
  cpu?: string;
  nodeClass: string;
  taint?: string;
  replicas?: number;
  team: string;
  /** A field the schema refuses: the pool fails validation. */
  broken?: boolean;
}

interface NodeClass {
  name: string;
  alias: string;
  role: string;
  discovery: string;
  team: string;
}

interface Repo {
  pools: Map<string, Pool>;
  classes: Map<string, NodeClass>;
  policy: { caps?: Record<string, string>; timeZone?: string; exemptUntil?: string; strictTeam?: string };
}

function poolText(p: Pool): string {
  const requirements = [
    { key: "karpenter.sh/capacity-type", operator: "In", values: p.capacity },
    { key: "karpenter.k8s.aws/instance-category", operator: "In", values: p.categories },
  ];
  const spec: Record<string, unknown> = {
    template: {
      metadata: { labels: { team: p.team } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: p.nodeClass },
        requirements,
        expireAfter: "720h",
        ...(p.taint ? { taints: [{ key: p.taint, effect: "NoSchedule" }] } : {}),
      },
    },
    ...(p.cpu ? { limits: { cpu: p.cpu } } : {}),
    ...(p.weight !== undefined ? { weight: p.weight } : {}),
    ...(p.replicas !== undefined ? { replicas: p.replicas } : {}),
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "1m",
      budgets: [{ nodes: "10%" }, { nodes: "0", schedule: "0 9 * * 1-5", duration: "8h" }],
    },
    ...(p.broken ? { surprise: true } : {}),
  };
  return stringify({ apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: p.name }, spec });
}

function classText(c: NodeClass): string {
  return stringify({
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: c.name },
    spec: {
      role: c.role,
      amiSelectorTerms: [{ alias: c.alias }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": c.discovery } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "prod" } }],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      tags: { team: c.team },
    },
  });
}

function policyText(policy: Repo["policy"]): string | undefined {
  const rules: Record<string, unknown> = {};
  if (policy.caps) rules["limits.cluster-total"] = { params: policy.caps };
  if (policy.timeZone) rules["budgets.time-zone"] = { params: { timeZone: policy.timeZone } };
  const spec: Record<string, unknown> = { rules };
  if (policy.exemptUntil) {
    spec.exemptions = [
      {
        rule: "references.*",
        objects: { names: ["pool-1*"] },
        reason: "being rebuilt",
        expires: policy.exemptUntil,
      },
    ];
  }
  const documents = [{ apiVersion: "poolkeeper.dev/v1alpha1", kind: "PoolPolicy", metadata: { name: "ops" }, spec }];
  // A policy for one team's pools only: objects resolve to different policies.
  if (policy.strictTeam) {
    documents.push({
      apiVersion: "poolkeeper.dev/v1alpha1",
      kind: "PoolPolicy",
      metadata: { name: "team" },
      spec: { match: { labels: { team: policy.strictTeam } }, preset: "strict", rules: {} },
    } as never);
  }
  // Quoted: YAML 1.1 reads a bare 2025-12-31 as a timestamp.
  return documents
    .map((d) => stringify(d, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }))
    .join("---\n");
}

function commitFiles(repo: Repo, step: number): CommitFiles {
  const pools = [
    ...[...repo.classes].map(([path, c]) => ({ path, text: classText(c) })),
    ...[...repo.pools].map(([path, p]) => ({ path, text: poolText(p) })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const policy = policyText(repo.policy);
  return {
    sha: step.toString(16).padStart(40, "0"),
    config,
    configProblems: [],
    pools,
    policies: policy ? [{ path: "policies/ops.yaml", text: policy }] : [],
  };
}

/** mulberry32: a small seeded generator, so a failing sequence is replayed by its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIGHTS = [undefined, 10, 10, 20, 50];
const CATEGORIES = [["c", "m"], ["m"], ["r"], ["c", "m", "r"], ["g"]];
const CAPACITY = [["spot", "on-demand"], ["on-demand"], ["spot"]];
const TEAMS = ["web", "data", "ml"];

function newPool(rnd: () => number, name: string, classes: readonly string[]): Pool {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  return {
    name,
    weight: pick(WEIGHTS),
    categories: pick(CATEGORIES),
    capacity: pick(CAPACITY),
    cpu: rnd() < 0.8 ? String(100 + Math.floor(rnd() * 10) * 100) : undefined,
    nodeClass: rnd() < 0.95 ? pick(classes) : "missing",
    team: pick(TEAMS),
  };
}

/** One random change to the repository; returns what it did, for a failure's message. */
function change(repo: Repo, rnd: () => number, counter: { n: number }): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const poolPaths = [...repo.pools.keys()];
  const classNames = [...repo.classes.values()].map((c) => c.name);
  const roll = rnd();
  if (roll < 0.12 || poolPaths.length < 3) {
    const name = `pool-${counter.n++}`;
    repo.pools.set(`pools/${name}.yaml`, newPool(rnd, name, classNames));
    return `add ${name}`;
  }
  const path = pick(poolPaths);
  const pool = repo.pools.get(path) as Pool;
  if (roll < 0.2) {
    repo.pools.delete(path);
    return `delete ${path}`;
  }
  if (roll < 0.24) {
    repo.pools.delete(path);
    repo.pools.set(`pools/moved-${counter.n++}.yaml`, pool);
    return `move ${path}`;
  }
  if (roll < 0.28) {
    // Sometimes onto an existing name: a duplicate definition.
    pool.name = rnd() < 0.3 ? (repo.pools.get(pick(poolPaths)) as Pool).name : `pool-${counter.n++}`;
    return `rename ${path} to ${pool.name}`;
  }
  if (roll < 0.4) {
    pool.weight = pick(WEIGHTS);
    return `weight of ${path}: ${pool.weight}`;
  }
  if (roll < 0.46) {
    pool.categories = pick(CATEGORIES);
    pool.capacity = pick(CAPACITY);
    return `requirements of ${path}`;
  }
  if (roll < 0.52) {
    pool.cpu = rnd() < 0.85 ? String(100 + Math.floor(rnd() * 10) * 100) : undefined;
    return `cpu limit of ${path}: ${pool.cpu}`;
  }
  if (roll < 0.56) {
    pool.taint = pool.taint ? undefined : "dedicated";
    pool.replicas = rnd() < 0.3 ? 2 : undefined;
    return `taint and replicas of ${path}`;
  }
  if (roll < 0.6) {
    pool.broken = !pool.broken;
    pool.team = pick(TEAMS);
    return `validity of ${path}`;
  }
  if (roll < 0.65) {
    pool.nodeClass = rnd() < 0.9 ? pick(classNames) : "missing";
    return `class of ${path}: ${pool.nodeClass}`;
  }
  const classPath = pick([...repo.classes.keys()]);
  const nodeClass = repo.classes.get(classPath) as NodeClass;
  if (roll < 0.7) {
    nodeClass.team = pick(TEAMS);
    nodeClass.role = rnd() < 0.5 ? "KarpenterNodeRole-prod" : "KarpenterNodeRole-next";
    return `class ${nodeClass.name}: team and role`;
  }
  if (roll < 0.74) {
    nodeClass.discovery = nodeClass.discovery === "prod" ? "next" : "prod";
    nodeClass.alias = pick(["al2023@v20250117", "al2@v20250116", "bottlerocket@v1.30.0"]);
    return `class ${nodeClass.name}: subnets and AMI`;
  }
  if (roll < 0.84) {
    if (repo.classes.size < 3 && rnd() < 0.5) {
      const name = `class-${counter.n++}`;
      repo.classes.set(`pools/${name}.yaml`, { ...nodeClass, name });
      return `add class ${name}`;
    }
    nodeClass.name = rnd() < 0.5 ? `class-${counter.n++}` : "default";
    return `rename class ${classPath} to ${nodeClass.name}`;
  }
  if (roll < 0.9) {
    repo.policy.caps = rnd() < 0.3 ? undefined : { cpu: String(500 + Math.floor(rnd() * 20) * 500), nodes: "400" };
    return `cluster total: ${JSON.stringify(repo.policy.caps)}`;
  }
  if (roll < 0.95) {
    repo.policy.timeZone = rnd() < 0.5 ? undefined : "Europe/Berlin";
    repo.policy.exemptUntil = rnd() < 0.5 ? undefined : "2025-12-15";
    return `policy: time zone ${repo.policy.timeZone}, exemption until ${repo.policy.exemptUntil}`;
  }
  repo.policy.strictTeam = rnd() < 0.5 ? undefined : pick(TEAMS);
  return `policy: strict for team ${repo.policy.strictTeam}`;
}

/** Mends every pool a change broke, so that sequences go on accepting commits. */
function repair(repo: Repo, counter: { n: number }): void {
  const classes = new Set<string>();
  for (const nodeClass of repo.classes.values()) {
    if (classes.has(nodeClass.name)) nodeClass.name = `class-${counter.n++}`;
    classes.add(nodeClass.name);
  }
  const names = new Set([...repo.classes.values()].map((c) => c.name));
  const seen = new Set<string>();
  for (const pool of repo.pools.values()) {
    if (!names.has(pool.nodeClass)) pool.nodeClass = [...names][0] ?? "default";
    if (seen.has(pool.name)) pool.name = `pool-${counter.n++}`;
    seen.add(pool.name);
    pool.broken = false;
    pool.replicas = undefined;
  }
}

function initialRepo(rnd: () => number, counter: { n: number }): Repo {
  const classes = new Map<string, NodeClass>([
    [
      "pools/default-class.yaml",
      { name: "default", alias: "al2023@v20250117", role: "KarpenterNodeRole-prod", discovery: "prod", team: "web" },
    ],
  ]);
  const pools = new Map<string, Pool>();
  const legacy = classes.get("pools/default-class.yaml") as NodeClass;
  classes.set("pools/legacy-class.yaml", { ...legacy, name: "legacy", alias: "al2@v20250116" });
  for (let i = 0; i < 10; i++) {
    const name = `pool-${counter.n++}`;
    pools.set(
      `pools/${name}.yaml`,
      newPool(
        rnd,
        name,
        [...classes.values()].map((c) => c.name),
      ),
    );
  }
  return { pools, classes, policy: { timeZone: "Europe/Berlin", exemptUntil: "2025-12-15" } };
}

function comparable(j: Judgement): unknown {
  return { accepted: j.accepted, reason: j.reason, findings: j.findings, problems: j.problems };
}

describe("incremental judging", () => {
  for (const seed of [1, 2, 3]) {
    it(`judges as judging everything does, on seed ${seed}'s commits`, () => {
      const rnd = random(seed);
      const counter = { n: 0 };
      const repo = initialRepo(rnd, counter);
      const cache = new GateCache();
      // Before AL2's end of support (2025-11-26), across the exemption's expiry, into a new year.
      let now = new Date("2025-11-08T10:00:00Z");
      let lastGood: DesiredState | undefined;
      let accepted = 0;
      const history: string[] = [];
      for (let step = 1; step <= 40; step++) {
        if (rnd() < 0.4) repair(repo, counter);
        // Some commits change nothing the gate reads (a README): only the time moves on.
        const changes = rnd() < 0.25 ? 0 : 1 + Math.floor(rnd() * 2);
        for (let i = 0; i < changes; i++) history.push(change(repo, rnd, counter));
        if (rnd() < 0.4) now = new Date(now.getTime() + Math.floor(rnd() * 9) * 24 * 3600 * 1000);
        const files = commitFiles(repo, step);
        const policy = gatePolicy(files, lastGood, undefined);
        const options = { now, previous: lastGood, ...(policy ? { policy } : {}) };
        const incremental = judgeCommit(files, { ...options, cache });
        const oracle = judgeCommit(files, options);
        assert.deepEqual(
          comparable(incremental),
          comparable(oracle),
          `seed ${seed}, commit ${step} at ${now.toISOString()}, after: ${history.join("; ")}`,
        );
        if (incremental.accepted) {
          lastGood = incremental.desiredState;
          accepted++;
        }
      }
      // The sequences reach both verdicts.
      assert.ok(accepted > 3 && accepted < 38, `${accepted} of 40 accepted`);
    });
  }

  it("re-judges the pool a commit changes and the pools its scope rules compare it with", () => {
    const nodeClass = { name: "default", alias: "al2023@v20250117", role: "r", discovery: "prod", team: "web" };
    const pools = new Map<string, Pool>();
    for (let i = 0; i < 30; i++) {
      const name = `pool-${i}`;
      // Weights all different: no pool competes with another.
      const pool = { name, weight: i + 1, categories: ["m"], capacity: ["spot"], cpu: "100", nodeClass: "default" };
      pools.set(`pools/${name}.yaml`, { ...pool, team: "web" });
    }
    const repo: Repo = { pools, classes: new Map([["pools/class.yaml", nodeClass]]), policy: {} };
    const cache = new GateCache();
    const now = new Date("2026-11-25T10:00:00Z");
    let lastGood: DesiredState | undefined;
    let step = 0;
    const judged = () => {
      const before = cache.findings.counts.judged;
      const judgement = judgeCommit(commitFiles(repo, ++step), { now, cache, previous: lastGood });
      assert.deepEqual(
        comparable(judgement),
        comparable(judgeCommit(commitFiles(repo, step), { now, previous: lastGood })),
      );
      if (judgement.accepted) lastGood = judgement.desiredState;
      return cache.findings.counts.judged - before;
    };
    assert.equal(judged(), 31, "the first commit judges every object");
    assert.equal(judged(), 31, "the second too: each object now has a previous version");
    (pools.get("pools/pool-5.yaml") as Pool).cpu = "200";
    assert.equal(judged(), 1, "a limit changed: that pool");
    (pools.get("pools/pool-7.yaml") as Pool).weight = 10;
    // pool-7; pool-9, of weight 10, which it now competes with; pool-5, whose previous version is now the last.
    assert.equal(judged(), 3, "a weight changed onto another pool's");
    assert.equal(judged(), 1, "nothing changed: pool-7, whose previous version is now the last");
    repo.classes.set("pools/other.yaml", { ...nodeClass, name: "other" });
    assert.equal(judged(), 31, "a class added: every pool's reference, and the new class");
  });
});
