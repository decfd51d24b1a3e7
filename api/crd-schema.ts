/** The subset of OpenAPI v3 (with Kubernetes extensions) that CRD structural schemas use. */
export interface OpenApiSchema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  anyOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-validations"?: ValidationRule[];
}

/** One `x-kubernetes-validations` entry: a CEL rule the API server runs where it is attached. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** One served (group, version, kind) of a CRD with its structural schema. */
export interface CrdSchema {
  file: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: string;
  schema: OpenApiSchema;
}

/** A served CRD version's key, `group/version/kind` (the generated validators are looked up by it). */
export function crdVersionKey(crd: Pick<CrdSchema, "group" | "version" | "kind">): string {
  return `${crd.group}/${crd.version}/${crd.kind}`;
}
