// apps/v1 deployments, replica sets and daemon sets, batch/v1 jobs: stored with their scheme defaults and
// printed as the built-in printers do. The controllers that act on them are the world's, not the store's.
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { podTemplateSpec } from "./pod-spec.ts";
import { ageColumn, column, containerColumns, field, formatSelector, humanDuration } from "./printing.ts";
import { bool, int, int64, labelSelector, obj, open, str } from "./schema-builders.ts";

const num = (o: KubeObject, path: string): number => Number(field(o, path) ?? 0);
const selectorColumn = column("Selector", (o) => formatSelector(field(o, "spec.selector")), { priority: 1 });

// A template's labels select it when the workload gives no selector (the v1 defaulting of older API versions is
// gone, but a missing selector is rejected just the same).
function requireSelector(o: KubeObject): { field: string; type: string; body: string }[] {
  return field(o, "spec.selector") === undefined
    ? [{ field: "spec.selector", type: "FieldValueRequired", body: "Required value" }]
    : [];
}

function defaultTemplate(o: KubeObject): void {
  const template = field(o, "spec.template") as Record<string, unknown> | undefined;
  const spec = template?.spec as Record<string, unknown> | undefined;
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
}

export const deployments: ResourceKind = builtIn({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: ["status"],
  fields: {
    spec: obj({
      replicas: int,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: open,
      minReadySeconds: int,
      revisionHistoryLimit: int,
      paused: bool,
      progressDeadlineSeconds: int,
    }),
    status: open,
  },
  defaults: (d) => {
    const spec = (d.spec ??= {}) as Record<string, unknown>;
    spec.replicas ??= 1;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } };
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(d);
  },
  validate: requireSelector,
  printerColumns: [
    column("Ready", (d) => `${num(d, "status.readyReplicas")}/${num(d, "spec.replicas")}`, {
      description: "Number of the pod with ready state",
    }),
    column("Up-to-date", (d) => num(d, "status.updatedReplicas"), {
      type: "integer",
      description:
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
    }),
    column("Available", (d) => num(d, "status.availableReplicas"), {
      type: "integer",
      description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
    }),
    ageColumn,
    ...containerColumns("spec.template.spec"),
    selectorColumn,
  ],
});

export const replicaSets: ResourceKind = builtIn({
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  subresources: ["status"],
  fields: {
    spec: obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplateSpec }),
    status: open,
  },
  defaults: (r) => {
    const spec = (r.spec ??= {}) as Record<string, unknown>;
    spec.replicas ??= 1;
    defaultTemplate(r);
  },
  validate: requireSelector,
  printerColumns: [
    column("Desired", (r) => num(r, "spec.replicas"), { type: "integer" }),
    column("Current", (r) => num(r, "status.replicas"), { type: "integer" }),
    column("Ready", (r) => num(r, "status.readyReplicas"), { type: "integer" }),
    ageColumn,
    ...containerColumns("spec.template.spec"),
    selectorColumn,
  ],
  selectableFields: (r) => ({ "status.replicas": String(field(r, "status.replicas") ?? "0") }),
});

export const daemonSets: ResourceKind = builtIn({
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  subresources: ["status"],
  fields: {
    spec: obj({
      selector: labelSelector,
      template: podTemplateSpec,
      updateStrategy: open,
      minReadySeconds: int,
      revisionHistoryLimit: int,
    }),
    status: open,
  },
  defaults: (d) => {
    const spec = (d.spec ??= {}) as Record<string, unknown>;
    spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(d);
  },
  validate: requireSelector,
  printerColumns: [
    column("Desired", (d) => num(d, "status.desiredNumberScheduled"), { type: "integer" }),
    column("Current", (d) => num(d, "status.currentNumberScheduled"), { type: "integer" }),
    column("Ready", (d) => num(d, "status.numberReady"), { type: "integer" }),
    column("Up-to-date", (d) => num(d, "status.updatedNumberScheduled"), { type: "integer" }),
    column("Available", (d) => num(d, "status.numberAvailable"), { type: "integer" }),
    column("Node Selector", (d) => {
      const selector = field(d, "spec.template.spec.nodeSelector") as Record<string, string> | undefined;
      return selector && Object.keys(selector).length > 0 ? formatSelector({ matchLabels: selector }) : "<none>";
    }),
    ageColumn,
    ...containerColumns("spec.template.spec"),
    selectorColumn,
  ],
});

export const jobs: ResourceKind = builtIn({
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  namespaced: true,
  categories: ["all"],
  subresources: ["status"],
  fields: {
    spec: obj({
      parallelism: int,
      completions: int,
      activeDeadlineSeconds: int64,
      podFailurePolicy: open,
      successPolicy: open,
      backoffLimit: int,
      backoffLimitPerIndex: int,
      maxFailedIndexes: int,
      selector: labelSelector,
      manualSelector: bool,
      template: podTemplateSpec,
      ttlSecondsAfterFinished: int,
      completionMode: str,
      suspend: bool,
      podReplacementPolicy: str,
      managedBy: str,
    }),
    status: open,
  },
  defaults: (j, old) => {
    const spec = (j.spec ??= {}) as Record<string, unknown>;
    spec.parallelism ??= 1;
    spec.completions ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= "NonIndexed";
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= "TerminatingOrFailed";
    const template = (spec.template ??= {}) as Record<string, unknown>;
    const meta = (template.metadata ??= {}) as Record<string, unknown>;
    // The job controller's own selector: batch.kubernetes.io/controller-uid, set once the uid is known.
    if (!old && spec.selector === undefined) {
      meta.labels = {
        ...(meta.labels as Record<string, string> | undefined),
        "batch.kubernetes.io/job-name": String(field(j, "metadata.name") ?? ""),
      };
      spec.selector = { matchLabels: { "batch.kubernetes.io/job-name": String(field(j, "metadata.name") ?? "") } };
    }
    defaultTemplate(j);
  },
  printerColumns: [
    column("Status", (j) => {
      const conditions = (field(j, "status.conditions") as { type?: string; status?: string }[] | undefined) ?? [];
      const done = conditions.find(
        (c) => ["Complete", "Failed", "Suspended"].includes(c.type ?? "") && c.status === "True",
      );
      return done?.type ?? "Running";
    }),
    column("Completions", (j) => `${num(j, "status.succeeded")}/${num(j, "spec.completions")}`),
    column("Duration", (j, now) => {
      const start = field(j, "status.startTime");
      if (typeof start !== "string") return "";
      const end = field(j, "status.completionTime");
      return humanDuration((typeof end === "string" ? Date.parse(end) : now.getTime()) - Date.parse(start));
    }),
    ageColumn,
    ...containerColumns("spec.template.spec"),
    selectorColumn,
  ],
  selectableFields: (j) => ({ "status.successful": String(field(j, "status.succeeded") ?? "0") }),
});
