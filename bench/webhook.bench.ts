// The admission webhook under load, against the floor for this machine: a bare node:https server that parses each
// review and answers with an AdmissionReview of the size the webhook answers it with. autocannon over HTTPS
// keep-alive, 50 connections, a realistic mix of reviews (valid CREATE, denied CREATE, mutated CREATE,
// drift-causing UPDATE), each review of a new object (the pool's name varies) so that every one is judged; and the
// same mix asked again and again, which the webhook answers from the decisions it keeps (a dry run, then the
// request). The floor and the webhook take turns, a few seconds each over several rounds, so a change in the
// machine's load falls on both; the servers' process reports its CPU time, so the share is also given per review
// in CPU, which the load affects least. Then latency at a fixed 1,000 req/s of new objects, the floor's first (what
// the machine's scheduling alone gives a server at that rate), each with what held the servers' event loop (a timer's
// delay, the GC's pauses); and the heap after a forced GC before and after 100,000 requests.
import { fork } from "node:child_process";
import https from "node:https";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createTestCa } from "../test/support/tls.ts";
import { createReview, updateReview, upstream } from "../test/support/admission-fixtures.ts";

const ca = createTestCa();
const serving = ca.issue("bench");

const pool = upstream("general-purpose.yaml", "NodePool");
const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");
const badPool = structuredClone(pool);
(badPool.spec as { disruption?: unknown }).disruption = {
  consolidateAfter: "0s",
  budgets: [{ nodes: "0", schedule: "0 0 * * sat-sun", duration: "24h" }],
};
const unencrypted = structuredClone(nodeClass);
(unencrypted.spec as Record<string, unknown>).blockDeviceMappings = [
  { deviceName: "/dev/xvda", ebs: { volumeSize: "100Gi", volumeType: "gp3" } },
];
const relabelled = structuredClone(pool);
(relabelled.spec as { template: { metadata?: unknown } }).template.metadata = { labels: { team: "platform" } };

const mix = [
  { path: "/validate", body: createReview(pool) },
  { path: "/validate", body: createReview(badPool) },
  { path: "/mutate", body: createReview(unencrypted, { stage: "mutating" }) },
  { path: "/validate", body: updateReview(pool, relabelled) },
].map(({ path, body }) => ({
  method: "POST" as const,
  path,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
}));

// The mix with each review about a new object: the objects' names, the request's and the pool's reference to its
// class (general-purpose, default) get a sequence number.
let sequence = 0;
const judgedMix = mix.map((request) => ({
  ...request,
  setupRequest: (req: autocannon.Request) => {
    sequence++;
    const body = request.body.replace(/"name":"(general-purpose|default)"/g, `"name":"$1-${sequence}"`);
    return { ...req, body };
  },
}));
if (!judgedMix.every((r) => r.setupRequest({} as autocannon.Request).body !== r.body)) {
  throw new Error("a review of the mix names neither general-purpose nor default: the bench cannot vary it");
}

// POOLKEEPER_BENCH_CPU_PROF=<dir>: the servers' process writes a CPU profile there (node --cpu-prof) when it exits.
const profileDir = process.env.POOLKEEPER_BENCH_CPU_PROF;
const servers = fork(join(import.meta.dirname, "webhook-servers.ts"), [], {
  execArgv: ["--expose-gc", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
  env: {
    ...process.env,
    BENCH_CERT_FILE: serving.certFile,
    BENCH_KEY_FILE: serving.keyFile,
    BENCH_CERT: serving.cert,
    BENCH_KEY: serving.key,
  },
});
const next = () => new Promise<Record<string, number | boolean>>((resolve) => servers.once("message", resolve));
const ports = await next();
const webhookAddress = { port: Number(ports.webhookPort) };
const bareAddress = { port: Number(ports.barePort) };

// The webhook's answer to each review of the mix, for the floor to answer with one of the same size.
function post(port: number, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port, path, method: "POST", ca: ca.ca, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
const answers: [string, unknown][] = [];
for (const request of mix) {
  const uid = (JSON.parse(request.body) as { request: { uid: string } }).request.uid;
  answers.push([uid, JSON.parse(await post(webhookAddress.port, request.path, request.body))]);
}
servers.send({ answers });
await next();

async function load(port: number, options: Partial<autocannon.Options> = {}) {
  return autocannon({
    url: `https://127.0.0.1:${port}`,
    connections: 50,
    duration: 10,
    requests: mix,
    tlsOptions: { ca: ca.ca },
    ...options,
  } as autocannon.Options);
}

/**
 * CPU time (user + system) of the servers' process so far, in microseconds; and what held its event loop since
 * the last call: the worst timer delay (its p99 and max) and the GC's pauses.
 */
async function serverCpu(): Promise<{ cpuMicros: number; loop: Loop }> {
  servers.send("cpu");
  const reply = await next();
  return {
    cpuMicros: Number(reply.cpuMicros),
    loop: {
      p99Ms: Number(reply.loopP99Ms),
      maxMs: Number(reply.loopMaxMs),
      gcPauses: Number(reply.gcPauses),
      gcMajor: Number(reply.gcMajor),
      gcTotalMs: Number(reply.gcTotalMs),
      gcMaxMs: Number(reply.gcMaxMs),
    },
  };
}

/** The servers' event loop over a phase: the p99 and max delay of a 1 ms timer, and the GC's pauses. */
interface Loop {
  p99Ms: number;
  maxMs: number;
  gcPauses: number;
  /** Of them, mark-compact collections of the whole heap. */
  gcMajor: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

/** One load's figures, added up over its rounds: answers (2xx), seconds, CPU, the worst percentiles. */
interface Phase {
  answered: number;
  seconds: number;
  cpuMicros: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  loop: Loop;
}

async function phase(into: Phase, port: number, options: Partial<autocannon.Options>): Promise<void> {
  const { cpuMicros: cpu } = await serverCpu();
  const r = await load(port, options);
  const after = await serverCpu();
  into.cpuMicros += after.cpuMicros - cpu;
  into.loop = {
    p99Ms: Math.max(into.loop.p99Ms, after.loop.p99Ms),
    maxMs: Math.max(into.loop.maxMs, after.loop.maxMs),
    gcPauses: into.loop.gcPauses + after.loop.gcPauses,
    gcMajor: into.loop.gcMajor + after.loop.gcMajor,
    gcTotalMs: into.loop.gcTotalMs + after.loop.gcTotalMs,
    gcMaxMs: Math.max(into.loop.gcMaxMs, after.loop.gcMaxMs),
  };
  into.answered += r["2xx"];
  into.seconds += (r.finish.getTime() - r.start.getTime()) / 1000;
  into.errors += r.errors + r.timeouts + r.non2xx;
  into.p50 = Math.max(into.p50, r.latency.p50);
  into.p99 = Math.max(into.p99, r.latency.p99);
  into.max = Math.max(into.max, r.latency.max);
}

const empty = (): Phase => ({
  answered: 0,
  seconds: 0,
  cpuMicros: 0,
  errors: 0,
  p50: 0,
  p99: 0,
  max: 0,
  loop: { p99Ms: 0, maxMs: 0, gcPauses: 0, gcMajor: 0, gcTotalMs: 0, gcMaxMs: 0 },
});
const perSecond = (p: Phase) => p.answered / p.seconds;
const cpuPerAnswer = (p: Phase) => p.cpuMicros / p.answered;

function line(name: string, p: Phase, floor?: Phase): string {
  const share = floor
    ? `  ${((100 * perSecond(p)) / perSecond(floor)).toFixed(0)}% of the floor's req/s, ${((100 * cpuPerAnswer(floor)) / cpuPerAnswer(p)).toFixed(0)}% in CPU per review`
    : "";
  return `${name.padEnd(44)} ${Math.round(perSecond(p)).toString().padStart(6)} req/s  ${Math.round(cpuPerAnswer(p)).toString().padStart(5)} µs CPU/review  p50 ${p.p50} ms  p99 ${p.p99} ms  max ${p.max} ms  errors ${p.errors}${share}`;
}

function loopLine({ loop, seconds }: Phase): string {
  return `timer delay p99 ${loop.p99Ms.toFixed(1)} ms, max ${loop.maxMs.toFixed(1)} ms; GC ${loop.gcPauses} pauses (${loop.gcMajor} major), ${loop.gcTotalMs.toFixed(0)} ms in all (${((100 * loop.gcTotalMs) / (seconds * 1000)).toFixed(1)} % of the time), longest ${loop.gcMaxMs.toFixed(1)} ms`;
}

async function heapMiB(): Promise<{ heapMiB: number; forced: boolean }> {
  servers.send("heap");
  const reply = await next();
  return { heapMiB: Number(reply.heapMiB), forced: reply.forced === true };
}

const load1 = () => (loadavg()[0] as number).toFixed(1);
console.log(`load average before: ${load1()} on ${availableParallelism()} cores`);
await load(webhookAddress.port, { duration: 3, requests: judgedMix }); // warm-up
await load(webhookAddress.port, { duration: 2 });
const ROUNDS = 4;
const SECONDS = 4;
const floor = empty();
const judged = empty();
const replayed = empty();
for (let round = 0; round < ROUNDS; round++) {
  await phase(floor, bareAddress.port, { duration: SECONDS });
  await phase(judged, webhookAddress.port, { duration: SECONDS, requests: judgedMix });
  await phase(replayed, webhookAddress.port, { duration: SECONDS });
}
console.log(line("floor: bare https, parse+answer", floor));
console.log(line("webhook, 50 connections, every review new", judged, floor));
console.log(line("webhook, 50 connections, the mix again", replayed, floor));
// The floor paced the same way first: its p99 is what this machine's scheduling alone gives a server at 1,000
// req/s, so the webhook's p99 above it is the webhook's own.
const floorPaced = empty();
await phase(floorPaced, bareAddress.port, { overallRate: 1000, duration: 10, requests: judgedMix });
console.log(line("floor at 1,000 req/s", floorPaced));
console.log(`  its event loop: ${loopLine(floorPaced)}`);
const paced = empty();
await phase(paced, webhookAddress.port, { overallRate: 1000, duration: 10, requests: judgedMix });
console.log(line("webhook at 1,000 req/s, every review new", paced));
// What held the servers' loop while paced: a loop delay near the p99 says the loop itself was blocked (by one
// long piece of work or a GC pause); a small loop delay beside a large p99 says the reviews waited for the CPU
// (the machine's load, or more work asked for than the process can do), not for the loop.
console.log(`  its event loop: ${loopLine(paced)}`);
console.log(`load average after: ${load1()}`);

const before = await heapMiB();
await autocannon({
  url: `https://127.0.0.1:${webhookAddress.port}`,
  connections: 50,
  amount: 100_000,
  requests: mix,
  tlsOptions: { ca: ca.ca },
} as autocannon.Options);
const after = await heapMiB();
console.log(
  `heap after forced GC: ${before.heapMiB.toFixed(1)} MiB before, ${after.heapMiB.toFixed(1)} MiB after 100,000 requests (${(after.heapMiB - before.heapMiB).toFixed(1)} MiB)${after.forced ? "" : " (no forced GC: run with --expose-gc)"}`,
);
const share = (100 * perSecond(judged)) / perSecond(floor);
const cpuShare = (100 * cpuPerAnswer(floor)) / cpuPerAnswer(judged);
const met = (ok: boolean) => (ok ? "met" : "NOT met");
console.log(
  `target ≥ 50% of the floor at 50 connections, every review new: ${share.toFixed(0)}% of its req/s (${met(share >= 50)}), ${cpuShare.toFixed(0)}% in CPU per review (${met(cpuShare >= 50)})`,
);
console.log(
  `target p99 < 10 ms at 1,000 req/s: ${paced.p99} ms (${met(paced.p99 < 10)}; ${Math.round(perSecond(paced))} req/s answered; the floor's p99 at the same rate ${floorPaced.p99} ms)`,
);

servers.send("stop");
await new Promise((resolve) => servers.once("exit", resolve));
ca.remove();
