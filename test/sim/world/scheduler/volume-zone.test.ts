// VolumeZone, checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/volumezone/volume_zone_test.go (commit 52a622ad6d2648599b28eec29263518162f9fcf8):
// TestSingleZone, TestMultiZone and TestWithBinding. Each row gives the PreFilter status (Skip, a rejection, or
// none) and the Filter status on the row's single node.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, StorageClass } from "../../../../sim/world/objects.ts";
import { volumeZone } from "../../../../sim/world/scheduler/plugins/volume-zone.ts";
import type { ClusterObjects } from "../../../../sim/world/scheduler/snapshot.ts";
import { Snapshot } from "../../../../sim/world/scheduler/snapshot.ts";
import { makePod, makePV, makePVC } from "./wrappers.ts";

const BETA_ZONE = "failure-domain.beta.kubernetes.io/zone";
const BETA_REGION = "failure-domain.beta.kubernetes.io/region";
const ZONE = "topology.kubernetes.io/zone";
const REGION = "topology.kubernetes.io/region";
const CONFLICT = "node(s) had no available volume zone";

type Storage = Omit<ClusterObjects, "nodes" | "pods">;

interface Row {
  readonly name: string;
  /** The claim the pod mounts; none for a pod without volumes. */
  readonly claim?: string;
  readonly nodeLabels?: Record<string, string>;
  /** "skip", or the message of an UnschedulableAndUnresolvable PreFilter status; absent is success. */
  readonly preFilter?: string;
  /** The message of an UnschedulableAndUnresolvable Filter status; absent is success. */
  readonly filter?: string;
}

function node(labels: Record<string, string> | undefined): Node {
  return labels === undefined ? { metadata: { name: "host1" } } : { metadata: { name: "host1", labels } };
}

/**
 * Runs the row as the upstream test does: PreFilter, then Filter on the node. Upstream calls Filter even after a
 * failed PreFilter, and Filter, finding no state, recomputes it and fails the same way; here a failed PreFilter
 * stands for both, as it does in a scheduling cycle.
 */
function run(storage: Storage, row: Row): void {
  const pod =
    row.claim === undefined
      ? makePod().name("pod_1").namespace("default").obj()
      : makePod().name("pod_1").namespace("default").pvc(row.claim).obj();
  const snapshot = new Snapshot({ ...storage, nodes: [node(row.nodeLabels)], pods: [] });
  const outcome = volumeZone.preFilter?.(pod, snapshot);
  assert.ok(outcome !== undefined);
  if (outcome.code === "Skip") {
    assert.equal(row.preFilter, "skip");
    assert.equal(row.filter, undefined);
    return;
  }
  if (outcome.status !== undefined) {
    assert.deepEqual(
      { code: outcome.status.code, reasons: outcome.status.reasons },
      { code: "UnschedulableAndUnresolvable", reasons: [row.preFilter] },
    );
    assert.equal(row.filter, row.preFilter, "upstream's Filter repeats PreFilter's rejection");
    return;
  }
  assert.equal(row.preFilter, undefined);
  const nodeInfo = snapshot.get("host1");
  assert.ok(nodeInfo !== undefined);
  const status = volumeZone.filter(pod, nodeInfo, outcome.state);
  assert.deepEqual(
    status === undefined ? undefined : { code: status.code, reasons: status.reasons },
    row.filter === undefined ? undefined : { code: "UnschedulableAndUnresolvable", reasons: [row.filter] },
  );
}

describe("VolumeZone (TestSingleZone)", () => {
  const storage: Storage = {
    persistentVolumes: [
      makePV("Vol_1", { [BETA_ZONE]: "us-west1-a" }),
      makePV("Vol_2", { [BETA_REGION]: "us-west1", uselessLabel: "none" }),
      makePV("Vol_3", { [BETA_REGION]: "us-west1" }),
      makePV("Vol_Stable_1", { [ZONE]: "us-west1-a" }),
      makePV("Vol_Stable_2", { [REGION]: "us-west1", uselessLabel: "none" }),
      makePV("Vol_Stable_3", { [ZONE]: "us-west1-a", [REGION]: "us-west1-a" }),
    ],
    persistentVolumeClaims: [
      makePVC("PVC_1", "default", "Vol_1"),
      makePVC("PVC_2", "default", "Vol_2"),
      makePVC("PVC_3", "default", "Vol_3"),
      makePVC("PVC_4", "default", "Vol_not_exist"),
      makePVC("PVC_Stable_1", "default", "Vol_Stable_1"),
      makePVC("PVC_Stable_2", "default", "Vol_Stable_2"),
      makePVC("PVC_Stable_3", "default", "Vol_Stable_3"),
    ],
  };
  const rows: Row[] = [
    { name: "pod without volume", nodeLabels: { [BETA_ZONE]: "us-west1-a" }, preFilter: "skip" },
    { name: "node without labels", claim: "PVC_1" },
    {
      name: "beta zone label matched",
      claim: "PVC_1",
      nodeLabels: { [BETA_ZONE]: "us-west1-a", uselessLabel: "none" },
    },
    {
      name: "beta region label matched",
      claim: "PVC_2",
      nodeLabels: { [BETA_REGION]: "us-west1", uselessLabel: "none" },
    },
    {
      name: "beta region label doesn't match",
      claim: "PVC_2",
      nodeLabels: { [BETA_REGION]: "no_us-west1", uselessLabel: "none" },
      filter: CONFLICT,
    },
    {
      name: "beta zone label doesn't match",
      claim: "PVC_1",
      nodeLabels: { [BETA_ZONE]: "no_us-west1-a", uselessLabel: "none" },
      filter: CONFLICT,
    },
    { name: "zone label matched", claim: "PVC_Stable_1", nodeLabels: { [ZONE]: "us-west1-a", uselessLabel: "none" } },
    { name: "region label matched", claim: "PVC_Stable_2", nodeLabels: { [REGION]: "us-west1", uselessLabel: "none" } },
    {
      name: "region label doesn't match",
      claim: "PVC_Stable_2",
      nodeLabels: { [REGION]: "no_us-west1", uselessLabel: "none" },
      filter: CONFLICT,
    },
    {
      name: "zone label doesn't match",
      claim: "PVC_Stable_1",
      nodeLabels: { [ZONE]: "no_us-west1-a", uselessLabel: "none" },
      filter: CONFLICT,
    },
    {
      name: "pv with zone and region, node with only zone",
      claim: "PVC_Stable_3",
      nodeLabels: { [ZONE]: "us-west1-a" },
      filter: CONFLICT,
    },
    {
      name: "pv with zone,node with beta zone",
      claim: "PVC_Stable_1",
      nodeLabels: { [BETA_ZONE]: "us-west1-a" },
      filter: CONFLICT,
    },
    { name: "pv with beta label,node with ga label, matched", claim: "PVC_1", nodeLabels: { [ZONE]: "us-west1-a" } },
    {
      name: "pv with beta label,node with ga label, don't match",
      claim: "PVC_1",
      nodeLabels: { [ZONE]: "us-west1-b" },
      filter: CONFLICT,
    },
  ];
  for (const row of rows) test(row.name, () => run(storage, row));
});

describe("VolumeZone (TestMultiZone)", () => {
  const storage: Storage = {
    persistentVolumes: [
      makePV("Vol_1", { [BETA_ZONE]: "us-west1-a" }),
      makePV("Vol_2", { [BETA_ZONE]: "us-west1-b", uselessLabel: "none" }),
      makePV("Vol_3", { [BETA_ZONE]: "us-west1-c__us-west1-a" }),
      makePV("Vol_Stable_1", { [ZONE]: "us-west1-a" }),
      makePV("Vol_Stable_2", { [ZONE]: "us-west1-c__us-west1-a" }),
    ],
    persistentVolumeClaims: [
      makePVC("PVC_1", "default", "Vol_1"),
      makePVC("PVC_2", "default", "Vol_2"),
      makePVC("PVC_3", "default", "Vol_3"),
      makePVC("PVC_4", "default", "Vol_not_exist"),
      makePVC("PVC_Stable_1", "default", "Vol_Stable_1"),
      makePVC("PVC_Stable_2", "default", "Vol_Stable_2"),
    ],
  };
  const rows: Row[] = [
    { name: "node without labels", claim: "PVC_3" },
    {
      name: "beta zone label matched",
      claim: "PVC_3",
      nodeLabels: { [BETA_ZONE]: "us-west1-a", uselessLabel: "none" },
    },
    {
      name: "beta zone label doesn't match",
      claim: "PVC_1",
      nodeLabels: { [BETA_ZONE]: "us-west1-b", uselessLabel: "none" },
      filter: CONFLICT,
    },
    { name: "zone label matched", claim: "PVC_Stable_2", nodeLabels: { [ZONE]: "us-west1-a", uselessLabel: "none" } },
    {
      name: "zone label doesn't match",
      claim: "PVC_Stable_1",
      nodeLabels: { [ZONE]: "us-west1-b", uselessLabel: "none" },
      filter: CONFLICT,
    },
  ];
  for (const row of rows) test(row.name, () => run(storage, row));
});

describe("VolumeZone (TestWithBinding)", () => {
  const immediate: StorageClass = { metadata: { name: "Class_Immediate" } };
  const wait: StorageClass = { metadata: { name: "Class_Wait" }, volumeBindingMode: "WaitForFirstConsumer" };
  const storage: Storage = {
    storageClasses: [immediate, wait],
    persistentVolumes: [makePV("Vol_1", { [BETA_ZONE]: "us-west1-a" })],
    persistentVolumeClaims: [
      makePVC("PVC_1", "default", "Vol_1"),
      makePVC("PVC_NoSC", "default", undefined, "Class_0"),
      makePVC("PVC_EmptySC", "default"),
      makePVC("PVC_WaitSC", "default", undefined, "Class_Wait"),
      makePVC("PVC_ImmediateSC", "default", undefined, "Class_Immediate"),
    ],
  };
  const nodeLabels = { [BETA_ZONE]: "us-west1-a", uselessLabel: "none" };
  const noName = "PersistentVolumeClaim had no pv name and storageClass name";
  // Upstream's table expects `storageclasses.storage.k8s.io "Class_0" not found`, the wording of its fake lister;
  // the scheduler's informer lister (client-go listers/storage/v1) names the resource in the singular.
  const notFound = 'storageclass.storage.k8s.io "Class_0" not found';
  const notSet = 'VolumeBindingMode not set for StorageClass "Class_Immediate"';
  const rows: Row[] = [
    { name: "label zone failure domain matched", claim: "PVC_1", nodeLabels },
    { name: "unbound volume empty storage class", claim: "PVC_EmptySC", nodeLabels, preFilter: noName, filter: noName },
    { name: "unbound volume no storage class", claim: "PVC_NoSC", nodeLabels, preFilter: notFound, filter: notFound },
    {
      name: "unbound volume immediate binding mode",
      claim: "PVC_ImmediateSC",
      nodeLabels,
      preFilter: notSet,
      filter: notSet,
    },
    { name: "unbound volume wait binding mode", claim: "PVC_WaitSC", nodeLabels, preFilter: "skip" },
  ];
  for (const row of rows) test(row.name, () => run(storage, row));
});
