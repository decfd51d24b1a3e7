// The admission webhook under load, against the floor for this machine: a bare node:https server that parses each
// review and answers with an AdmissionReview of the size the webhook answers it with. autocannon over HTTPS
// keep-alive, 50 connections, a realistic mix of reviews (valid CREATE, denied CREATE, mutated CREATE,
// drift-causing UPDATE). Then latency at a fixed 1,000 req/s, and the heap after a forced GC before and after
// 100,000 requests.
import { fork } from "node:child_process";
import https from "node:https";
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

function line(name: string, r: autocannon.Result, floor?: autocannon.Result): string {
  const ratio = floor
    ? `  ${((100 * r.requests.average) / floor.requests.average).toFixed(0)}% of the floor's throughput`
    : "";
  const errors = r.errors + r.timeouts + r.non2xx;
  return `${name.padEnd(28)} ${Math.round(r.requests.average).toString().padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  errors ${errors}${ratio}`;
}

async function heapMiB(): Promise<{ heapMiB: number; forced: boolean }> {
  servers.send("heap");
  const reply = await next();
  return { heapMiB: Number(reply.heapMiB), forced: reply.forced === true };
}

await load(webhookAddress.port, { duration: 3 }); // warm-up
const floor = await load(bareAddress.port);
const throughput = await load(webhookAddress.port);
console.log(line("floor: bare https, parse+answer", floor));
console.log(line("webhook, 50 connections", throughput, floor));
const paced = await load(webhookAddress.port, { overallRate: 1000, duration: 10 });
console.log(line("webhook at 1,000 req/s", paced));

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
const share = (100 * throughput.requests.average) / floor.requests.average;
console.log(
  `targets: ≥ 50% of the floor (${share.toFixed(0)}%: ${share >= 50 ? "met" : "NOT met"}), p99 < 10 ms at 1,000 req/s (${paced.latency.p99} ms: ${paced.latency.p99 < 10 ? "met" : "NOT met"}), no heap growth`,
);

servers.send("stop");
await new Promise((resolve) => servers.once("exit", resolve));
ca.remove();
