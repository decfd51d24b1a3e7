// The simulated Kubernetes API under the load later benchmarks put on it: 500 nodes and 5,000 pods. List latency
// of all pods, watch events per second delivered to a @kubernetes/client-node informer, merge patches and
// server-side applies per second, each beside a bare node:https server answering the same bytes in the same run — the floor
// of this machine's TLS, HTTP and JSON parsing on the client side. Targets: a list of 5,000 pods < 200 ms,
// ≥ 5,000 watch events/s.
import https from "node:https";
import { performance } from "node:perf_hooks";
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { VirtualClock } from "../api/index.ts";
import { createServingCertificate, kubeconfigYaml, World, type KubeObject } from "../sim/index.ts";

const NODES = 500;
const PODS = 5_000;
const WATCH_EVENTS = 20_000;
const PATCHES = 3_000;
const CONCURRENCY = 50;

const clock = new VirtualClock(new Date("2026-03-01T12:00:00Z"));
// The API alone first (the bench writes every pod's place and status itself); the world's controllers are
// started for the last measurement.
const world = new World({
  clock,
  limits: { eventWindow: 50_000 },
  run: { controllers: false, scheduler: false, kubelets: false, volumes: false, nodeLifecycle: false },
}).start();
const nodesKind = world.kind("", "v1", "nodes");
const podsKind = world.kind("", "v1", "pods");
for (let n = 0; n < NODES; n++) {
  world.store.create(nodesKind, undefined, {
    metadata: {
      name: `ip-10-0-${n >> 8}-${n & 255}.us-west-2.compute.internal`,
      labels: {
        "topology.kubernetes.io/zone": `us-west-2${"abc"[n % 3]}`,
        "node.kubernetes.io/instance-type": "m5.xlarge",
      },
    },
    status: {
      capacity: { cpu: "4", memory: "16Gi", pods: "58" },
      allocatable: { cpu: "3920m", memory: "15Gi", pods: "58" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  });
}
for (let p = 0; p < PODS; p++) {
  const n = p % NODES;
  const created = world.store.create(podsKind, "default", {
    metadata: { name: `web-${p}`, labels: { app: "web", shard: String(p % 10) } },
    spec: {
      nodeName: `ip-10-0-${n >> 8}-${n & 255}.us-west-2.compute.internal`,
      containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
    },
  });
  world.store.update(
    podsKind,
    "default",
    `web-${p}`,
    { ...created, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } },
    { subresource: "status" },
  );
}
const served = await world.serve();
const agent = new https.Agent({ keepAlive: true, ca: served.kube.ca, maxSockets: CONCURRENCY });
const auth = { authorization: `Bearer ${served.kube.token}` };

function request(
  port: number,
  path: string,
  options: { method?: string; body?: string; contentType?: string } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        agent,
        headers: { ...auth, ...(options.contentType ? { "content-type": options.contentType } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          res.statusCode && res.statusCode < 300
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

// The floor: a bare node:https server with a certificate from the same issuer, answering recorded bytes.
const listBytes = await request(served.kube.port, "/api/v1/pods");
const patchedBytes = await request(served.kube.port, "/api/v1/namespaces/default/pods/web-0", {
  method: "PATCH",
  body: JSON.stringify({ metadata: { labels: { patched: "0" } } }),
  contentType: "application/merge-patch+json",
});
let watchLines: Buffer = Buffer.alloc(0);
const bareCert = createServingCertificate();
const bare = https.createServer({ cert: bareCert.cert, key: bareCert.key }, (req, res) => {
  const url = new URL(req.url ?? "/", "https://bare.invalid");
  req.resume();
  if (url.searchParams.get("watch") === "true") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(watchLines);
  } else if (req.method === "PATCH") {
    res.writeHead(200, { "content-type": "application/json" }).end(patchedBytes);
  } else {
    res.writeHead(200, { "content-type": "application/json" }).end(listBytes);
  }
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
const barePort = (bare.address() as { port: number }).port;
const bareAgent = new https.Agent({ keepAlive: true, ca: bareCert.ca, maxSockets: CONCURRENCY });

async function medianMs(times: number, f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await f(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await f();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

// 1. List latency: GET /api/v1/pods, all 5,000, to the last byte (parsing them is the client's cost, not the
// server's).
const simList = await medianMs(20, () => request(served.kube.port, "/api/v1/pods"));
const bareList = await medianMs(20, async () => {
  await new Promise<Buffer>((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port: barePort, path: "/api/v1/pods", agent: bareAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      })
      .on("error", reject);
  });
});
console.log(
  `list of ${PODS} pods (${(listBytes.length / 1024 / 1024).toFixed(1)} MiB)  sim ${simList.toFixed(1)} ms  ` +
    `floor ${bareList.toFixed(1)} ms  (${(simList / bareList).toFixed(2)}× the floor; target < 200 ms)`,
);

// 2. Watch events/s into a client-node informer: WATCH_EVENTS label updates written in one burst (their cost is
// the write path's, timed apart), then their delivery timed from the informer's first update callback to its
// last — what the watch itself can carry.
function kubeConfig(server: string, ca: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server, ca, token }));
  return kc;
}
async function informerRate(kc: KubeConfig, produce: () => void): Promise<{ delivered: number; produced: number }> {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, "/api/v1/pods", () => core.listPodForAllNamespaces());
  let updates = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    informer.on("update", () => {
      if (++updates === 1) first = performance.now();
      if (updates === WATCH_EVENTS) resolve(performance.now() - first);
    });
  });
  const connected = new Promise<void>((resolve) => informer.on("connect", () => resolve()));
  await informer.start();
  await connected;
  const started = performance.now();
  produce();
  const producedMs = performance.now() - started;
  const ms = await done;
  await informer.stop();
  return { delivered: (WATCH_EVENTS * 1000) / ms, produced: (WATCH_EVENTS * 1000) / producedMs };
}
const recorded: string[] = [];
const tap = world.store.watch(podsKind, { resourceVersion: String(world.store.resourceVersion) }, (event) =>
  recorded.push(JSON.stringify({ type: event.type, object: event.object })),
);
const simWatch = await informerRate(kubeConfig(served.kube.url, served.kube.ca, served.kube.token), () => {
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const name = `web-${i % PODS}`;
    const pod = world.store.get(podsKind, "default", name) as KubeObject & { metadata: Record<string, unknown> };
    world.store.update(podsKind, "default", name, {
      ...pod,
      metadata: { ...pod.metadata, labels: { ...(pod.metadata.labels as object), round: String(i) } },
    });
  }
});
tap.stop();
watchLines = Buffer.from(`${recorded.join("\n")}\n`);
const bareWatch = await informerRate(kubeConfig(`https://127.0.0.1:${barePort}`, bareCert.ca, "x"), () => {});
console.log(
  `watch events delivered to a client-node informer  sim ${Math.round(simWatch.delivered)}/s  ` +
    `floor ${Math.round(bareWatch.delivered)}/s  (${((100 * simWatch.delivered) / bareWatch.delivered).toFixed(0)}% ` +
    `of the floor; target ≥ 5,000/s); the ${WATCH_EVENTS} store writes behind them ran at ` +
    `${Math.round(simWatch.produced)}/s`,
);

// 3. Merge patches/s, CONCURRENCY in flight.
async function patchRate(send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PATCHES) await send(next++);
    }),
  );
  return (PATCHES * 1000) / (performance.now() - t);
}
const patchBody = (i: number) => JSON.stringify({ metadata: { labels: { patched: String(i) } } });
const simPatchOnce = (i: number) =>
  request(served.kube.port, `/api/v1/namespaces/default/pods/web-${i % PODS}`, {
    method: "PATCH",
    body: patchBody(i),
    contentType: "application/merge-patch+json",
  });
const simPatch = await patchRate(simPatchOnce);
const barePatch = await patchRate(
  (i) =>
    new Promise<void>((resolve, reject) => {
      const req = https.request(
        {
          host: "127.0.0.1",
          port: barePort,
          path: `/api/v1/namespaces/default/pods/web-${i % PODS}`,
          method: "PATCH",
          agent: bareAgent,
          headers: { "content-type": "application/merge-patch+json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("error", reject);
      req.end(patchBody(i));
    }),
);
console.log(
  `merge patches, ${CONCURRENCY} in flight  sim ${Math.round(simPatch)}/s  floor ${Math.round(barePatch)}/s  ` +
    `(${((100 * simPatch) / barePatch).toFixed(0)}% of the floor)`,
);
// 4. Server-side applies/s, CONCURRENCY in flight: each applier (one field manager per pod) owns one label.
const applyBody = (i: number) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `web-${i % PODS}`, namespace: "default", labels: { applied: String(i) } },
  });
const simApply = await patchRate((i) =>
  request(served.kube.port, `/api/v1/namespaces/default/pods/web-${i % PODS}?fieldManager=bench&force=true`, {
    method: "PATCH",
    body: applyBody(i),
    contentType: "application/apply-patch+yaml",
  }),
);
console.log(
  `server-side applies, ${CONCURRENCY} in flight  sim ${Math.round(simApply)}/s  floor ${Math.round(barePatch)}/s  ` +
    `(${((100 * simApply) / barePatch).toFixed(0)}% of the floor, the floor answering the same patched pod)`,
);
// The same with the world's controllers running: each write is a pass of theirs over every pod.
world.controllers.start();
const worldPatch = await patchRate((i) => simPatchOnce(PATCHES + i));
console.log(
  `merge patches with the world's controllers running  ${Math.round(worldPatch)}/s  ` +
    `(${((100 * worldPatch) / barePatch).toFixed(0)}% of the floor)`,
);

agent.destroy();
bareAgent.destroy();
await new Promise((resolve) => bare.close(resolve));
await world.stop();
