// What `run` tells the nodes about the cluster: each setting given wins over what the cluster tells, a missing one
// the nodes need is a warning, and bad values of the new settings are exit 2 naming the flag or the variable; in a
// pod without --cluster-endpoint, run refuses to start (its server is a Service address nodes cannot reach).
// Expected values are the inputs themselves and the CIDR / IP rules of any parser (a /33 IPv4 prefix, an octet of 300).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ClusterDiscovery } from "../../adapters/index.ts";
import { nodeBootstrap } from "../../cli/commands/node-bootstrap.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import type { ControllerSettings } from "../../cli/run-settings.ts";

const dir = mkdtempSync(join(tmpdir(), "poolkeeper-bootstrap-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SETTINGS = { clusterName: "prod" } as ControllerSettings;
const DISCOVERED: ClusterDiscovery = {
  server: "https://ABCD.gr7.us-west-2.eks.amazonaws.com",
  caBundle: "Q0FEQVRB",
  kubernetesVersion: "1.34",
  dns: { ip: "10.100.0.10" },
};

test("what the cluster tells stands where nothing is given; the service CIDR missing is a warning", () => {
  const bootstrap = nodeBootstrap(SETTINGS, DISCOVERED);
  assert.deepEqual(bootstrap.cluster, {
    name: "prod",
    endpoint: "https://ABCD.gr7.us-west-2.eks.amazonaws.com",
    caBundle: "Q0FEQVRB",
    serviceCIDR: undefined,
    dnsIP: "10.100.0.10",
  });
  assert.equal(bootstrap.kubernetesVersion, "1.34");
  assert.deepEqual(bootstrap.warnings, ["no --service-cidr: AL2023 nodes (nodeadm) refuse to join without it"]);
});

test("settings win over what the cluster tells; kube-dns unreadable without a setting is a warning", () => {
  const given = nodeBootstrap(
    {
      ...SETTINGS,
      clusterEndpoint: "https://api.prod.example",
      clusterCaBundle: "T1RIRVI=",
      serviceCidr: "172.20.0.0/16",
      clusterDnsIp: "172.20.0.10",
    },
    { ...DISCOVERED, dns: { problem: "not looked up" } },
  );
  assert.deepEqual(given.cluster, {
    name: "prod",
    endpoint: "https://api.prod.example",
    caBundle: "T1RIRVI=",
    serviceCIDR: "172.20.0.0/16",
    dnsIP: "172.20.0.10",
  });
  assert.deepEqual(given.warnings, []);
  const unreadable = nodeBootstrap(
    { ...SETTINGS, serviceCidr: "172.20.0.0/16" },
    { ...DISCOVERED, caBundle: undefined, dns: { problem: "cannot read the Service kube-system/kube-dns: forbidden" } },
  );
  assert.equal(unreadable.cluster.dnsIP, undefined);
  assert.deepEqual(unreadable.warnings, [
    "no CA bundle (--cluster-ca-bundle, or a CA in the kubeconfig): nodes cannot verify the API server",
    "no cluster DNS IP for the kubelets (cannot read the Service kube-system/kube-dns: forbidden); their default applies",
  ]);
});

const CONFIG = "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: prod\n";

async function runMain(args: string[], env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  const config = join(dir, "poolkeeper.yaml");
  writeFileSync(config, CONFIG);
  const out = capturedOutput();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(["run", "--repo", dir, "--config", config, "--port", "0", ...args], out);
    return { code, err: out.err };
  } finally {
    for (const name of Object.keys(env)) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  }
}

test("bad endpoint, CA bundle, CIDR and IP values are exit 2, each named with where it came from", async () => {
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n",
  );
  const { code, err } = await runMain(
    [
      "--kubeconfig",
      kubeconfig,
      "--cluster-endpoint",
      "api.prod",
      "--service-cidr",
      "10.100.0.0/33",
      "--cluster-dns-ip",
      "10.100.0.300",
    ],
    { POOLKEEPER_CLUSTER_CA_BUNDLE: "not base64!" },
  );
  assert.equal(code, 2);
  assert.match(err, /--cluster-endpoint "api\.prod": Invalid value: must be an http\(s\) URL/);
  assert.match(err, /--service-cidr "10\.100\.0\.0\/33": Invalid value: must be a CIDR/);
  assert.match(err, /--cluster-dns-ip "10\.100\.0\.300": Invalid value: must be an IP address/);
  assert.match(err, /POOLKEEPER_CLUSTER_CA_BUNDLE="not base64!": Invalid value: must be base64/);
});

test("in a pod, run will not start without --cluster-endpoint", async () => {
  // No kubeconfig: the pod's ServiceAccount, refused before anything connects.
  const { code, err } = await runMain([], {
    KUBECONFIG: "",
    KUBERNETES_SERVICE_HOST: "10.100.0.1",
    KUBERNETES_SERVICE_PORT: "443",
  });
  assert.equal(code, 2);
  assert.match(err, /--cluster-endpoint \(POOLKEEPER_CLUSTER_ENDPOINT\) is required in a pod/);
});
