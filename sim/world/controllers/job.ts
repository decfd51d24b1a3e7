// The Job controller (pkg/controller/job, syncJob) for NonIndexed jobs: it keeps min(parallelism, completions −
// succeeded) pods active, tracks finished pods with the batch.kubernetes.io/job-tracking finalizer (a terminal
// pod is counted in status.succeeded or status.failed, then its finalizer removed; a pod deleted before it
// finished counts as failed), and ends the job with SuccessCriteriaMet + Complete when completions succeeded, or
// FailureTarget + Failed (BackoffLimitExceeded) when more pods failed than backoffLimit allows.
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { timestamp } from "../../kube/store/object-store.ts";
import { fromLabelSelectorObject, matchesLabels } from "../../kube/store/label-selector.ts";
import { namespaceOf, nameOf, writeStatus, type ControllerContext } from "./controller-context.ts";
import { isControlledBy, newControllerRef } from "./owner-references.ts";
import { podFromTemplate } from "./pod-from-template.ts";
import { isPodReady } from "../../kube/kinds/pod-ready.ts";
import { deletionOrder, isPodActive, podPhase } from "./pod-state.ts";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

function finished(status: Record<string, unknown>): boolean {
  return ((status.conditions as JobCondition[] | undefined) ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

export function reconcileJob(ctx: ControllerContext, job: KubeObject): void {
  if (job.metadata?.deletionTimestamp !== undefined) return;
  const namespace = namespaceOf(job);
  const spec = (job.spec ?? {}) as Record<string, unknown>;
  const status = { ...((job.status ?? {}) as Record<string, unknown>) };
  const selector = fromLabelSelectorObject(spec.selector) ?? [];
  const owned = ctx
    .podsIn(namespace)
    .filter((p) => isControlledBy(p, job) && matchesLabels(selector, p.metadata?.labels as Record<string, string>));
  let succeeded = Number(status.succeeded ?? 0);
  let failed = Number(status.failed ?? 0);
  // Count finished pods once, as the finalizer comes off.
  for (const pod of owned) {
    const finalizers = (pod.metadata?.finalizers as string[] | undefined) ?? [];
    if (!finalizers.includes(JOB_TRACKING_FINALIZER) || isPodActive(pod)) continue;
    if (podPhase(pod) === "Succeeded") succeeded++;
    else failed++;
    const fresh = ctx.store.get(ctx.kinds.pods, namespace, nameOf(pod));
    const meta = fresh.metadata as Record<string, unknown>;
    const rest = finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER);
    if (rest.length > 0) meta.finalizers = rest;
    else delete meta.finalizers;
    ctx.store.update(ctx.kinds.pods, namespace, nameOf(pod), fresh);
  }
  const active = owned.filter(isPodActive);
  const now = timestamp(ctx.now());
  const completions = Number(spec.completions ?? 1);
  const conditions = ((status.conditions as JobCondition[] | undefined) ?? []).slice();
  const addCondition = (type: string, reason: string, message: string): void => {
    if (conditions.some((c) => c.type === type)) return;
    conditions.push({ type, status: "True", reason, message, lastProbeTime: now, lastTransitionTime: now });
  };
  let want = 0;
  if (!finished(status)) {
    if (succeeded >= completions) {
      addCondition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods");
      addCondition("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
      status.completionTime = now;
    } else if (failed > Number(spec.backoffLimit ?? 6)) {
      addCondition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
      addCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    } else if (spec.suspend !== true) {
      status.startTime ??= now;
      want = Math.min(Number(spec.parallelism ?? 1), completions - succeeded);
    }
  }
  if (active.length < want) {
    const owner = newControllerRef(job, ctx.kinds.jobs);
    const uid = String(job.metadata?.uid);
    const labels = {
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": nameOf(job),
      "controller-uid": uid,
      "job-name": nameOf(job),
    };
    const template = (spec.template ?? {}) as Record<string, unknown>;
    for (let i = active.length; i < want; i++) {
      ctx.store.create(
        ctx.kinds.pods,
        namespace,
        podFromTemplate(template, owner, { labels, finalizers: [JOB_TRACKING_FINALIZER] }),
      );
    }
  } else if (active.length > want) {
    for (const pod of [...active].sort(deletionOrder).slice(0, active.length - want)) {
      ctx.store.delete(ctx.kinds.pods, namespace, nameOf(pod));
    }
  }
  writeStatus(ctx, ctx.kinds.jobs, job, {
    ...status,
    active: Math.min(active.length, want),
    ready: active.filter(isPodReady).length,
    succeeded,
    failed,
    terminating: owned.filter((p) => p.metadata?.deletionTimestamp !== undefined).length,
    ...(conditions.length > 0 ? { conditions } : {}),
  });
}
