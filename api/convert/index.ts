// Conversion of older Karpenter manifest shapes (v1alpha5 Provisioner, v1alpha1 AWSNodeTemplate, v1beta1
// NodePool/EC2NodeClass, and v1 objects with leftovers of those) to the Karpenter v1 API, with a note per change.
export { convertBundleToV1 } from "./bundle.ts";
export { convertToV1, isLegacyKarpenterKind, needsConversion } from "./convert.ts";
export { NOTE_KINDS } from "./types.ts";
export type { ConversionNote, ConversionResult, NoteKind } from "./types.ts";
