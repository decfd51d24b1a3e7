// `poolkeeper run` under the chart's ServiceAccount (issue: install the way the Karpenter guide does): the chart is
// rendered in autoscaler mode by the real Helm, its ServiceAccount, ClusterRole, Roles and bindings applied by the
// real kubectl to the simulated API server (whose authorizer is RBAC's), and run started with a token of that
// ServiceAccount and the chart's Lease settings. It does its whole job — applies the pools from Git, provisions for
// pending pods, handles a spot interruption with a replacement, records status — and the API server refuses it
// nothing: no 403 answered to any request, no `forbidden` in its log.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import type { KubeObject } from "../../sim/index.ts";
import { kubectlPath } from "../support/binaries.ts";
import { NAMESPACE, one, podSpec, REQUIRED_VALUES, template, withValues } from "../support/helm-chart.ts";
import {
  appDeployment,
  CLUSTER,
  NODE_CLASS,
  NODE_POOL,
  QUEUE,
  startRunWorld,
  type RunningPoolkeeper,
  type RunWorld,
} from "../support/run-world.ts";

const run = promisify(execFile);
const PODS = 10;

type Pod = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };
type Claim = KubeObject & { status?: { providerID?: string; nodeName?: string } };

let w: RunWorld;
let poolkeeper: RunningPoolkeeper;
const refused: string[] = [];
const onResponse = (message: unknown) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  if (response.statusCode === 403) refused.push(`${request.method} ${request.url}`);
};

const pods = () =>
  (w.list("", "v1", "pods", "default") as Pod[]).filter((p) => p.metadata?.deletionTimestamp === undefined);
const running = () => pods().filter((p) => p.spec?.nodeName !== undefined && p.status?.phase === "Running");
const claims = () => w.list("karpenter.sh", "v1", "nodeclaims") as Claim[];

async function kubectl(args: string[], stdin?: string): Promise<string> {
  const child = run(await kubectlPath(), ["--kubeconfig", w.kubeconfig, ...args], {
    env: { ...process.env, HOME: w.dir },
  });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  return (await child).stdout;
}

before(async () => {
  w = await startRunWorld({ interruptionQueue: true });
  const rendered = await template(
    withValues(REQUIRED_VALUES, { mode: "autoscaler", settings: { clusterName: CLUSTER, interruptionQueue: QUEUE } }),
  );
  assert.equal(rendered.code, 0, rendered.stderr);
  const access = rendered.objects.filter(
    (o) => ["ServiceAccount", "ClusterRole", "Role"].includes(o.kind) || o.kind.endsWith("RoleBinding"),
  );
  await kubectl(["apply", "-f", "-"], access.map((o) => stringify(o)).join("---\n"));
  const token = (await kubectl(["create", "token", "poolkeeper", "-n", NAMESPACE])).trim();
  const config = parse(w.served.kube.kubeconfig()) as { users: { user: { token: string } }[] };
  for (const user of config.users) user.user.token = token;
  const kubeconfig = join(w.dir, "poolkeeper-sa.kubeconfig");
  writeFileSync(kubeconfig, stringify(config));
  // The chart's own settings for the cluster, the queue and the Leases, as its Deployment passes them.
  const chartArgs = podSpec(one(rendered.objects, "Deployment", "poolkeeper-controller")).containers[0]?.args ?? [];
  const settings = chartArgs.filter((a) =>
    /^--(cluster-name|interruption-queue|leader-election-|karpenter-lease-)/.test(a),
  );
  assert.equal(settings.length, 6, chartArgs.join(" "));
  subscribe("http.server.response.finish", onResponse);
  await w.commit("pools: the node class and the default pool", {
    "pools/nodeclass.yaml": NODE_CLASS,
    "pools/nodepool.yaml": NODE_POOL,
  });
  poolkeeper = await w.startRun(settings, { kubeconfig });
});
after(async () => {
  unsubscribe("http.server.response.finish", onResponse);
  if (process.env.RUN_LOG) for (const l of poolkeeper?.lines ?? []) console.error(JSON.stringify(l));
  await w?.stop();
});

test("under the chart's ServiceAccount, run applies, provisions and handles an interruption, refused nothing", async () => {
  await w.until(() => w.list("karpenter.sh", "v1", "nodepools").length === 1, "the NodePool applied", {
    limitMs: 60_000,
  });
  w.world.store.create(w.world.kind("apps", "v1", "deployments"), "default", appDeployment(PODS));
  await w.until(() => running().length === PODS, `${PODS} pods running`, { limitMs: 5 * 60_000 });
  assert.equal(claims().length, 3, "three m5.xlarge NodeClaims for ten 900m pods: 4, 4 and 2");

  const byNode = new Map<string, number>();
  for (const pod of running()) byNode.set(pod.spec?.nodeName ?? "", (byNode.get(pod.spec?.nodeName ?? "") ?? 0) + 1);
  const full = claims().find((c) => byNode.get(c.status?.nodeName ?? "") === 4);
  assert.ok(full?.status?.providerID, "a full node");
  const node = full.status.nodeName ?? "";
  const notice = w.clock.now().getTime();
  w.events.spotInterruption(full.status.providerID.split("/").at(-1) ?? "");
  await w.until(
    () => !running().some((p) => p.spec?.nodeName === node) && running().length === PODS,
    "every pod running again, none on the interrupted node",
    { limitMs: 3 * 60_000 },
  );
  assert.ok(w.clock.now().getTime() - notice < 120_000, "before the 2 minutes");
  assert.equal(claims().filter((c) => c.metadata?.name !== full.metadata?.name).length, 3, "a replacement");
  await w.until(
    () => !claims().some((c) => c.metadata?.name === full.metadata?.name),
    "the interrupted NodeClaim gone",
    { limitMs: 3 * 60_000 },
  );

  const leading = poolkeeper.lines.find((l) => l.msg === "controller manager leading");
  assert.match(String(leading?.reason), /disruption, interruption$/);
  assert.deepEqual(refused, [], "no request answered 403");
  const forbidden = poolkeeper.lines.filter((l) => /forbidden/i.test(JSON.stringify(l)));
  assert.deepEqual(forbidden, [], "no forbidden answer in run's log");
  const joined = poolkeeper.lines.find((l) => l.msg === "nodes join the cluster with these settings");
  assert.equal(joined?.dnsIP, "10.100.0.10", "kube-dns read under the chart's Role");
});
