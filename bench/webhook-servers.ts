// The servers the webhook benchmark loads, in a process of their own so the load generator does not share their
// event loop: the webhook, and the floor (a bare node:https server with the same certificate that parses each review
// and answers with one of the same size). Reports its ports to the parent, and the heap after a forced GC when asked.
import https from "node:https";
import type { AddressInfo } from "node:net";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { createLogger } from "../runtime/log.ts";
import { TLS_CONTEXT_DEFAULTS } from "../runtime/tls.ts";
import { createWebhookServer } from "../webhook/index.ts";

const [certFile, keyFile, cert, key] = [
  process.env.BENCH_CERT_FILE,
  process.env.BENCH_KEY_FILE,
  process.env.BENCH_CERT,
  process.env.BENCH_KEY,
];
if (!certFile || !keyFile || !cert || !key) throw new Error("run by bench/webhook.bench.ts");

const webhook = createWebhookServer({
  tls: { certFile, keyFile },
  policy: { files: [], preset: "baseline" },
  // Every decision's line serialized as in production (pino, redaction included), then dropped: the bench measures
  // the logging the server does, not the terminal's.
  logger: createLogger({ destination: { write: () => {} } }),
  // Above the bench's 50 connections, so every request is a review answered (the floor refuses none either); the
  // production default (32) would answer the rest 503 and close their connections.
  limits: { maxInFlight: 64 },
  watch: false,
});
const webhookAddress = await webhook.listen(0, "127.0.0.1");

// The floor's answers: the webhook's own answer to each review of the mix, by the review's uid (the bench sends
// them before any load), so the floor serializes an answer of the same size. It reads and parses each body as the
// webhook must, and does no policy work.
const answers = new Map<string, { response: Record<string, unknown> }>();
// The same TLS settings as the webhook (runtime/tls.ts): the same suites are negotiated.
const bare = https.createServer({ cert, key, ...TLS_CONTEXT_DEFAULTS }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { request: { uid: string } };
    const answer = answers.get(review.request.uid);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ...answer, response: { ...answer?.response, uid: review.request.uid } }));
  });
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));

// What holds the event loop between two reports (a load's phase): how late a 1 ms timer fired (a review judged
// while others wait, a batch of them, a GC pause), and the garbage collector's pauses themselves.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const pauses = { count: 0, major: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    pauses.count++;
    if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) pauses.major++;
    pauses.totalMs += entry.duration;
    pauses.maxMs = Math.max(pauses.maxMs, entry.duration);
  }
}).observe({ entryTypes: ["gc"] });

const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", (message: string | { answers: [string, { response: Record<string, unknown> }][] }) => {
  if (typeof message === "object") {
    for (const [uid, answer] of message.answers) answers.set(uid, answer);
    process.send?.({ answers: answers.size });
  } else if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    // The loop's delays and GC pauses since the last report (histogram values are nanoseconds).
    process.send?.({
      cpuMicros: user + system,
      loopP99Ms: loopDelay.percentile(99) / 1e6,
      loopMaxMs: loopDelay.max / 1e6,
      gcPauses: pauses.count,
      gcMajor: pauses.major,
      gcTotalMs: pauses.totalMs,
      gcMaxMs: pauses.maxMs,
    });
    loopDelay.reset();
    Object.assign(pauses, { count: 0, major: 0, totalMs: 0, maxMs: 0 });
  } else if (message === "heap") {
    gc?.();
    process.send?.({ heapMiB: process.memoryUsage().heapUsed / 2 ** 20, forced: gc !== undefined });
  } else if (message === "stop") {
    void webhook.close().then(() => bare.close(() => process.exit(0)));
  }
});
process.send?.({ webhookPort: webhookAddress.port, barePort: (bare.address() as AddressInfo).port });
