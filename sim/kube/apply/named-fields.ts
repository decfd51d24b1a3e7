// Set.EnsureNamedFieldsAreMembers (structured-merge-diff fieldpath/set.go): a declared struct field that only
// has paths below it becomes a member too, so removing the set removes the field itself. Used when pruning what
// an applier stopped applying.
import type { KubeSchema } from "../store/schema.ts";
import { FieldSet } from "./field-set.ts";
import { schemaType } from "./type-node.ts";

export function ensureNamedFieldsAreMembers(set: FieldSet, schema: KubeSchema | undefined): FieldSet {
  const type = schemaType(schema);
  const out = new FieldSet();
  for (const pe of set.members()) out.insertMember(pe);
  for (const { pe, set: child } of set.children()) {
    let childSchema: KubeSchema | undefined;
    if ("field" in pe && type?.kind === "map") {
      childSchema = type.childSchema(pe.field);
      if (type.declares(pe.field)) out.insertMember(pe);
    } else if ("key" in pe && type?.kind === "list") {
      childSchema = type.items;
    }
    out.setChild(pe, ensureNamedFieldsAreMembers(child, childSchema));
  }
  return out;
}
