// What the built-in printers (k8s.io/kubernetes/pkg/printers/internalversion) put in a table's cells: ages as
// duration.HumanDuration writes them, and the small conventions (`<none>`, `<unknown>`) kubectl users read.
import type { KubeObject, PrinterColumn } from "../store/resource-kind.ts";

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: `<unknown>` for a missing time. */
export function since(value: unknown, now: Date): string {
  if (typeof value !== "string") return "<unknown>";
  const at = Date.parse(value);
  return Number.isNaN(at) ? "<unknown>" : humanDuration(now.getTime() - at);
}

export function field(object: KubeObject, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function column(
  name: string,
  cell: (object: KubeObject, now: Date) => unknown,
  options: { priority?: number; type?: PrinterColumn["type"]; description?: string } = {},
): PrinterColumn {
  return {
    name,
    type: options.type ?? "string",
    priority: options.priority ?? 0,
    description: options.description ?? "",
    cell,
  };
}

export const ageColumn = column("Age", (o, now) => since(field(o, "metadata.creationTimestamp"), now), {
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
});

/** `a,b,c` or `<none>`. */
export function joinOrNone(values: readonly string[]): string {
  return values.length === 0 ? "<none>" : values.join(",");
}

/** A label selector as metav1.FormatLabelSelector writes it. */
export function formatSelector(selector: unknown): string {
  if (typeof selector !== "object" || selector === null) return "<none>";
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = Object.entries(s.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "", DoesNotExist: "!" }[e.operator] ?? e.operator;
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(",")})`);
  }
  return parts.length === 0 ? "<none>" : parts.join(",");
}

/** Names and images of a pod template's containers (the wide columns of workloads). */
export function containerColumns(templatePath: string): PrinterColumn[] {
  const containers = (o: KubeObject): { name?: string; image?: string }[] =>
    (field(o, `${templatePath}.containers`) as { name?: string; image?: string }[] | undefined) ?? [];
  return [
    column(
      "Containers",
      (o) =>
        containers(o)
          .map((c) => c.name ?? "")
          .join(","),
      { priority: 1 },
    ),
    column(
      "Images",
      (o) =>
        containers(o)
          .map((c) => c.image ?? "")
          .join(","),
      { priority: 1 },
    ),
  ];
}
