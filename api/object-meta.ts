// ObjectMeta is not part of a CRD's schema (the API server validates it itself), so it is declared here from
// k8s.io/apimachinery's ObjectMeta: the fields a manifest may carry, with the checks the API server applies.
import type { OpenApiSchema } from "./crd-schema.ts";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  selfLink?: string;
}

// Qualified name (label/annotation key): optional DNS-1123 subdomain prefix, then a name of at most 63 characters.
const qualifiedName =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";
const labelValue = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
const dnsSubdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/** Schema the validator uses for `metadata`, replacing the CRD's bare `type: object`. */
export const objectMetaSchema: OpenApiSchema = {
  type: "object",
  properties: {
    name: { type: "string", maxLength: 253, pattern: dnsSubdomain },
    generateName: { type: "string" },
    namespace: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: "string", nullable: true },
    deletionTimestamp: { type: "string" },
    deletionGracePeriodSeconds: { type: "integer" },
    labels: {
      type: "object",
      propertyNames: { maxLength: 316, pattern: qualifiedName },
      additionalProperties: { type: "string", maxLength: 63, pattern: labelValue },
    } as OpenApiSchema,
    annotations: {
      type: "object",
      propertyNames: { maxLength: 316, pattern: qualifiedName },
      additionalProperties: { type: "string" },
    } as OpenApiSchema,
    ownerReferences: {
      type: "array",
      items: {
        type: "object",
        required: ["apiVersion", "kind", "name", "uid"],
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          name: { type: "string" },
          uid: { type: "string" },
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
      },
    },
    finalizers: { type: "array", items: { type: "string" } },
    managedFields: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
    selfLink: { type: "string" },
  },
};
