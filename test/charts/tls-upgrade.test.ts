// The generated webhook certificate survives an upgrade: rendered against a cluster (`helm template
// --dry-run=server`, so the chart's `lookup` reads the simulated API server), a release whose TLS Secret exists
// reuses it — the same CA in the Secret and in both caBundles — while a cluster without it gets a new CA each time.
// The simulated API server serves no NetworkPolicy and no OpenAPI v2, so those are left out of this render.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { one, REQUIRED_VALUES, template, withValues, type KubeObject } from "../support/helm-chart.ts";
import { startSimKube, type SimKube } from "../support/sim-kube.ts";

let sim: SimKube;

before(async () => {
  sim = await startSimKube();
});

after(async () => {
  await sim.stop();
});

async function renderAgainstCluster(): Promise<KubeObject[]> {
  const values = withValues(REQUIRED_VALUES, { networkPolicy: { enabled: false } });
  const result = await template(values, [
    "--dry-run=server",
    "--kubeconfig",
    sim.kubeconfig,
    "--disable-openapi-validation",
  ]);
  assert.equal(result.code, 0, result.stderr);
  return result.objects;
}

function tlsOf(objects: readonly KubeObject[]): { secret: Record<string, string>; caBundles: string[] } {
  const secret = one(objects, "Secret", "poolkeeper-webhook-tls").data as Record<string, string>;
  const caBundles = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].map(
    (kind) => (one(objects, kind).webhooks as { clientConfig: { caBundle: string } }[])[0]?.clientConfig.caBundle ?? "",
  );
  return { secret, caBundles };
}

test("an upgrade reuses the release's TLS Secret, so the CA the API server trusts does not change", async () => {
  const first = tlsOf(await renderAgainstCluster());
  const second = tlsOf(await renderAgainstCluster());
  assert.notEqual(first.secret["ca.crt"], second.secret["ca.crt"], "without the Secret, each render makes a CA");

  const secret = one(await renderAgainstCluster(), "Secret", "poolkeeper-webhook-tls");
  // As `helm install` leaves it: owned by the release (Helm refuses to adopt an object without these).
  secret.metadata.annotations = {
    "meta.helm.sh/release-name": "poolkeeper",
    "meta.helm.sh/release-namespace": "kube-system",
  };
  const applied = await sim.kubectl(["apply", "-f", "-"], { stdin: stringify(secret) });
  assert.equal(applied.code, 0, applied.stderr);

  const upgraded = tlsOf(await renderAgainstCluster());
  assert.deepEqual(upgraded.secret, secret.data, "the Secret is rendered as it is in the cluster");
  const ca = (secret.data as Record<string, string>)["ca.crt"];
  assert.deepEqual(upgraded.caBundles, [ca, ca]);
});
