// The servers the adversarial benchmark attacks, in a process of their own so that the attacker and the health
// prober do not share their event loop: the admission webhook (HTTPS) and the Git side of `poolkeeper sync` — a
// Syncer following the bench's repository, with the push-hook server answering /healthz as the command does.
// Answers the parent's messages: its ports at start; "heap" (V8 heap after a forced GC, peak RSS); "sync" (one
// sync, timed); "judge" (the head's files judged by the gate alone, timed, without Git); "stop".
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { systemClock } from "../api/ports.ts";
import { judgeCommit, readCommit } from "../gitops/gate.ts";
import { createHookServer } from "../gitops/hook-server.ts";
import { openSource } from "../gitops/source.ts";
import { Syncer } from "../gitops/sync.ts";
import { silentLogger } from "../runtime/log.ts";
import { createWebhookServer } from "../webhook/server.ts";

const { BENCH_CERT_FILE: certFile, BENCH_KEY_FILE: keyFile, BENCH_REPO_URL: url, BENCH_CACHE_DIR: cache } = process.env;
if (!certFile || !keyFile || !url || !cache) throw new Error("run by bench/adversarial.bench.ts");

const webhook = createWebhookServer({
  tls: { certFile, keyFile },
  policy: { files: [], preset: "baseline" },
  logger: silentLogger(),
  watch: false,
});
const webhookAddress = await webhook.listen(0, "127.0.0.1");

const source = openSource({ url, branch: "main", cacheDir: join(cache, "source") });
const syncer = new Syncer({ source, cluster: "prod", clock: systemClock, logger: silentLogger() });
const hook = createHookServer({
  branch: "main",
  onPush: () => {},
  ready: () => syncer.desiredState !== undefined,
  registry: new Registry(),
  logger: silentLogger(),
  watch: false,
});
const hookAddress = await hook.listen(0, "127.0.0.1");

const gc = (globalThis as { gc?: () => void }).gc;
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

process.on("message", (message: string) => {
  void answer(message).then((reply) => process.send?.(reply));
});

async function answer(message: string): Promise<Record<string, unknown>> {
  switch (message) {
    case "heap":
      gc?.();
      return { heapMiB: process.memoryUsage().heapUsed / 2 ** 20, peakRssMiB: peakRssMiB(), forced: gc !== undefined };
    case "sync": {
      const start = performance.now();
      const result = await syncer.sync();
      return {
        ms: performance.now() - start,
        outcome: result.outcome,
        reason: result.judgement?.reason ?? result.error?.message ?? "",
        peakRssMiB: peakRssMiB(),
      };
    }
    case "judge": {
      const { sha } = await source.fetch();
      const files = await readCommit(source, sha);
      const start = performance.now();
      const judgement = judgeCommit(files, { now: new Date() });
      return { ms: performance.now() - start, accepted: judgement.accepted };
    }
    case "stop":
      await Promise.all([webhook.close(), hook.close(), syncer.close()]);
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown message ${message}`);
  }
}

process.send?.({ webhookPort: webhookAddress.port, hookPort: hookAddress.port });
