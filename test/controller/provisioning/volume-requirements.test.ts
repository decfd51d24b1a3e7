// What a pod's PersistentVolumeClaims require of its node, from the cluster's objects (Karpenter's
// volumetopology.go `getRequirements`): a bound claim its volume's required node affinity, an unbound claim its
// StorageClass's allowedTopologies. Expected zones are the ones written in the objects, as Karpenter's suite_test
// expects ("should schedule to storage class zones if volume does not exist": the node lands in the class's zone).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../../../api/index.ts";
import { claimVolumeRequirements } from "../../../controller/provisioning/volume-topology.ts";
import { catalogTypes, claimDomain, messages, nodePool, pod, run, ZONE } from "../../support/scheduling-fixtures.ts";

function claim(name: string, spec: { volumeName?: string; storageClassName?: string }): PersistentVolumeClaim {
  return { metadata: { name, namespace: "default" }, spec };
}

function storageClass(name: string, allowedTopologies?: StorageClass["allowedTopologies"]): StorageClass {
  return {
    metadata: { name },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: "WaitForFirstConsumer",
    ...(allowedTopologies === undefined ? {} : { allowedTopologies }),
  };
}

function volume(name: string, terms: { key: string; operator: string; values: string[] }[][], local = false) {
  return {
    metadata: { name },
    spec: {
      ...(local ? { local: { path: "/mnt/disk" } } : { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } }),
      nodeAffinity: { required: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } },
    },
  } as PersistentVolume;
}

const zones = (...values: string[]) => [{ key: ZONE, values }];

describe("claimVolumeRequirements", () => {
  test("an unbound claim of a class restricted to zones requires those zones", () => {
    const out = claimVolumeRequirements({
      persistentVolumeClaims: [claim("data", { storageClassName: "zonal" })],
      persistentVolumes: [],
      storageClasses: [storageClass("zonal", [{ matchLabelExpressions: zones("us-east-1b", "us-east-1c") }])],
    });
    assert.deepEqual(out, { "default/data": [{ key: ZONE, operator: "In", values: ["us-east-1b", "us-east-1c"] }] });
  });

  test("a class without allowedTopologies, a class not in the cache, a claim without a class: nothing", () => {
    const out = claimVolumeRequirements({
      persistentVolumeClaims: [
        claim("free", { storageClassName: "gp3" }),
        claim("unknown", { storageClassName: "missing" }),
        claim("none", {}),
      ],
      persistentVolumes: [],
      storageClasses: [storageClass("gp3")],
    });
    assert.deepEqual(out, {});
  });

  test("a bound claim requires its volume's node affinity, not its class's topologies", () => {
    const out = claimVolumeRequirements({
      persistentVolumeClaims: [claim("data", { volumeName: "pv-1", storageClassName: "zonal" })],
      persistentVolumes: [volume("pv-1", [[{ key: ZONE, operator: "In", values: ["us-east-1a"] }]])],
      storageClasses: [storageClass("zonal", [{ matchLabelExpressions: zones("us-east-1c") }])],
    });
    assert.deepEqual(out, { "default/data": [{ key: ZONE, operator: "In", values: ["us-east-1a"] }] });
  });

  test("OR-ed terms on one key are joined; a local volume's hostname is left out", () => {
    const out = claimVolumeRequirements({
      persistentVolumeClaims: [
        claim("two-terms", { storageClassName: "two" }),
        claim("local", { volumeName: "pv-local" }),
        claim("zone-or-any", { volumeName: "pv-any" }),
      ],
      persistentVolumes: [
        volume(
          "pv-local",
          [
            [
              { key: "kubernetes.io/hostname", operator: "In", values: ["ip-10-0-0-1"] },
              { key: ZONE, operator: "In", values: ["us-east-1a"] },
            ],
          ],
          true,
        ),
        volume("pv-any", [[{ key: ZONE, operator: "In", values: ["us-east-1a"] }], []]),
      ],
      storageClasses: [
        storageClass("two", [
          { matchLabelExpressions: zones("us-east-1a") },
          { matchLabelExpressions: zones("us-east-1c") },
        ]),
      ],
    });
    assert.deepEqual(out, {
      "default/two-terms": [{ key: ZONE, operator: "In", values: ["us-east-1a", "us-east-1c"] }],
      "default/local": [{ key: ZONE, operator: "In", values: ["us-east-1a"] }],
    });
  });
});

describe("scheduling with an unbound claim of a zonal class", () => {
  const withClaim = { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] };
  const objects = {
    persistentVolumeClaims: [claim("data", { storageClassName: "zonal" })],
    persistentVolumes: [],
    storageClasses: [storageClass("zonal", [{ matchLabelExpressions: zones("us-east-1b") }])],
  };
  const types = catalogTypes("m5.large");

  test("the NodeClaim is pinned to the class's zone", () => {
    const result = run([pod({}, withClaim)], [nodePool("default")], types, {
      volumeRequirements: claimVolumeRequirements(objects),
    });
    assert.equal(result.newNodeClaims.length, 1);
    assert.equal(claimDomain(result.newNodeClaims[0] ?? assert.fail(), ZONE), "us-east-1b");
  });

  test("a pool without that zone explains it", () => {
    const pool = nodePool("ac", {
      requirements: [{ key: ZONE, operator: "In", values: ["us-east-1a", "us-east-1c"] }],
    });
    const result = run([pod({}, withClaim)], [pool], types, { volumeRequirements: claimVolumeRequirements(objects) });
    assert.deepEqual(messages(result), [
      [
        "pool ac: volume default/data requires topology.kubernetes.io/zone In [us-east-1b], which the pool's requirements exclude",
      ],
    ]);
  });
});
