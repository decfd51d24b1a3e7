// The GitOps controller against a real Git server (`git http-backend` behind test/support/git-server.ts) and a
// pool repository of 1,000 NodePool files and 5,000 commits (bench/gitops-repo.ts): the initial sync (clone, read
// and judge every pool), the incremental sync after one new commit, a status commit and push for 500 pools, and
// memory over many incremental syncs, measured in syncer processes of their own (bench/gitops-syncer.ts), apart
// from this one's Git server and git CLI, with Node's defaults and with the settings the controller is meant to run
// with, side by side (SYNCER_SETTINGS). The baseline is the `git` CLI doing the same Git work in the same run:
// clone or `git fetch`, then `git ls-tree` + `git cat-file --batch` of the same files; for the status, writing
// the same files into a working tree, `git add`, `git commit` and `git push`. Syncs are broken down into fetch,
// read (the GitSource's readTree) and judge (the policy gate, also timed alone on the same files), so a missed
// target says where the time goes.
//
// POOLKEEPER_BENCH_SYNCS sets how many incremental syncs the RSS measurement makes (default 1000; most of the
// bench's time goes there).
import { fork, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { performance } from "node:perf_hooks";
import { parse } from "yaml";
import { defaultYamlLimits, loadManifests } from "../api/index.ts";
import { DEFAULT_CACHE_BYTES } from "../gitops/cache-bounds.ts";
import { cloneInChildProcess } from "../gitops/git-process.ts";
import { systemClock } from "../api/ports.ts";
import { configDefaults } from "../gitops/config.ts";
import { CONFIG_FILE, GateCache, judgeCommit, readCommit } from "../gitops/gate.ts";
import { CLONE_DEPTH, openSource, type GitSource } from "../gitops/source.ts";
import { StatusPublisher } from "../gitops/status-publisher.ts";
import { summarizePool, type PoolStatus, type StatusSource } from "../gitops/status-model.ts";
import { createStatusWriter, type StatusWriteInput, type StatusWriter } from "../gitops/status-writer.ts";
import { Syncer, type SyncResult } from "../gitops/sync.ts";
import { silentLogger } from "../runtime/log.ts";
import { startGitServer } from "../test/support/git-server.ts";
import { buildBenchRepo, type BenchRepo } from "./gitops-repo.ts";
import type { SyncerReply, SyncerRequest } from "./gitops-syncer.ts";
import { describeBreakdown, memoryBreakdown, type MemoryBreakdown } from "./memory-breakdown.ts";
import { timedSource, type SyncTime } from "./timed-source.ts";

const POOLS = 1000;
const COMMITS = 5000;
const WARM_UP_ROUNDS = 2;
const ROUNDS = 20;
const STATUS_POOLS = 500;
const STATUS_ROUNDS = 7;
const SYNCS = Number(process.env.POOLKEEPER_BENCH_SYNCS ?? 1000);
/** How long a syncer process idles before the memory read that shows what V8's memory reducer gives back. */
const IDLE_MS = 12_000;
if (!Number.isInteger(SYNCS) || SYNCS < 1) throw new Error("POOLKEEPER_BENCH_SYNCS must be a positive integer");

/** How a syncer process is started: V8 flags and environment (glibc's malloc settings). */
interface SyncerSetting {
  name: string;
  execArgv: string[];
  env: Record<string, string>;
}

/**
 * The settings compared side by side: Node's defaults, and the chart's (`controller.nodeOptions`, a small semi-space:
 * V8 otherwise grows the young generation to two 64 MiB halves while the initial sync parses 1,000 files, and keeps
 * them; `controller.mallocArenaMax`, glibc's malloc held to two arenas instead of one per thread that allocates),
 * read from the chart's values so that the figure is what the chart runs with.
 */
const SYNCER_SETTINGS: SyncerSetting[] = [{ name: "defaults", execArgv: [], env: {} }, chartSetting()];

function chartSetting(): SyncerSetting {
  const values = parse(readFileSync(new URL("../charts/poolkeeper/values.yaml", import.meta.url), "utf8")) as {
    controller?: {
      nodeOptions?: string | null;
      mallocArenaMax?: number | string | null;
      mallocMmapThreshold?: number | string | null;
    };
  };
  const nodeOptions = values.controller?.nodeOptions ?? "";
  const env: Record<string, string> = {};
  // The environment variables the chart's controller template sets from these values.
  const { mallocArenaMax, mallocMmapThreshold } = values.controller ?? {};
  if (mallocArenaMax !== undefined && mallocArenaMax !== null) env.MALLOC_ARENA_MAX = String(mallocArenaMax);
  if (mallocMmapThreshold !== undefined && mallocMmapThreshold !== null)
    env.MALLOC_MMAP_THRESHOLD_ = String(mallocMmapThreshold);
  const execArgv = nodeOptions.split(/\s+/).filter((flag) => flag !== "");
  const name = `the chart's ${[...execArgv, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(", ")}`;
  return { name, execArgv, env };
}

const STATUS_BRANCH = configDefaults.statusBranch;
const STATUS_PATH = "status/prod/";
const GLOBS = [CONFIG_FILE, ...configDefaults.pools];

const benchStart = performance.now();
const tmp = mkdtempSync(join(tmpdir(), "poolkeeper-gitops-bench-"));
const server = await startGitServer({ root: join(tmp, "server") });
// An interrupted run leaves no temp dirs behind (the `finally` below does not run on a signal).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

/** Runs `git` without blocking the event loop (the Git server's HTTP bridge runs in this process). */
function git(cwd: string, args: string[], input?: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-c", "user.name=bench", "-c", "user.email=bench@poolkeeper.test", ...args], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString("utf8")}`));
    });
    child.stdin.end(input);
  });
}

/** The files poolkeeper reads at `sha` (config and pools), read by the git CLI: `ls-tree`, then `cat-file --batch`. */
async function gitReadFiles(dir: string, sha: string): Promise<Map<string, string>> {
  const listing = (await git(dir, ["ls-tree", "-r", "-z", sha])).toString("utf8").split("\0");
  const wanted: { path: string; oid: string }[] = [];
  for (const entry of listing) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(" ");
    const path = entry.slice(tab + 1);
    if (type === "blob" && oid && GLOBS.some((glob) => posix.matchesGlob(path, glob))) wanted.push({ path, oid });
  }
  const batch = await git(dir, ["cat-file", "--batch"], wanted.map((w) => w.oid).join("\n") + "\n");
  const decoder = new TextDecoder("utf-8");
  const files = new Map<string, string>();
  let at = 0;
  for (const { path } of wanted) {
    const eol = batch.indexOf(10, at);
    const size = Number(batch.subarray(at, eol).toString("latin1").split(" ")[2]);
    files.set(path, decoder.decode(batch.subarray(eol + 1, eol + 1 + size)));
    at = eol + 1 + size + 1;
  }
  if (files.size !== POOLS + 2) throw new Error(`the git CLI read ${files.size} files at ${sha}`);
  return files;
}

type Breakdown = SyncTime;

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** The value below which the fraction `p` of `values` lies (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const s = (value: number) => `${(value / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const signed = (bytes: number) => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024 / 1024).toFixed(1)} MiB`;
const verdict = (met: boolean) => (met ? "met" : "NOT met");
const gc = (globalThis as { gc?: () => void }).gc;

/** Fails loudly unless the sync accepted exactly `sha`. */
function expectAccepted(result: SyncResult, sha: string, what: string): void {
  if (result.outcome === "accepted" && result.sha === sha) return;
  const why = result.error?.message ?? result.judgement?.reason ?? "";
  throw new Error(`${what}: expected ${sha.slice(0, 7)} accepted, got ${result.outcome} of ${result.sha}: ${why}`);
}

/**
 * Medians of `runs` timed runs of each of `works` after one warm-up, interleaved (so that a busy moment of a shared
 * machine weighs on all alike), each after a forced GC.
 */
function timeInterleaved(runs: number, works: readonly (() => unknown)[]): number[] {
  for (const work of works) work();
  const times = works.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    works.forEach((work, w) => {
      gc?.();
      const start = performance.now();
      work();
      times[w]?.push(performance.now() - start);
    });
  }
  return times.map(median);
}

try {
  // The repository: 1,000 pools, 5,000 commits, and the commits the incremental syncs will find, prepared.
  const bare = server.createBareRepo("pools.git");
  let built = performance.now();
  const repo = buildBenchRepo(bare, { pools: POOLS, commits: COMMITS, future: WARM_UP_ROUNDS + ROUNDS + SYNCS });
  built = performance.now() - built;
  const url = server.url("pools.git");
  console.log(
    `repository: ${POOLS} NodePool files, an EC2NodeClass and poolkeeper.yaml (${(repo.bytes / 1024).toFixed(0)} KiB), ` +
      `${COMMITS} commits; built with git fast-import in ${s(built)}`,
  );
  let next = 0;
  /** Puts the next prepared commit (one pool file changed) on the server's `main`. */
  const advance = async (): Promise<string> => {
    const sha = repo.future[next++];
    if (sha === undefined) throw new Error("no prepared commit left");
    await git(bare, ["update-ref", "refs/heads/main", sha]);
    return sha;
  };

  const plain = openSource({ url, branch: "main", cacheDir: join(tmp, "poolkeeper-source") });
  const timed = timedSource(plain);
  let syncer: Syncer | undefined = new Syncer({
    source: timed.source,
    cluster: "prod",
    clock: systemClock,
    logger: silentLogger(),
  });
  const gitDir = join(tmp, "git-cli-clone");

  console.log(`memory at the start: ${describeBreakdown(memoryBreakdown())}`);
  const status = await initialSync(repo, url, syncer, timed, gitDir);
  await printMemory("of the bench's own process (Git server, git CLI, syncer) after the initial sync", syncer);
  const incremental = await incrementalSyncs(syncer, timed, gitDir, advance);
  await judgeAlone(plain, incremental.sha);
  const statusTime = await statusCommits(url, status);
  // What the syncer holds in all (gate, desired state, judgement, Git caches): the heap it frees when dropped.
  const held = memoryBreakdown();
  await syncer.close();
  syncer = undefined;
  const freed = memoryBreakdown();
  console.log(
    `the bench's in-process syncer dropped: V8 heap used ${signed(freed.heapUsed - held.heapUsed)}, external ` +
      `${signed(freed.external - held.external)}, RSS ${signed(freed.rss - held.rss)}`,
  );
  const { growth, rss, ...overSyncs } = await memory(url, advance, incremental.total);

  console.log(
    `targets: incremental sync < 100 ms median over ${SYNCS} syncs (${ms(overSyncs.median)}: ` +
      `${verdict(overSyncs.median < 100)}), < 200 ms p95 (${ms(overSyncs.p95)}: ${verdict(overSyncs.p95 < 200)}), ` +
      `≤ 1× the git CLI's fetch + read (${(incremental.total / incremental.git).toFixed(2)}×: ` +
      `${verdict(incremental.total <= incremental.git)}); status ` +
      `commit + push for ${STATUS_POOLS} pools < 2 s (${s(statusTime)}: ${verdict(statusTime < 2000)}); RSS growth ` +
      `over ${SYNCS} syncs, once idle, < 100 MB (${(growth / 1e6).toFixed(0)} MB: ${verdict(growth < 100e6)}) and ` +
      `none (${verdict(growth <= 0)}); RSS after a forced GC ≤ 200 MB with the repository loaded and judged, after ` +
      `the initial sync and after the syncs once idle, in the syncer's own process with ` +
      `${SYNCER_SETTINGS.at(-1)?.name} (${(rss / 1e6).toFixed(0)} MB: ${verdict(rss <= 200e6)})`,
  );
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`bench took ${s(performance.now() - benchStart)}`);

/** 1. Clone, read and judge all 1,000 pools; the git CLI clones and reads the same files. */
async function initialSync(
  repo: BenchRepo,
  url: string,
  syncer: Syncer,
  timed: ReturnType<typeof timedSource>,
  gitDir: string,
): Promise<{ source: StatusSource; pools: PoolStatus[]; reason: string }> {
  const { value, time } = await timed.measure(() => syncer.sync());
  expectAccepted(value, repo.head, "initial sync");
  // The head judged again as its own successor, between syncs (gitops/sync.ts): what the next sync reuses.
  let primed = performance.now();
  await syncer.idle();
  primed = performance.now() - primed;
  const state = value.desiredState;
  const reason = value.judgement?.reason ?? "";
  if (!state) throw new Error("the initial sync has no desired state");
  console.log(
    `initial sync: ${value.outcome} (${reason}; ${state.nodePools.length} NodePools, ${state.nodeClasses.length} EC2NodeClass)`,
  );
  let gitTime = performance.now();
  // At the depth poolkeeper clones (source.ts, CLONE_DEPTH), as the issue compares them.
  const depth = ["--depth", String(CLONE_DEPTH)];
  await git(tmp, ["clone", "--quiet", "--no-checkout", "--single-branch", ...depth, "--branch", "main", url, gitDir]);
  const gitClone = performance.now() - gitTime;
  await gitReadFiles(gitDir, repo.head);
  gitTime = performance.now() - gitTime;
  await cloneApart(url, gitClone, gitTime);
  console.log(
    `initial sync: ${s(time.total)} (clone ${s(time.fetch)}, read ${s(time.read)}, judge ${s(time.judge)}); ` +
      `git CLI clone --depth ${CLONE_DEPTH} + ls-tree + cat-file ${s(gitTime)}: ` +
      `${(time.total / gitTime).toFixed(1)}× the git CLI (target ≤ 3×: ${verdict(time.total <= 3 * gitTime)}) ` +
      `(poolkeeper's clone + read alone: ${((time.fetch + time.read) / gitTime).toFixed(1)}×); then, between ` +
      `syncs, judged again as its own successor in ${s(primed)}`,
  );
  // What the status phase reports: the first 500 pools, with the findings on them and on the node class.
  const pools = state.nodePools.slice(0, STATUS_POOLS).map(summarizePool);
  const names = new Set(pools.map((p) => p.name));
  const findings = value.findings.filter((f) => f.object.kind !== "NodePool" || names.has(f.object.name));
  return { source: { sha: state.sha, accepted: true, findings }, pools, reason };
}

/**
 * The Git process's clone alone and with the head's files read (what the initial sync's "clone" holds: both run in
 * that process, git-process.ts), each started anew, against the git CLI's clone and its clone and read just before.
 */
async function cloneApart(url: string, gitClone: number, gitCloneRead: number): Promise<void> {
  const time = async (cacheBytes?: number) => {
    const dir = mkdtempSync(join(tmp, "git-process-"));
    const start = performance.now();
    const request = { url, dir, branch: "main", depth: CLONE_DEPTH, maxFileBytes: defaultYamlLimits.maxBytes };
    await cloneInChildProcess(cacheBytes === undefined ? request : { ...request, cacheBytes });
    const elapsed = performance.now() - start;
    rmSync(dir, { recursive: true, force: true });
    return elapsed;
  };
  const cloneOnly = await time();
  const cloneRead = await time(DEFAULT_CACHE_BYTES);
  console.log(
    `the Git process apart (started, clone at depth ${CLONE_DEPTH}, answered): clone ${s(cloneOnly)} against the git ` +
      `CLI's clone ${s(gitClone)} (${(cloneOnly / gitClone).toFixed(1)}×); clone and the head's files read ` +
      `${s(cloneRead)} against the git CLI's clone, ls-tree and cat-file ${s(gitCloneRead)} ` +
      `(${(cloneRead / gitCloneRead).toFixed(1)}×; target ≤ 3×: ${verdict(cloneRead <= 3 * gitCloneRead)})`,
  );
}

/** 2. One new commit changing one pool file, then a sync; the git CLI fetches and reads the same files. */
async function incrementalSyncs(
  syncer: Syncer,
  timed: ReturnType<typeof timedSource>,
  gitDir: string,
  advance: () => Promise<string>,
): Promise<Breakdown & { git: number; sha: string }> {
  const rounds: (Breakdown & { git: number })[] = [];
  const judgedPerSync: number[] = [];
  let sha = "";
  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
    sha = await advance();
    const head = sha;
    const timeGit = async () => {
      const start = performance.now();
      await git(gitDir, ["fetch", "--quiet", "origin", "main"]);
      await gitReadFiles(gitDir, head);
      return performance.now() - start;
    };
    // Alternate who fetches first, so that neither always meets a colder server.
    const gitFirst = round % 2 === 1 ? await timeGit() : undefined;
    const judgedBefore = syncer.judgedObjects.judged;
    const { value, time } = await timed.measure(() => syncer.sync());
    expectAccepted(value, sha, `incremental sync ${round}`);
    judgedPerSync.push(syncer.judgedObjects.judged - judgedBefore);
    const gitTime = gitFirst ?? (await timeGit());
    if (round >= WARM_UP_ROUNDS) rounds.push({ ...time, git: gitTime });
  }
  const pick = (key: keyof Breakdown | "git") => median(rounds.map((r) => r[key]));
  const m = {
    total: pick("total"),
    fetch: pick("fetch"),
    read: pick("read"),
    judge: pick("judge"),
    ancestry: pick("ancestry"),
    git: pick("git"),
  };
  console.log(
    `incremental sync, one pool file changed (median of ${ROUNDS}): ${ms(m.total)} (fetch ${ms(m.fetch)}, read ` +
      `${ms(m.read)}, ancestry check ${ms(m.ancestry)}, judge ${ms(m.judge)}); git CLI fetch + ls-tree + cat-file ` +
      `${ms(m.git)}: ${(m.total / m.git).toFixed(1)}× the git CLI (poolkeeper's fetch + read alone: ` +
      `${((m.fetch + m.read) / m.git).toFixed(1)}×; target ≤ 1×: ${verdict(m.total <= m.git)}); objects judged ` +
      `per sync: median ${median(judgedPerSync)}, at most ${Math.max(...judgedPerSync)} (of 1,001)`,
  );
  return { ...m, sha };
}

/** The gate alone on the head's files, in memory: how much of judging is YAML parsing. */
async function judgeAlone(source: GitSource, sha: string): Promise<void> {
  const files = await readCommit(source, sha);
  const now = new Date();
  const [judge = 0, yaml = 0] = timeInterleaved(5, [
    () => judgeCommit(files, { now }),
    () => files.pools.map((file) => loadManifests(file.text, file.path)),
  ]);
  console.log(
    `judgeCommit alone on the head's ${files.pools.length} files, nothing cached (median of 5): ${ms(judge)}, of ` +
      `which reading the YAML (loadManifests) ${ms(yaml)}`,
  );
  // The heap each owner keeps: the parsed files (the gate's cache), then what judging them adds (prepared targets,
  // rule answers, findings), against the bytes of text they come from.
  const text = files.pools.reduce((sum, file) => sum + file.text.length, 0);
  const cache = new GateCache();
  const start = memoryBreakdown().heapUsed;
  for (const file of files.pools) cache.manifests(file.path, file.text);
  const parsed = memoryBreakdown().heapUsed;
  const judgement = judgeCommit(files, { now, cache });
  const judged = memoryBreakdown().heapUsed;
  console.log(
    `heap kept for the head's ${files.pools.length} files (${mib(text)} of text): parsed manifests ` +
      `${mib(parsed - start)} (${((parsed - start) / text).toFixed(0)} bytes per byte of text), judging them adds ` +
      `${mib(judged - parsed)} (prepared targets, rule answers, ${judgement.findings.length} findings; ` +
      `${((judged - parsed) / text).toFixed(0)} bytes per byte); the gate cache estimates ${mib(cache.bytes)}`,
  );
}

/** RSS and where it is, and what the syncer's caches say they hold. */
async function printMemory(when: string, syncer: Syncer): Promise<void> {
  const caches = Object.entries(await syncer.cacheSizes())
    .map(([cache, bytes]) => `${cache} ${mib(bytes)}`)
    .join(", ");
  console.log(`memory ${when}: ${describeBreakdown(memoryBreakdown())}; caches (poolkeeper_cache_bytes): ${caches}`);
}

/** 3. A status commit + push for 500 pools; the git CLI commits and pushes the same files. */
async function statusCommits(url: string, status: { source: StatusSource; pools: PoolStatus[]; reason: string }) {
  const writes: StatusWriteInput[] = [];
  const inner = createStatusWriter({
    url,
    branch: STATUS_BRANCH,
    path: STATUS_PATH,
    cacheDir: join(tmp, "poolkeeper-status"),
    author: { name: "poolkeeper", email: "poolkeeper@poolkeeper.test" },
    retries: { max: 5, minBackoffMs: 10, maxBackoffMs: 100 },
  });
  // The writer as given, with each write's files kept for the git CLI to commit the same.
  const writer: StatusWriter = {
    remote: inner.remote,
    branch: inner.branch,
    write: (input) => {
      writes.push(input);
      return inner.write(input);
    },
    history: () => inner.history(),
  };
  const publisher = new StatusPublisher({
    writer,
    cluster: "prod",
    coalesceMs: 60_000, // flushed by hand below
    clock: systemClock,
    logger: silentLogger(),
    retry: { minBackoffMs: 60_000, maxBackoffMs: 60_000 },
  });
  const flush = async (what: string) => {
    const start = performance.now();
    const result = await publisher.flush();
    const time = performance.now() - start;
    if (!result?.pushed || result.unchanged)
      throw new Error(`${what}: no commit was pushed (${JSON.stringify(result)})`);
    return time;
  };
  const pools = [...status.pools];
  publisher.update({ source: status.source, pools });
  publisher.record({ kind: "accepted", reason: status.reason, sourceSha: status.source.sha });
  const first = await flush("first status commit");
  const times: number[] = [];
  for (let round = 0; round < STATUS_ROUNDS; round++) {
    // What the controller reports: one pool got a node.
    const index = (round * 71) % pools.length;
    const pool = pools[index] as PoolStatus;
    const nodes = (pool.usage?.nodes ?? 0) + 1;
    pools[index] = { ...pool, usage: { cpu: String(nodes * 8), memory: `${nodes * 32}Gi`, nodes } };
    publisher.update({ pools: [...pools] });
    publisher.record({
      kind: "provisioned",
      pool: pool.name,
      node: `ip-10-0-${round}-${index}.ec2.internal`,
      reason: "launched m7i.2xlarge for 3 pending pods",
    });
    times.push(await flush(`status round ${round}`));
  }

  // The git CLI, in a clone of the status branch: the same files written, `git add -A`, `git commit`, `git push`
  // (to a branch of its own, so that the status branch stays poolkeeper's).
  const dir = join(tmp, "git-cli-status");
  await git(tmp, ["clone", "--quiet", "--single-branch", "--branch", STATUS_BRANCH, url, dir]);
  await git(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/bench-git-status"]);
  const gitTimes: number[] = [];
  for (const input of writes.slice(1)) {
    const start = performance.now();
    rmSync(join(dir, STATUS_PATH), { recursive: true, force: true });
    for (const [path, text] of input.files) {
      const file = join(dir, STATUS_PATH, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "--quiet", "-F", "-"], input.message);
    await git(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/bench-git-status"]);
    gitTimes.push(performance.now() - start);
  }
  const time = median(times);
  const gitTime = median(gitTimes);
  console.log(
    `status commit + push, ${STATUS_POOLS} pools, one pool and one event changed (median of ${STATUS_ROUNDS}): ` +
      `${ms(time)} (the first, creating the branch: ${ms(first)}); git CLI write + add + commit + push ` +
      `${ms(gitTime)}: ${(time / gitTime).toFixed(1)}× the git CLI`,
  );
  return time;
}

/** Starts the syncer in a process of its own (bench/gitops-syncer.ts) and returns a function that asks it. */
function syncerProcess(setting: SyncerSetting): (request: SyncerRequest) => Promise<SyncerReply & { ok: true }> {
  const child = fork(new URL("./gitops-syncer.ts", import.meta.url), [], {
    execArgv: ["--expose-gc", ...setting.execArgv],
    env: { ...process.env, ...setting.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  let waiting: ((reply: SyncerReply) => void) | undefined;
  child.on("message", (reply: SyncerReply) => waiting?.(reply));
  child.on("exit", (code) => waiting?.({ ok: false, error: `the syncer process exited (${code})` }));
  return (request) =>
    new Promise((resolve, reject) => {
      waiting = (reply) => (reply.ok ? resolve(reply) : reject(new Error(`syncer process: ${reply.error}`)));
      child.send(request);
    });
}

interface SyncerRun {
  setting: SyncerSetting;
  ask: (request: SyncerRequest) => Promise<SyncerReply & { ok: true }>;
  first?: MemoryBreakdown;
  marks: string[];
  times: Breakdown[];
  /** CPU milliseconds the syncer process spent in each sync (user and system): the rest of its time it waited. */
  cpu: number[];
  judged: number[];
}

/**
 * 4. Memory, in syncer processes of their own, one per setting, side by side: each clones and judges the head, then
 * each makes the same SYNCS incremental syncs (each new head synced by one, then the other, in alternating order).
 * RSS after a forced GC at the start, every tenth (heap used, the main malloc arena and external with it) and the end, with the breakdown at the start, halfway and the end:
 * a leak grows the V8 heap in use; fragmentation grows the malloc arenas with the heap flat. Returns the last
 * setting's figures (the one the chart's controller is meant to run with).
 */
async function memory(
  url: string,
  advance: () => Promise<string>,
  inProcessMedian: number,
): Promise<{ growth: number; rss: number; median: number; p95: number }> {
  const runs: SyncerRun[] = SYNCER_SETTINGS.map((setting) => ({
    setting,
    ask: syncerProcess(setting),
    marks: [],
    times: [],
    cpu: [],
    judged: [],
  }));
  for (const [index, run] of runs.entries()) {
    const started = await run.ask({ op: "start", url, cacheDir: join(tmp, `poolkeeper-syncer-${index}`) });
    const t = started.time as SyncTime;
    const reply = await run.ask({ op: "memory" });
    run.first = reply.memory as MemoryBreakdown;
    console.log(
      `the syncer in a process of its own, ${run.setting.name}: initial sync ${s(t.total)} (clone ${s(t.fetch)}, ` +
        `read ${s(t.read)}, judge ${s(t.judge)}; then judged as its own successor between syncs in ` +
        `${s(started.primed ?? 0)}), then ${describeProcessMemory(reply)}; ${(await reduced(run)).text}`,
    );
  }
  const checkpoints = new Set(Array.from({ length: 9 }, (_, i) => Math.round((SYNCS * (i + 1)) / 10)));
  const half = Math.round(SYNCS / 2);
  for (let i = 1; i <= SYNCS; i++) {
    const sha = await advance();
    const order = i % 2 === 0 ? runs : [...runs].reverse();
    for (const run of order) {
      const reply = await run.ask({ op: "sync", sha });
      run.times.push(reply.time as SyncTime);
      run.cpu.push(reply.cpu ?? Number.NaN);
      run.judged.push(reply.judged ?? 0);
    }
    for (const run of runs) {
      if (i === half)
        console.log(
          `  ${run.setting.name}, after ${i} syncs: ${describeProcessMemory(await run.ask({ op: "memory" }))}`,
        );
      if (checkpoints.has(i)) {
        const m = (await run.ask({ op: "memory" })).memory as MemoryBreakdown;
        run.marks.push(
          `${mib(m.rss)} after ${i} (heap used ${mib(m.heapUsed)}, main arena ${mib(m.mallocArenas?.main ?? 0)}, ` +
            `external ${mib(m.external)})`,
        );
      }
    }
  }
  let result = { growth: 0, rss: 0, median: 0, p95: 0 };
  for (const run of runs) {
    const reply = await run.ask({ op: "memory" });
    const last = reply.memory as MemoryBreakdown;
    const first = run.first as MemoryBreakdown;
    const settled = await reduced(run);
    console.log(`  ${run.setting.name}, after ${SYNCS} syncs: ${describeProcessMemory(reply)}; ${settled.text}`);
    await run.ask({ op: "close" }).catch(() => undefined);
    // Judged once idle: a burst's last minute of pooled pages is given back then (gitops/heap-release.ts); the reading
    // right after the burst is printed beside it.
    const growth = settled.idle.rss - first.rss;
    console.log(
      `  ${run.setting.name}: RSS over ${SYNCS} incremental syncs after a forced GC: ${mib(first.rss)} before, ` +
        `${mib(last.rss)} right after: ${signed(last.rss - first.rss)} (${run.marks.join(", ")}), ` +
        `${mib(settled.idle.rss)} once idle: ${signed(growth)}; V8 heap used ` +
        `${signed(last.heapUsed - first.heapUsed)}, main malloc arena ` +
        `${signed((last.mallocArenas?.main ?? 0) - (first.mallocArenas?.main ?? 0))}, external ` +
        `${signed(last.external - first.external)}`,
    );
    const edge = Math.max(1, Math.min(50, Math.floor(SYNCS / 4)));
    const describe = (some: Breakdown[]) => {
      const m = (key: keyof Breakdown) => ms(median(some.map((time) => time[key])));
      return `${m("total")} (fetch ${m("fetch")}, read ${m("read")}, judge ${m("judge")})`;
    };
    const totals = run.times.map((time) => time.total).sort((a, b) => a - b);
    const p95 = percentile(totals, 0.95);
    console.log(
      `  ${run.setting.name}: sync time, median ${describe(run.times.slice(0, edge))} over the first ${edge}, ` +
        `${describe(run.times.slice(-edge))} over the last ${edge}; over all ${SYNCS}: median ` +
        `${ms(median(totals))}, p95 ${ms(p95)} (the bench's in-process syncer, median of ${ROUNDS} above: ` +
        `${ms(inProcessMedian)}); p95 of the fetch alone ${ms(
          percentile(
            run.times.map((t) => t.fetch),
            0.95,
          ),
        )}, ` +
        `of the CPU ${ms(percentile(run.cpu, 0.95))}; objects judged per sync: median ${median(run.judged)}, at ` +
        `most ${Math.max(...run.judged)}`,
    );
    const slowest = [...run.times.entries()].sort((a, b) => b[1].total - a[1].total).slice(0, 5);
    const cpu = (i: number) => ms(run.cpu[i] ?? Number.NaN);
    console.log(
      `  ${run.setting.name}: the slowest syncs (fetch / read / ancestry / judge; CPU of the syncer's process): ` +
        slowest
          .map(
            ([i, t]) =>
              `#${i + 1} ${ms(t.total)} (${ms(t.fetch)} / ${ms(t.read)} / ${ms(t.ancestry)} / ${ms(t.judge)}; ` +
              `CPU ${cpu(i)})`,
          )
          .join(", ") +
        `; median CPU per sync ${ms(median(run.cpu))}` +
        `; the clone's packs at the end: ${JSON.stringify(reply.packs ?? {})}`,
    );
    result = { growth, rss: Math.max(first.rss, settled.idle.rss), median: median(totals), p95 };
  }
  return result;
}

/**
 * RSS after IDLE_MS without syncs and a forced GC (V8's memory reducer starts 8 s after the last allocation-heavy
 * work: a controller polling every minute gets it between syncs, this bench's back-to-back syncs never do), and then
 * after a memory-reducing GC.
 */
async function reduced(run: SyncerRun): Promise<{ text: string; idle: MemoryBreakdown }> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idle = (await run.ask({ op: "memory" })).memory as MemoryBreakdown;
  const reducing = (await run.ask({ op: "memory", reduce: true })).memory as MemoryBreakdown;
  const text =
    `after ${IDLE_MS / 1000} s idle (the collection a burst left owed made, gitops/heap-release.ts) and a forced GC: ` +
    `RSS ${mib(idle.rss)} (V8 heap reserved ${mib(idle.heapReserved)}); after a memory-reducing GC: RSS ` +
    `${mib(reducing.rss)} (V8 heap reserved ${mib(reducing.heapReserved)})`;
  return { text, idle };
}

function describeProcessMemory(reply: SyncerReply & { ok: true }): string {
  const caches = Object.entries(reply.caches ?? {})
    .map(([cache, bytes]) => `${cache} ${mib(bytes)}`)
    .join(", ");
  return `${describeBreakdown(reply.memory as MemoryBreakdown)}; caches (poolkeeper_cache_bytes): ${caches}`;
}
