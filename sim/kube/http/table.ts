// meta.k8s.io/v1 Table responses (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): what `kubectl get`
// prints. A CRD's columns are its additionalPrinterColumns evaluated by JSONPath as the CRD table convertor does
// (dates as ages, strings with %v); a built-in kind's are its printer's cells.
import type { KubeObject, PrinterColumn, ResourceKind } from "../store/resource-kind.ts";
import { humanDuration } from "../kinds/printing.ts";
import { evaluateJsonPath, parseJsonPath } from "./json-path.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

export interface TableOptions {
  now: Date;
  includeObject: IncludeObject;
  /** Watch events after the first carry no column definitions. */
  noHeaders?: boolean;
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

export function partialObjectMetadata(object: KubeObject): KubeObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

const compiled = new Map<string, ReturnType<typeof parseJsonPath>>();

function cellOf(column: PrinterColumn, object: KubeObject, now: Date): unknown {
  if (column.cell) return column.cell(object, now);
  const path = column.jsonPath ?? "";
  let steps = compiled.get(path);
  if (!steps) {
    steps = parseJsonPath(path);
    compiled.set(path, steps);
  }
  const [value] = evaluateJsonPath(steps, object);
  if (value === undefined || value === null) return null;
  if (column.type === "date") {
    const at = typeof value === "string" ? Date.parse(value) : NaN;
    return Number.isNaN(at) ? "<invalid>" : humanDuration(now.getTime() - at);
  }
  if (column.type === "string") return typeof value === "object" ? JSON.stringify(value) : String(value);
  return value;
}

export function toTable(kind: ResourceKind, objects: readonly KubeObject[], options: TableOptions): KubeObject {
  const table: KubeObject = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { ...options.listMeta },
  };
  if (!options.noHeaders) {
    table.columnDefinitions = [
      { name: "Name", type: "string", format: "name", description: NAME_DESCRIPTION, priority: 0 },
      ...kind.printerColumns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? "",
        description: c.description ?? "",
        priority: c.priority,
      })),
    ];
  }
  table.rows = objects.map((object) => {
    const row: Record<string, unknown> = {
      cells: [
        String((object.metadata as Record<string, unknown>).name ?? ""),
        ...kind.printerColumns.map((c) => cellOf(c, object, options.now)),
      ],
    };
    if (options.includeObject === "Object") row.object = object;
    else if (options.includeObject === "Metadata") row.object = partialObjectMetadata(object);
    return row;
  });
  return table;
}
