// A new pod from a workload's template (controller.GetPodFromTemplate): the template's labels, annotations,
// finalizers and spec, `<owner>-` as generateName, and the owner as controller.
import { cloneJson, type OwnerReference } from "../../../api/index.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";

export function podFromTemplate(
  template: Record<string, unknown>,
  owner: OwnerReference,
  options: { labels?: Record<string, string>; finalizers?: string[] } = {},
): KubeObject {
  const meta = (template.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = {
    generateName: `${owner.name}-`,
    labels: { ...(meta.labels as Record<string, string> | undefined), ...options.labels },
    ownerReferences: [owner],
  };
  if (meta.annotations) metadata.annotations = cloneJson(meta.annotations);
  const finalizers = [...((meta.finalizers as string[] | undefined) ?? []), ...(options.finalizers ?? [])];
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  return { apiVersion: "v1", kind: "Pod", metadata, spec: cloneJson((template.spec ?? {}) as Record<string, unknown>) };
}
