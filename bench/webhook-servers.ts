// The servers the webhook benchmark loads, in a process of their own so the load generator does not share their
// event loop: the webhook, and the floor (a bare node:https server answering a fixed AdmissionReview with the
// same certificate). Reports its ports to the parent, and the heap after a forced GC when asked.
import https from "node:https";
import type { AddressInfo } from "node:net";
import { silentLogger } from "../runtime/log.ts";
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
  logger: silentLogger(),
  watch: false,
});
const webhookAddress = await webhook.listen(0, "127.0.0.1");

const fixed = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  response: { uid: "00000000-0000-0000-0000-000000000000", allowed: true },
});
const bare = https.createServer({ cert, key }, (req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(fixed);
  });
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));

const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", (message: string) => {
  if (message === "heap") {
    gc?.();
    process.send?.({ heapMiB: process.memoryUsage().heapUsed / 2 ** 20, forced: gc !== undefined });
  } else if (message === "stop") {
    void webhook.close().then(() => bare.close(() => process.exit(0)));
  }
});
process.send?.({ webhookPort: webhookAddress.port, barePort: (bare.address() as AddressInfo).port });
