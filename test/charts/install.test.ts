// The chart installed into the simulated cluster as a user installs it: `helm template` of the policy mode with
// the Git gate, applied by the real kubectl to the simulated API server; then the Deployments' processes started as
// their pods would run them — the container's args, with each volume's content (the Secret, the ConfigMaps, an
// emptyDir) written where the pod would mount it — and the webhook registered by the chart's configurations
// reached through the chart's Service: the API server admits a good NodePool and denies bad ones.
import assert from "node:assert/strict";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { projectRoot } from "../support/fixtures.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import {
  NAMESPACE,
  one,
  podSpec,
  REQUIRED_VALUES,
  template,
  withValues,
  type KubeObject,
} from "../support/helm-chart.ts";
import { createPoolRepo, type PoolRepo } from "../support/pool-repo.ts";
import { startSimKube, waitForLine, type SimKube } from "../support/sim-kube.ts";

type Process = ChildProcessByStdio<null, Readable, Readable>;

interface Container {
  args: string[];
  env?: { name: string; value?: string }[];
  volumeMounts: { name: string; mountPath: string }[];
}

interface Volume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
  emptyDir?: object;
}

/** A policy the chart carries inline: NodePools without limits are denied (baseline only warns). */
const LIMITS_POLICY = {
  apiVersion: "poolkeeper.dev/v1alpha1",
  kind: "PoolPolicy",
  metadata: { name: "platform" },
  spec: { rules: { "limits.required": { enforcement: "deny" } } },
};

/** Kinds the simulated API server does not serve: their effect is checked in the rendered objects instead. */
const NOT_SERVED = new Set(["NetworkPolicy"]);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the first container of `workload` as its pod would run it: each volume's content written under `root` at
 * its mount path, the args' mount paths rewritten to there, the container's plain env.
 */
function startAsPod(workload: KubeObject, objects: readonly KubeObject[], root: string): Process {
  const spec = podSpec(workload) as unknown as { containers: Container[]; volumes: Volume[] };
  const container = spec.containers[0] as Container;
  const local = (path: string) => join(root, path);
  for (const mount of container.volumeMounts) {
    const volume = spec.volumes.find((v) => v.name === mount.name) as Volume;
    const dir = local(mount.mountPath);
    mkdirSync(dir, { recursive: true });
    if (volume.secret) {
      const secret = one(objects, "Secret", volume.secret.secretName);
      for (const [file, value] of Object.entries(secret.data as Record<string, string>)) {
        writeFileSync(join(dir, file), Buffer.from(value, "base64"));
      }
    } else if (volume.configMap) {
      const configMap = one(objects, "ConfigMap", volume.configMap.name);
      for (const [file, text] of Object.entries(configMap.data as Record<string, string>)) {
        writeFileSync(join(dir, file), text);
      }
    }
  }
  const mounts = container.volumeMounts.map((m) => m.mountPath).sort((a, b) => b.length - a.length);
  const rewrite = (text: string) => {
    const mount = mounts.find((m) => text.includes(`=${m}`) || text === m);
    return mount === undefined ? text : text.replace(mount, local(mount));
  };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = rewrite(variable.value);
  }
  return spawn(process.execPath, [join(projectRoot, "bin", "poolkeeper.js"), ...container.args.map(rewrite)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function get(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { ca, method: "GET" }, (answer) => {
      answer.resume();
      resolve(answer.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

function stopped(child: Process): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return guardAgainstHang(exit, "a poolkeeper process to exit after SIGTERM");
}

describe("the chart installed in the simulated cluster (policy mode)", () => {
  let sim: SimKube;
  let git: GitServer;
  let repo: PoolRepo;
  let tmp: string;
  let objects: KubeObject[];
  let webhookPort: number;
  let controllerPort: number;
  const processes: Process[] = [];
  const output: string[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-chart-install-"));
    [sim, git] = await Promise.all([startSimKube(), startGitServer()]);
    repo = await createPoolRepo(git, "pools", tmp);
    [webhookPort, controllerPort] = [await freePort(), await freePort()];
    const rendered = await template(
      withValues(REQUIRED_VALUES, {
        git: { url: repo.url, statusBranch: "poolkeeper-status" },
        policy: { inline: LIMITS_POLICY },
        webhook: { port: webhookPort },
        controller: { port: controllerPort },
      }),
    );
    assert.equal(rendered.code, 0, rendered.stderr);
    objects = rendered.objects;
  });

  after(async () => {
    for (const child of processes) await stopped(child);
    await Promise.all([sim?.stop(), git?.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("kubectl applies every rendered object the API server serves", async () => {
    const served = objects.filter((o) => !NOT_SERVED.has(o.kind));
    assert.deepEqual(
      objects.filter((o) => NOT_SERVED.has(o.kind)).map((o) => o.kind),
      ["NetworkPolicy"],
    );
    const applied = await sim.kubectl(["apply", "-f", "-"], { stdin: served.map((o) => stringify(o)).join("---\n") });
    assert.equal(applied.code, 0, applied.stderr);
    const lines = applied.stdout.trim().split("\n");
    assert.equal(lines.length, served.length, applied.stdout);
    assert.ok(
      lines.every((line) => line.endsWith(" created")),
      applied.stdout,
    );
    const registered = await sim.kubectl([
      "get",
      "validatingwebhookconfigurations,mutatingwebhookconfigurations",
      "-o",
      "name",
    ]);
    assert.deepEqual(registered.stdout.trim().split("\n").sort(), [
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/poolkeeper",
      "validatingwebhookconfiguration.admissionregistration.k8s.io/poolkeeper",
    ]);
  });

  test("poolkeeper serve, as the webhook Deployment runs it, serves its probes", async () => {
    const webhook = startAsPod(one(objects, "Deployment", "poolkeeper-webhook"), objects, join(tmp, "webhook"));
    processes.push(webhook);
    webhook.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const { line } = await guardAgainstHang(
      waitForLine(webhook.stdout, /admission webhook listening/),
      "serve to listen",
    );
    output.push(line);
    // The Service's endpoints: the simulated cluster has no pod network, so the slice names the local process.
    const slice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "poolkeeper-webhook-local",
        namespace: NAMESPACE,
        labels: { "kubernetes.io/service-name": "poolkeeper-webhook" },
      },
      addressType: "IPv4",
      ports: [{ name: "https", port: webhookPort, protocol: "TCP" }],
      endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }],
    };
    const created = await sim.kubectl(["apply", "-f", "-"], { stdin: stringify(slice) });
    assert.equal(created.code, 0, created.stderr);
    // The probes the Deployment declares, on its port, answered by the process.
    const container = podSpec(one(objects, "Deployment", "poolkeeper-webhook")).containers[0] as unknown as {
      readinessProbe: { httpGet: { path: string; scheme: string } };
      livenessProbe: { httpGet: { path: string; scheme: string } };
    };
    const ca = Buffer.from(
      (one(objects, "Secret").data as Record<string, string>)["ca.crt"] ?? "",
      "base64",
    ).toString();
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      const url = `${probe.httpGet.scheme.toLowerCase()}://localhost:${webhookPort}${probe.httpGet.path}`;
      // The certificate names the service; the probe's connection is checked against the CA only.
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpsRequest(url, { ca, checkServerIdentity: () => undefined }, (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        });
        request.on("error", reject);
        request.end();
      });
      assert.equal(status, 200, url);
    }
  });

  test("the API server admits a good NodePool and denies bad ones through the chart's webhook", async () => {
    const good = await sim.kubectl(["apply", "-f", join(projectRoot, "test/fixtures/gitops/repo/pools/default.yaml")]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /nodepool\.karpenter\.sh\/default created/);

    const pool = (name: string, extra: string) =>
      [
        "apiVersion: karpenter.sh/v1",
        "kind: NodePool",
        `metadata: {name: ${name}}`,
        "spec:",
        "  template:",
        "    spec:",
        "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}",
        "      requirements: [{key: karpenter.sh/capacity-type, operator: In, values: [spot]}]",
        "      terminationGracePeriod: 1h",
        extra,
      ].join("\n");
    // Baseline: a workload pool that makes system nodes (the label poolkeeper's own pods select).
    const system = await sim.kubectl(["apply", "-f", "-"], {
      stdin: pool("batch", '    metadata: {labels: {node-role.kubernetes.io/system: "true"}}\n  limits: {cpu: "100"}'),
    });
    assert.equal(system.code, 1);
    assert.match(system.stderr, /admission webhook "validate\.poolkeeper\.dev" denied the request/);
    assert.match(system.stderr, /taints\.system-isolation/);
    // The chart's inline policy: a pool without limits.
    const unlimited = await sim.kubectl(["apply", "-f", "-"], { stdin: pool("unbounded", "") });
    assert.equal(unlimited.code, 1);
    assert.match(unlimited.stderr, /admission webhook "validate\.poolkeeper\.dev" denied the request/);
    assert.match(unlimited.stderr, /limits\.required/);
    const pools = await sim.kubectl(["get", "nodepools", "-o", "name"]);
    assert.equal(pools.stdout.trim(), "nodepool.karpenter.sh/default");
  });

  test("poolkeeper sync, as the controller Deployment runs it, judges the repository and is ready", async () => {
    const controller = startAsPod(
      one(objects, "Deployment", "poolkeeper-controller"),
      objects,
      join(tmp, "controller"),
    );
    processes.push(controller);
    controller.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const { line, seen } = await guardAgainstHang(
      waitForLine(controller.stdout, /"findings":\d+/),
      "sync to judge the repository",
    );
    output.push(...seen);
    assert.match(line, /"sha":"[0-9a-f]{40}"/);
    assert.match(
      seen.find((l) => l.includes('"msg":"starting"')) ?? "",
      /"cluster":"prod-eu","statusBranch":"poolkeeper-status"/,
    );
    for (const path of ["/readyz", "/healthz"]) {
      assert.equal(await get(`http://127.0.0.1:${controllerPort}${path}`), 200, path);
    }
    // Neither process talks to the Kubernetes API (the chart gives them no token), so nothing was refused.
    assert.doesNotMatch(output.join("\n"), /forbidden/i);
  });
});
