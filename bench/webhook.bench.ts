// The admission webhook under load, against the floor for this machine: a bare node:https server that answers
// a fixed AdmissionReview. autocannon over HTTPS keep-alive, 50 connections, a realistic mix of reviews (valid
// CREATE, denied CREATE, mutated CREATE, drift-causing UPDATE). Then latency at a fixed 1,000 req/s, and the
// heap after a forced GC before and after 100,000 requests.
import { fork } from "node:child_process";
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

const servers = fork(join(import.meta.dirname, "webhook-servers.ts"), [], {
  execArgv: ["--expose-gc"],
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
console.log(line("floor: bare https, fixed", floor));
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
console.log(
  `targets: ≥ 50% of the floor (${((100 * throughput.requests.average) / floor.requests.average).toFixed(0)}%), p99 < 10 ms at 1,000 req/s (${paced.latency.p99} ms), no heap growth`,
);

servers.send("stop");
await new Promise((resolve) => servers.once("exit", resolve));
ca.remove();
