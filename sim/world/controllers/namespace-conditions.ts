// The conditions the namespace controller writes on a Terminating namespace (pkg/controller/namespace/deletion,
// namespaceConditionUpdater): the five condition types in their order, each False with its "ok" reason and
// message unless something is left — NamespaceContentRemaining lists what remains per resource, and
// NamespaceFinalizersRemaining the finalizers that hold it, in upstream's words. A condition's
// lastTransitionTime moves only when its status does.
import { isDeepStrictEqual } from "node:util";

export interface NamespaceContent {
  /** `resource.group` (core resources end with a dot, as upstream prints them) → objects left. */
  remaining: Map<string, number>;
  /** finalizer → objects it still holds. */
  finalizers: Map<string, number>;
}

interface Condition {
  type: string;
  status: "True" | "False";
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

const OK: [type: string, reason: string, message: string][] = [
  ["NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"],
  ["NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"],
  [
    "NamespaceDeletionContentFailure",
    "ContentDeleted",
    "All content successfully deleted, may be waiting on finalization",
  ],
  ["NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"],
  ["NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"],
];

/** The namespace's conditions after this pass (old ones kept, in place, where nothing changed). */
export function namespaceConditions(old: unknown, content: NamespaceContent, now: string): Condition[] {
  const previous = Array.isArray(old) ? (old as Condition[]) : [];
  const failing = new Map<string, Omit<Condition, "type">>();
  const listed = (counts: Map<string, number>, format: (key: string, n: number) => string): string =>
    [...counts]
      .filter(([, n]) => n > 0)
      .map(([key, n]) => format(key, n))
      .sort()
      .join(", ");
  if ([...content.remaining.values()].some((n) => n > 0)) {
    failing.set("NamespaceContentRemaining", {
      status: "True",
      reason: "SomeResourcesRemain",
      message: `Some resources are remaining: ${listed(content.remaining, (r, n) => `${r} has ${n} resource instances`)}`,
    });
  }
  if ([...content.finalizers.values()].some((n) => n > 0)) {
    failing.set("NamespaceFinalizersRemaining", {
      status: "True",
      reason: "SomeFinalizerRemain",
      message: `Some finalizers are remaining: ${listed(content.finalizers, (f, n) => `${f} in ${n} resource instances`)}`,
    });
  }
  const next = previous.map((c) => ({ ...c }));
  for (const [type, reason, message] of OK) {
    const wanted = failing.get(type) ?? { status: "False" as const, reason, message };
    const existing = next.find((c) => c.type === type);
    if (!existing)
      next.push({
        type,
        status: wanted.status,
        lastTransitionTime: now,
        reason: wanted.reason,
        message: wanted.message,
      });
    else if (
      !isDeepStrictEqual(
        [existing.status, existing.reason, existing.message],
        [wanted.status, wanted.reason, wanted.message],
      )
    ) {
      if (existing.status !== wanted.status) existing.lastTransitionTime = now;
      existing.status = wanted.status;
      existing.reason = wanted.reason;
      existing.message = wanted.message;
    }
  }
  return next;
}
