// The public shapes of a conversion: what came out, and a note for every change made on the way.

/** How a field of the original manifest was treated. */
export type NoteKind = "moved" | "renamed" | "defaulted" | "converted" | "dropped" | "unconvertible";

export const NOTE_KINDS: readonly NoteKind[] = [
  "moved",
  "renamed",
  "defaulted",
  "converted",
  "dropped",
  "unconvertible",
];

export interface ConversionNote {
  /** Dotted path in the ORIGINAL object (for a field that was added: where it now sits), e.g. spec.disruption.expireAfter. */
  path: string;
  kind: NoteKind;
  /** One sentence saying what changed and why. */
  message: string;
  /**
   * Where the value now sits in the v1 object, when not at `path` (a moved or converted field, dotted): how a finding
   * on the value is traced back to the field it was written as.
   */
  to?: string;
}

export interface ConversionResult {
  /** The v1 object: a deep copy, the input is never changed. Non-Karpenter input comes back as an unchanged copy. */
  object: unknown;
  /** Empty when the input already had the v1 shape. */
  notes: ConversionNote[];
}
