// Every built-in rule, by family. The order is the order of docs/policies.md. Each judges within the bounds of
// object-bounds.ts: an object past them only by the schema family, and at most a bounded number of findings each.
import { memoizedByFields } from "../memoized-rule.ts";
import { judgedWithinBounds } from "../object-bounds.ts";
import type { AnyRule } from "../rule.ts";
import { apiRules } from "./api-version.ts";
import { schemaRules } from "./schema.ts";
import { limitsRules } from "./limits.ts";
import { imdsRules } from "./imds.ts";
import { taintRules } from "./taints.ts";
import { budgetRules } from "./budgets.ts";
import { disruptionRules } from "./disruption.ts";
import { instanceTypeRules } from "./instance-types.ts";
import { storageRules } from "./storage.ts";
import { tagRules } from "./tags.ts";
import { amiRules } from "./ami.ts";
import { selectorsRules } from "./selectors.ts";
import { userdataRules } from "./userdata.ts";
import { referencesRules } from "./references.ts";
import { changeImpactRules } from "./change-impact.ts";

/** The rules as written: what the test of their declared reads runs. */
export const ruleDefinitions: readonly AnyRule[] = [
  ...apiRules,
  ...schemaRules,
  ...limitsRules,
  ...imdsRules,
  ...taintRules,
  ...budgetRules,
  ...disruptionRules,
  ...instanceTypeRules,
  ...storageRules,
  ...tagRules,
  ...amiRules,
  ...selectorsRules,
  ...userdataRules,
  ...referencesRules,
  ...changeImpactRules,
];

// Answers kept by the fields a rule reads inside the bounds: the bounds' check reads other fields of the object.
export const builtinRules: readonly AnyRule[] = ruleDefinitions.map(memoizedByFields).map(judgedWithinBounds);

export function ruleById(id: string): AnyRule | undefined {
  return builtinRules.find((r) => r.id === id);
}
