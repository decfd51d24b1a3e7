// One served kind: where it lives (group, version, resource), how clients name it (kind, short names,
// categories), its subresources and printer columns, and the few behaviours that differ from kind to kind
// (defaulting, validation, selectable fields, what happens to status on create). Everything else — storage,
// versions, concurrency, deletion, watches — is the generic store's, as in the API server's generic registry
// (k8s.io/apiserver/pkg/registry/generic/registry.Store with a per-kind strategy).
import type { ObjectStore } from "./object-store.ts";
import type { FieldSet } from "./field-selector.ts";
import type { KubeSchema } from "./schema.ts";
import type { InvalidCause } from "./status.ts";

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
};

/** A column of `kubectl get` (a CRD's additionalPrinterColumns, or the built-in printers' columns). */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description?: string;
  /** 0: always shown; greater: only with `-o wide`. */
  priority: number;
  /** A CRD column's JSONPath… */
  jsonPath?: string;
  /** …or a built-in printer's cell function. */
  cell?: (object: KubeObject, now: Date) => unknown;
}

export interface ResourceKind {
  group: string;
  version: string;
  kind: string;
  /** The resource name: lower-case plural (`pods`, `nodepools`). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  /** Subresources served besides the object itself: `status`, `binding`. */
  subresources: readonly string[];
  /** Columns after NAME (and NAMESPACE, which kubectl adds itself). */
  printerColumns: readonly PrinterColumn[];
  /** The object's schema: OpenAPI, unknown-field checks, strategic-merge keys. */
  schema: KubeSchema;
  /** Served as a custom resource: CRD-style messages and JSON merge patches instead of strategic ones. */
  custom: boolean;
  /** Field selectors the kind supports besides metadata.name and metadata.namespace. */
  selectableFields?: (object: KubeObject) => FieldSet;
  /** Keep `status` given on create (nodes do); otherwise a kind with a status subresource drops it. */
  keepStatusOnCreate?: boolean;
  /** Defaulting on create and update (PrepareForCreate plus the scheme's defaulters). */
  defaults?: (object: KubeObject, old: KubeObject | undefined) => void;
  /** POST handlers of subresources other than status (pods/binding): the object after the action. */
  actions?: Record<string, SubresourceAction>;
  /**
   * PUT handlers of subresources other than status (namespaces/finalize): the object to store, from the stored
   * one and the request's body.
   */
  updates?: Record<string, (current: KubeObject, body: KubeObject) => KubeObject>;
  /**
   * RESTGracefulDeleteStrategy.CheckGracefulDelete: the seconds a graceful DELETE gives the object, from the
   * period asked for (undefined: the kind's default). Kinds without it are deleted at once.
   */
  gracePeriod?: (object: KubeObject, requested: number | undefined) => number;
  /**
   * A registry whose Delete holds the object its own way (the namespace REST: Terminating until its
   * spec.finalizers are done): the object to keep instead of deleting it, or undefined to delete as usual.
   */
  holdDeletion?: (object: KubeObject, now: string) => KubeObject | undefined;
  /** Validation on create and update; the causes of a 422. May replace the object with a defaulted copy. */
  validate?: (object: KubeObject, old: KubeObject | undefined) => { causes: InvalidCause[]; object?: KubeObject };
}

export type SubresourceAction = (
  store: ObjectStore,
  kind: ResourceKind,
  target: { namespace: string | undefined; name: string },
  body: KubeObject,
) => KubeObject;

export function apiVersionOf(kind: Pick<ResourceKind, "group" | "version">): string {
  return kind.group === "" ? kind.version : `${kind.group}/${kind.version}`;
}

/** `pods`, `deployments.apps`: how messages and RBAC name the resource. */
export function groupResourceOf(kind: ResourceKind): { group: string; resource: string } {
  return { group: kind.group, resource: kind.plural };
}
