// The v1alpha5-era tag-map selectors (subnetSelector, securityGroupSelector, amiSelector), still common in guides,
// → v1 selector terms. Mapping follows Karpenter's own AWSNodeTemplate → EC2NodeClass conversion (v0.32
// pkg/utils/nodeclass) and the v1beta1 migration guide:
// - "aws-ids" / "aws::ids" (comma-separated) → one {id} term per ID;
// - amiSelector "aws::name" / "aws::owners" (comma-separated) → name / owner, one term per combination;
// - any other key → tags. A value of "*" meant "the tag key exists", and "*" in v1 tags means the same ("selects
//   all values for a given tag key"), so it is kept. Subnet and security-group tag values were split on commas and
//   matched any of them (EC2 filter values), so they become one term per value; AMI tag values were not split.
import { has, isRecord, removeKey, replaceKey, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";

interface SelectorKind {
  legacyKey: string;
  termsKey: string;
  /** What the terms select, for messages. */
  noun: string;
  ami: boolean;
}

const SELECTORS: readonly SelectorKind[] = [
  { legacyKey: "subnetSelector", termsKey: "subnetSelectorTerms", noun: "subnet", ami: false },
  { legacyKey: "securityGroupSelector", termsKey: "securityGroupSelectorTerms", noun: "security group", ami: false },
  { legacyKey: "amiSelector", termsKey: "amiSelectorTerms", noun: "AMI", ami: true },
];

const ID_KEYS = ["aws-ids", "aws::ids"];
const NAME_KEY = "aws::name";
const OWNERS_KEY = "aws::owners";
/** The v1 CRDs' maxItems for every selector-terms list. */
const MAX_TERMS = 30;

/**
 * Replaces every legacy selector in an EC2NodeClass-like spec with v1 terms, in place. Returns the legacy keys that
 * could not be converted, so later steps do not fill their place with a guess (e.g. an AMI alias).
 */
export function convertLegacySelectors(spec: JsonRecord, notes: ConversionNote[]): Set<string> {
  const failed = new Set<string>();
  for (const kind of SELECTORS) {
    if (!convertSelector(spec, kind, notes)) failed.add(kind.legacyKey);
  }
  return failed;
}

function splitList(value: unknown): string[] {
  return String(value)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

interface ParsedSelector {
  idKey: string | undefined;
  ids: string[];
  names: string[];
  owners: string[];
  /** Each tag key with the values it may take (one value unless split on commas). */
  tags: [string, string[]][];
}

function parseSelector(selector: JsonRecord, kind: SelectorKind): ParsedSelector {
  const parsed: ParsedSelector = { idKey: undefined, ids: [], names: [], owners: [], tags: [] };
  for (const [key, value] of Object.entries(selector)) {
    if (ID_KEYS.includes(key)) {
      parsed.idKey = key;
      parsed.ids.push(...splitList(value));
    } else if (kind.ami && key === NAME_KEY) {
      parsed.names = splitList(value);
    } else if (kind.ami && key === OWNERS_KEY) {
      parsed.owners = splitList(value);
    } else {
      const text = String(value);
      parsed.tags.push([key, kind.ami || !text.includes(",") ? [text] : splitList(text)]);
    }
  }
  return parsed;
}

/** Every combination of one value per tag key (the old selector ANDed keys and ORed a key's values). */
function tagCombinations(tags: [string, string[]][]): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of tags) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  return combos;
}

function buildTerms(parsed: ParsedSelector): JsonRecord[] {
  if (parsed.ids.length > 0) return parsed.ids.map((id) => ({ id }));
  const names = parsed.names.length > 0 ? parsed.names : [undefined];
  const owners = parsed.owners.length > 0 ? parsed.owners : [undefined];
  const tagSets = parsed.tags.length > 0 ? tagCombinations(parsed.tags) : [undefined];
  const terms: JsonRecord[] = [];
  for (const owner of owners) {
    for (const name of names) {
      for (const tags of tagSets) {
        terms.push({
          ...(name === undefined ? {} : { name }),
          ...(owner === undefined ? {} : { owner }),
          ...(tags === undefined ? {} : { tags }),
        });
      }
    }
  }
  return terms;
}

function describe(parsed: ParsedSelector, kind: SelectorKind): string {
  const parts: string[] = [];
  if (parsed.ids.length > 0) parts.push(`"${parsed.idKey}" became one id term per ${kind.noun} ID`);
  if (parsed.names.length > 0) parts.push(`"${NAME_KEY}" became name`);
  if (parsed.owners.length > 0) parts.push(`"${OWNERS_KEY}" became owner`);
  if (parsed.ids.length === 0 && parsed.tags.length > 0) {
    parts.push(`tag keys ${parsed.tags.map(([k]) => `"${k}"`).join(", ")} became tags`);
    const split = parsed.tags.filter(([, values]) => values.length > 1).map(([k]) => `"${k}"`);
    if (split.length > 0) {
      parts.push(
        `the comma-separated values of ${split.join(", ")} became separate terms (the old selector matched any of them)`,
      );
    }
    const stars = parsed.tags.filter(([, values]) => values.includes("*")).map(([k]) => `"${k}"`);
    if (stars.length > 0) parts.push(`"*" on ${stars.join(", ")} still means any value of that tag key`);
  }
  if (parsed.names.length * parsed.owners.length > 1) parts.push("every name/owner combination became its own term");
  return parts.join("; ");
}

function selectsSomething(term: JsonRecord, kind: SelectorKind): boolean {
  return has(term, "id") || has(term, "tags") || (kind.ami && has(term, "name"));
}

/** False when a legacy selector was present but could not be turned into terms. */
function convertSelector(spec: JsonRecord, kind: SelectorKind, notes: ConversionNote[]): boolean {
  if (!has(spec, kind.legacyKey)) return true;
  const selector = spec[kind.legacyKey];
  const path = `spec.${kind.legacyKey}`;
  if (has(spec, kind.termsKey)) {
    removeKey(spec, kind.legacyKey);
    notes.push({
      path,
      kind: "dropped",
      message: `Removed the legacy ${kind.legacyKey} because ${kind.termsKey} is also set and is the only ${kind.noun} selector v1 reads.`,
    });
    return true;
  }
  if (!isRecord(selector) || Object.keys(selector).length === 0) {
    removeKey(spec, kind.legacyKey);
    notes.push({
      path,
      kind: "unconvertible",
      message: `Removed ${kind.legacyKey} ${show(selector)} because it has no keys to turn into terms: set ${kind.termsKey} to the ${kind.noun}s to use.`,
    });
    return false;
  }
  const parsed = parseSelector(selector, kind);
  const terms = buildTerms(parsed);
  if (terms.length > MAX_TERMS || !terms.every((t) => selectsSomething(t, kind))) {
    const why =
      terms.length > MAX_TERMS
        ? `it expands to ${terms.length} terms and v1 allows at most ${MAX_TERMS}`
        : `a term would have no id, tags${kind.ami ? " or name" : ""}, which v1 rejects`;
    removeKey(spec, kind.legacyKey);
    notes.push({
      path,
      kind: "unconvertible",
      message: `Removed ${kind.legacyKey} ${show(selector)} because ${why}: write ${kind.termsKey} by hand.`,
    });
    return false;
  }
  replaceKey(spec, kind.legacyKey, kind.termsKey, terms);
  notes.push({
    path,
    kind: "converted",
    to: `spec.${kind.termsKey}`,
    message: `Replaced the legacy tag-map ${kind.legacyKey} with ${kind.termsKey} because v1 only accepts selector terms: ${describe(parsed, kind)}.`,
  });
  const extra = parsed.ids.length > 0 ? Object.keys(selector).filter((k) => !ID_KEYS.includes(k)) : [];
  if (extra.length > 0) {
    notes.push({
      path,
      kind: "dropped",
      message: `Dropped ${extra.map((k) => `"${k}"`).join(", ")} from ${kind.legacyKey} because a v1 id term cannot be combined with other fields, so only the listed IDs select ${kind.noun}s now: check they still match those filters.`,
    });
  }
  return true;
}
