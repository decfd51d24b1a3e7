// A built-in kind from its declaration: the registry entry with the API server's ObjectMeta name checks
// (apimachinery's ValidateObjectMeta with the kind's name rule) before the kind's own validation.
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import type { KubeSchema } from "../store/schema.ts";
import type { InvalidCause } from "../store/status.ts";
import { kindSchema } from "./schema-builders.ts";

export interface BuiltInKind extends Omit<
  ResourceKind,
  "schema" | "custom" | "shortNames" | "categories" | "subresources" | "singular" | "validate"
> {
  singular?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly string[];
  /** The kind's top-level fields besides apiVersion, kind and metadata. */
  fields: Record<string, KubeSchema>;
  /** Names are DNS-1123 labels (namespaces, services) rather than subdomains. */
  nameIsLabel?: boolean;
  /** Names are any valid path segment (RBAC's ValidateRBACName: `system:discovery`). */
  nameIsPathSegment?: boolean;
  validate?: (object: KubeObject, old: KubeObject | undefined) => InvalidCause[];
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function builtIn(declaration: BuiltInKind): ResourceKind {
  const { fields, nameIsLabel, nameIsPathSegment, validate, ...rest } = declaration;
  return {
    ...rest,
    singular: declaration.singular ?? declaration.kind.toLowerCase(),
    shortNames: declaration.shortNames ?? [],
    categories: declaration.categories ?? [],
    subresources: declaration.subresources ?? [],
    schema: kindSchema(fields),
    custom: false,
    validate: (object, old) => {
      const name = String((object.metadata as Record<string, unknown>).name ?? "");
      const causes = nameIsPathSegment ? pathSegmentNameCauses(name) : nameCauses(name, nameIsLabel ?? false);
      if (validate) causes.push(...validate(object, old));
      return { causes };
    },
  };
}

/** ValidateNameFunc's messages (IsDNS1123Subdomain / IsDNS1123Label). */
export function nameCauses(name: string, label: boolean): InvalidCause[] {
  if (label) {
    if (name.length <= 63 && LABEL.test(name)) return [];
    return [
      {
        field: "metadata.name",
        type: "FieldValueInvalid",
        body: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      },
    ];
  }
  if (name.length <= 253 && SUBDOMAIN.test(name)) return [];
  return [
    {
      field: "metadata.name",
      type: "FieldValueInvalid",
      body: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    },
  ];
}

/** path.IsValidPathSegmentName's messages. */
export function pathSegmentNameCauses(name: string): InvalidCause[] {
  const problems: string[] = [];
  if (name === "." || name === "..") problems.push(`may not be '${name}'`);
  for (const illegal of ["/", "%"]) if (name.includes(illegal)) problems.push(`may not contain '${illegal}'`);
  return problems.map((problem) => ({
    field: "metadata.name",
    type: "FieldValueInvalid",
    body: `Invalid value: ${JSON.stringify(name)}: ${problem}`,
  }));
}
