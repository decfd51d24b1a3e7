// Volume topology in the simulated world (Karpenter's volumetopology.go): a pod whose claim is not bound yet, of a
// WaitForFirstConsumer StorageClass that may provision only in one zone, gets its node in that zone — the world's
// volume controller then provisions the volume where the pod runs, so a node anywhere else would have made a volume
// in a zone the class forbids; a pod whose claim is bound to a volume in another zone gets its node there. The
// world's scheduler binds both (its VolumeZone plugin holds the bound one to its volume's zone). Expected zones are
// the ones written in the StorageClass and the PersistentVolume.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { KubeObject } from "../../../sim/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

const ZONE = "topology.kubernetes.io/zone";
let w: ProvisioningWorld;
let zones: string[];

const labelsOf = (o: KubeObject | undefined) => (o?.metadata?.labels ?? {}) as Record<string, string>;
const mounting = (claimName: string) => ({ volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] });

function zoneOfPod(app: string): string | undefined {
  const name = nodeNameOf(w.pods(app)[0] ?? { metadata: {} });
  return labelsOf(w.list("v1", "Node").find((n) => n.metadata?.name === name))[ZONE];
}

async function bound(app: string): Promise<void> {
  await w.runUntil(() => w.pods(app).some((p) => nodeNameOf(p) !== undefined), `${app} bound`, 10 * 60_000);
}

before(async () => {
  w = await startProvisioningWorld();
  zones = [...new Set(w.world.cloud.scenario.subnets.map((s) => s.zone))].sort();
  assert.ok(zones.length >= 3, `the world has three zones (${zones.join(", ")})`);
  w.create(
    NODE_CLASS,
    nodePool("default", [
      { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
    ]),
  );
});
after(() => w.stop());

test("an unbound claim of a class allowed in one zone: the node, and so the volume, in that zone", async () => {
  const allowed = zones[2] ?? assert.fail();
  w.create(
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "zonal" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowedTopologies: [{ matchLabelExpressions: [{ key: ZONE, values: [allowed] }] }],
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "fresh", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: "zonal", resources: { requests: { storage: "10Gi" } } },
    },
    deployment("writer", 1, { cpu: "1200m", memory: "1Gi" }, mounting("fresh")),
  );
  await bound("writer");
  assert.equal(zoneOfPod("writer"), allowed);
  await w.runUntil(() => w.list("v1", "PersistentVolume").length > 0, "the volume provisioned", 60_000);
  const [volume] = w.list("v1", "PersistentVolume");
  assert.equal(labelsOf(volume)[ZONE], allowed);
});

test("a claim bound to a volume in another zone: the node in the volume's zone", async () => {
  const volumeZone = zones[1] ?? assert.fail();
  w.create(
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-existing", labels: { [ZONE]: volumeZone } },
      spec: {
        capacity: { storage: "10Gi" },
        accessModes: ["ReadWriteOnce"],
        storageClassName: "zonal",
        claimRef: { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: "default", name: "existing" },
        csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0123456789abcdef0" },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: "In", values: [volumeZone] }] }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "existing",
        namespace: "default",
        annotations: { "pv.kubernetes.io/bind-completed": "yes" },
      },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: "zonal",
        volumeName: "pv-existing",
        resources: { requests: { storage: "10Gi" } },
      },
    },
  );
  const claims = w.world.kind("", "v1", "persistentvolumeclaims");
  const claim = w.world.store.get(claims, "default", "existing");
  w.world.store.update(
    claims,
    "default",
    "existing",
    { ...claim, status: { phase: "Bound" } },
    { subresource: "status" },
  );
  w.create(deployment("reader", 1, { cpu: "1200m", memory: "1Gi" }, mounting("existing")));
  await bound("reader");
  assert.equal(zoneOfPod("reader"), volumeZone);
});
