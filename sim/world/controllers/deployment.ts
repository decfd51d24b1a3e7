// The Deployment controller (pkg/controller/deployment): the ReplicaSet for the current template — named
// `<deployment>-<pod-template-hash>`, its selector and template carrying the pod-template-hash label, owned by the
// Deployment — runs spec.replicas pods, and every older ReplicaSet of the Deployment is scaled to zero. The
// rollout is immediate (no maxSurge / maxUnavailable pacing): the world needs replacement, not rollout timing.
import { cloneJson } from "../../../api/index.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { namespaceOf, nameOf, writeStatus, type ControllerContext } from "./controller-context.ts";
import { isControlledBy, newControllerRef } from "./owner-references.ts";
import { podTemplateHash } from "./template-hash.ts";

export const POD_TEMPLATE_HASH = "pod-template-hash";

export function reconcileDeployment(ctx: ControllerContext, deployment: KubeObject, replicaSets: KubeObject[]): void {
  if (deployment.metadata?.deletionTimestamp !== undefined) return;
  const namespace = namespaceOf(deployment);
  const spec = (deployment.spec ?? {}) as Record<string, unknown>;
  const template = (spec.template ?? {}) as Record<string, unknown>;
  const hash = podTemplateHash(
    template,
    Number((deployment.status as { collisionCount?: number } | undefined)?.collisionCount ?? 0),
  );
  const name = `${nameOf(deployment)}-${hash}`;
  const wanted = Number(spec.replicas ?? 1);
  const owned = replicaSets.filter((rs) => namespaceOf(rs) === namespace && isControlledBy(rs, deployment));
  if (!owned.some((rs) => nameOf(rs) === name)) {
    const rsTemplate = cloneJson(template);
    const meta = (rsTemplate.metadata ??= {}) as Record<string, unknown>;
    meta.labels = { ...(meta.labels as Record<string, string> | undefined), [POD_TEMPLATE_HASH]: hash };
    const selector = cloneJson((spec.selector ?? {}) as Record<string, unknown>);
    selector.matchLabels = {
      ...(selector.matchLabels as Record<string, string> | undefined),
      [POD_TEMPLATE_HASH]: hash,
    };
    ctx.store.create(ctx.kinds.replicaSets, namespace, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name,
        labels: { ...(meta.labels as Record<string, string>) },
        annotations: { "deployment.kubernetes.io/desired-replicas": String(wanted) },
        ownerReferences: [newControllerRef(deployment, ctx.kinds.deployments)],
      },
      spec: { replicas: wanted, minReadySeconds: spec.minReadySeconds ?? 0, selector, template: rsTemplate },
    });
  }
  for (const rs of owned) {
    const replicas = nameOf(rs) === name ? wanted : 0;
    const rsSpec = (rs.spec ?? {}) as Record<string, unknown>;
    if (rsSpec.replicas !== replicas) {
      const fresh = ctx.store.get(ctx.kinds.replicaSets, namespace, nameOf(rs));
      ctx.store.update(ctx.kinds.replicaSets, namespace, nameOf(rs), {
        ...fresh,
        spec: { ...(fresh.spec as Record<string, unknown>), replicas },
      });
    }
  }
  const sum = (field: string, only?: KubeObject): number =>
    (only ? [only] : owned).reduce(
      (n, rs) => n + Number((rs.status as Record<string, unknown> | undefined)?.[field] ?? 0),
      0,
    );
  const newRs = owned.find((rs) => nameOf(rs) === name);
  const replicas = sum("replicas");
  const available = sum("availableReplicas");
  writeStatus(ctx, ctx.kinds.deployments, deployment, {
    ...((deployment.status ?? {}) as Record<string, unknown>),
    observedGeneration: deployment.metadata?.generation,
    replicas,
    updatedReplicas: newRs ? sum("replicas", newRs) : 0,
    readyReplicas: sum("readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, wanted - available),
  });
}
