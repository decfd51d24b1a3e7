// The worst inputs an attacker can send, against the servers that take them (bench/adversarial-servers.ts, a
// process of their own): a NodePool with one requirement of 50,000 values, one with 10,000 taints, and a 3 MiB body
// of nested arrays — each through the admission webhook over HTTPS, beside normal reviews; and the two pools through
// the Git gate, each as a commit of `poolkeeper sync` fetched from a real Git server (`git http-backend` behind
// test/support/git-server.ts, in this process), beside normal commits, a commit of 1,000 ordinary pools and the
// largest pool the gate still parses (8,000 values: the two worst cases are over the loader's 256 KiB per-object
// bound and refused before parsing).
// Throughout, /healthz of both servers is asked every 100 ms and the slowest answer of each phase reported; the
// servers' peak RSS after each phase, and their V8 heap after a forced GC at the start and at the end.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createReview, upstream } from "../test/support/admission-fixtures.ts";
import { startGitServer } from "../test/support/git-server.ts";
import { createPoolRepo } from "../test/support/pool-repo.ts";
import { createTestCa, httpsCall } from "../test/support/tls.ts";

type Json = Record<string, unknown>;

const VALUES = 50_000;
const TAINTS = 10_000;
/** Values of the largest pool under the per-object bound (api/manifests/yaml-loader.ts), as the bench writes it. */
const VALUES_UNDER_BOUND = 8_000;
const NESTED_BYTES = 3 * 1024 * 1024 - 4096;
const NORMAL_REQUESTS = 50;
const WORST_REQUESTS = 10;
/** Nested bodies sent at once, as many as the webhook takes in flight: what they cost in memory together. */
const BURST = 32;
const GATE_ROUNDS = 5;
const MANY_POOLS = 1_000;
const PROBE_MS = 100;
const TARGET_MS = 100;
const HEALTH_TARGET_MS = 1_000;
const HEAP_TARGET_MIB = 5;

const benchStart = performance.now();
const tmp = mkdtempSync(join(tmpdir(), "poolkeeper-adversarial-bench-"));
const ca = createTestCa();
const serving = ca.issue("bench");
const git = await startGitServer({ root: join(tmp, "server") });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    rmSync(tmp, { recursive: true, force: true });
    ca.remove();
    process.exit(130);
  });
}

// The inputs.
const pool = upstream("general-purpose.yaml", "NodePool");
const templateSpec = (object: Json) => ((object.spec as Json).template as Json).spec as Json;
const manyValues = structuredClone(pool);
templateSpec(manyValues).requirements = [
  {
    key: "node.kubernetes.io/instance-type",
    operator: "In",
    values: Array.from({ length: VALUES }, (_, i) => `m7i.size-${i}`),
  },
];
const underBound = structuredClone(pool);
templateSpec(underBound).requirements = [
  {
    key: "node.kubernetes.io/instance-type",
    operator: "In",
    values: Array.from({ length: VALUES_UNDER_BOUND }, (_, i) => `m7i.size-${i}`),
  },
];
const manyTaints = structuredClone(pool);
templateSpec(manyTaints).taints = Array.from({ length: TAINTS }, (_, i) => ({
  key: `example.com/taint-${i}`,
  value: "x",
  effect: "NoSchedule",
}));
const depth = Math.floor(NESTED_BYTES / 2);
const nested = Buffer.from(
  JSON.stringify(createReview(pool)).replace('"spec":{', `"nested":${"[".repeat(depth)}${"]".repeat(depth)},"spec":{`),
);
const reviews = {
  normal: Buffer.from(JSON.stringify(createReview(pool))),
  values: Buffer.from(JSON.stringify(createReview(manyValues))),
  taints: Buffer.from(JSON.stringify(createReview(manyTaints))),
};

// The repository `sync` follows, and the commits it will be shown.
const repo = await createPoolRepo(git, "pools", tmp);
const yaml = (object: Json) => JSON.stringify(object, null, 1); // JSON is YAML
const withName = (object: Json, name: string) => ({ ...object, metadata: { name } });

const servers = fork(join(import.meta.dirname, "adversarial-servers.ts"), [], {
  execArgv: ["--expose-gc"],
  env: {
    ...process.env,
    BENCH_CERT_FILE: serving.certFile,
    BENCH_KEY_FILE: serving.keyFile,
    BENCH_REPO_URL: repo.url,
    BENCH_CACHE_DIR: join(tmp, "cache"),
  },
});
const next = () => new Promise<Json>((resolve) => servers.once("message", (m) => resolve(m as Json)));
const ask = (message: string) => {
  const reply = next();
  servers.send(message);
  return reply;
};
const { webhookPort, hookPort } = (await next()) as { webhookPort: number; hookPort: number };

// /healthz of both servers every 100 ms, on connections kept alive; a probe is timed from when it is sent.
const webhookAgent = new https.Agent({ keepAlive: true, ca: ca.ca });
const hookAgent = new http.Agent({ keepAlive: true });
let worst = { webhook: 0, sync: 0 };
const outstanding = new Map<string, number>();
let probes = 0;
const probe = (name: "webhook" | "sync") => {
  const id = `${name}-${probes++}`;
  const sent = performance.now();
  outstanding.set(id, sent);
  const done = () => {
    outstanding.delete(id);
    worst[name] = Math.max(worst[name], performance.now() - sent);
  };
  const options = { host: "127.0.0.1", path: "/healthz" };
  const req =
    name === "webhook"
      ? https.get({ ...options, port: webhookPort, agent: webhookAgent }, (res) => res.resume().on("end", done))
      : http.get({ ...options, port: hookPort, agent: hookAgent }, (res) => res.resume().on("end", done));
  req.on("error", done);
};
const prober = setInterval(() => {
  probe("webhook");
  probe("sync");
}, PROBE_MS);
/** The slowest health answer since the last call, a probe still unanswered counting for its age so far. */
const worstHealth = () => {
  const now = performance.now();
  const pending = Math.max(0, ...[...outstanding.values()].map((sent) => now - sent));
  const found = { webhook: Math.max(worst.webhook, pending), sync: Math.max(worst.sync, pending) };
  worst = { webhook: 0, sync: 0 };
  return found;
};

const agent = new https.Agent({ keepAlive: true, maxSockets: BURST });
const review = (body: Buffer) =>
  httpsCall({
    port: webhookPort,
    ca: ca.ca,
    path: "/validate",
    body,
    agent,
    headers: { "content-type": "application/json" },
  });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const verdict = (met: boolean) => (met ? "met" : "NOT met");

interface Row {
  what: string;
  answer: string;
  median: number;
  max: number;
  health: number;
  rss: number;
}
const rows: Row[] = [];

/** `count` requests one after another: the answer, median and slowest time, worst health, peak RSS. */
async function phase(what: string, body: Buffer, count: number): Promise<Row> {
  worstHealth();
  const times: number[] = [];
  let answer = "";
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const reply = await review(body);
    times.push(performance.now() - start);
    const response = reply.status === 200 ? ((JSON.parse(reply.body) as Json).response as Json) : undefined;
    answer = response ? (response.allowed ? "200 allowed" : "200 denied") : `${reply.status}`;
  }
  const health = worstHealth().webhook;
  const { peakRssMiB } = await ask("heap");
  const row = { what, answer, median: median(times), max: Math.max(...times), health, rss: Number(peakRssMiB) };
  rows.push(row);
  return row;
}

try {
  for (let i = 0; i < 20; i++) await review(reviews.normal); // warm-up
  const heapStart = Number((await ask("heap")).heapMiB);

  console.log(`webhook over HTTPS (${WORST_REQUESTS} of each worst case, one at a time; ${NORMAL_REQUESTS} normal):`);
  await phase("normal review (general-purpose NodePool)", reviews.normal, NORMAL_REQUESTS);
  await phase(`NodePool, one requirement of ${VALUES.toLocaleString("en")} values`, reviews.values, WORST_REQUESTS);
  await phase(`NodePool, ${TAINTS.toLocaleString("en")} taints`, reviews.taints, WORST_REQUESTS);
  await phase(`3 MiB of nested arrays (${depth.toLocaleString("en")} levels)`, nested, WORST_REQUESTS);
  worstHealth();
  const burstStart = performance.now();
  const burst = await Promise.all(Array.from({ length: BURST }, () => review(nested)));
  const burstMs = performance.now() - burstStart;
  const burstHealth = worstHealth().webhook;
  const burstRss = Number((await ask("heap")).peakRssMiB);
  const heapEnd = Number((await ask("heap")).heapMiB);

  const width = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) {
    console.log(
      `  ${r.what.padEnd(width)}  ${r.answer.padEnd(11)}  median ${ms(r.median).padStart(8)}  max ${ms(r.max).padStart(8)}` +
        `  health ≤ ${ms(r.health).padStart(7)}  peak RSS ${Math.round(r.rss)} MiB`,
    );
  }
  const statuses = [...new Set(burst.map((r) => r.status))].join(", ");
  console.log(
    `  ${BURST} nested bodies at once: all answered ${statuses} in ${ms(burstMs)}; health ≤ ${ms(burstHealth)}; ` +
      `peak RSS ${Math.round(burstRss)} MiB`,
  );
  console.log(
    `  V8 heap after a forced GC: ${heapStart.toFixed(1)} MiB after the warm-up, ${heapEnd.toFixed(1)} MiB at the end ` +
      `(${(heapEnd - heapStart >= 0 ? "+" : "") + (heapEnd - heapStart).toFixed(1)} MiB)`,
  );

  // The Git gate: commits pushed to the server, each fetched, read and judged by one sync. Each worst case is
  // committed GATE_ROUNDS times (a little different each time, so each is a new head), each time followed by a
  // commit that removes it again.
  console.log(
    `Git gate, one sync per commit (fetch, read, judge; median and max of ${GATE_ROUNDS}), and the gate alone on the ` +
      "same files (median):",
  );
  interface GateRow {
    what: string;
    outcome: string;
    syncs: number[];
    judges: number[];
    health: number;
    rss: number;
  }
  const gate: GateRow[] = [];
  const commit = async (row: GateRow, files: Record<string, string | null>) => {
    await repo.commit(row.what, files);
    await repo.push();
    worstHealth();
    const sync = await ask("sync");
    row.health = Math.max(row.health, worstHealth().sync);
    row.outcome = String(sync.outcome);
    row.syncs.push(Number(sync.ms));
    row.rss = Number(sync.peakRssMiB);
    // The gate alone runs at once, without slices: no health probe is counted while it does.
    row.judges.push(Number((await ask("judge")).ms));
    worstHealth();
  };
  const rowOf = (what: string): GateRow => ({ what, outcome: "", syncs: [], judges: [], health: 0, rss: 0 });
  const normal = rowOf("a normal pool added or removed");
  const values = rowOf(`a pool with ${VALUES.toLocaleString("en")} values`);
  const taints = rowOf(`a pool with ${TAINTS.toLocaleString("en")} taints`);
  const under = rowOf(`a pool with ${VALUES_UNDER_BOUND.toLocaleString("en")} values (parsed: under the bound)`);
  await ask("sync"); // the first sync clones the repository
  for (let round = 0; round < GATE_ROUNDS; round++) {
    for (const [row, file, object] of [
      [values, "pools/values.yaml", withName(manyValues, `values-${round}`)],
      [taints, "pools/taints.yaml", withName(manyTaints, `taints-${round}`)],
      [under, "pools/under.yaml", withName(underBound, `under-${round}`)],
    ] as const) {
      await commit(row, { [file]: yaml(object) });
      await commit(normal, { [file]: null, [`pools/team-${round}.yaml`]: yaml(withName(pool, `team-${round}`)) });
    }
  }
  // Many ordinary pools at once: judged in slices, so health is answered between them.
  const many = rowOf(`${MANY_POOLS.toLocaleString("en")} normal pools in one commit`);
  const files = Object.fromEntries(
    Array.from({ length: MANY_POOLS }, (_, i) => [`pools/many-${i}.yaml`, yaml(withName(pool, `many-${i}`))]),
  );
  await commit(many, files);
  gate.push(normal, values, taints, many, under);
  const gateWidth = Math.max(...gate.map((g) => g.what.length));
  for (const g of gate) {
    console.log(
      `  ${g.what.padEnd(gateWidth)}  ${g.outcome.padEnd(8)}  sync median ${ms(median(g.syncs)).padStart(8)}` +
        `  max ${ms(Math.max(...g.syncs)).padStart(8)}  judge alone ${ms(median(g.judges)).padStart(8)}` +
        `  health ≤ ${ms(g.health).padStart(7)}  peak RSS ${Math.round(g.rss)} MiB`,
    );
  }

  const worstRows = rows.slice(1);
  const worstGate = gate.slice(1, 3);
  const slowest = Math.max(...worstRows.map((r) => r.median));
  const slowestGate = Math.max(...worstGate.map((g) => median(g.syncs)));
  const slowestHealth = Math.max(...rows.map((r) => r.health), burstHealth, ...gate.map((g) => g.health));
  const heapGrowth = heapEnd - heapStart;
  console.log(
    `targets: worst-case request < ${TARGET_MS} ms (webhook median ${ms(slowest)}: ${verdict(slowest < TARGET_MS)}; ` +
      `gate sync median ${ms(slowestGate)}: ${verdict(slowestGate < TARGET_MS)}); health within ${HEALTH_TARGET_MS} ms ` +
      `throughout (${ms(slowestHealth)}: ${verdict(slowestHealth < HEALTH_TARGET_MS)}); heap back within ` +
      `${HEAP_TARGET_MIB} MiB (${heapGrowth.toFixed(1)} MiB: ${verdict(Math.abs(heapGrowth) < HEAP_TARGET_MIB)})`,
  );
} finally {
  clearInterval(prober);
  webhookAgent.destroy();
  hookAgent.destroy();
  agent.destroy();
  await ask("stop");
  await git.stop();
  ca.remove();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
