// v1 lowered the default IMDS httpPutResponseHopLimit from 2 to 1, which cuts pods that are not on the host
// network off from instance metadata. A legacy manifest without the field ran with 2; Karpenter's webhook kept the
// stored (defaulted) value, so the conversion writes 2 explicitly to keep behaviour the same.
import { childRecord, has, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";

const LEGACY_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpProtocolIPv6: "disabled",
  httpPutResponseHopLimit: 2,
  httpTokens: "required",
};

const WHY =
  "because v1 lowered the default from 2 to 1, which blocks instance-metadata access from pods without host networking; delete it to adopt the v1 default";

export function keepLegacyHopLimit(spec: JsonRecord, notes: ConversionNote[]): void {
  if (!has(spec, "metadataOptions")) {
    spec["metadataOptions"] = { ...LEGACY_METADATA_OPTIONS };
    notes.push({
      path: "spec.metadataOptions",
      kind: "defaulted",
      message: `Set metadataOptions to the old defaults (httpPutResponseHopLimit 2, httpTokens required) ${WHY}.`,
    });
    return;
  }
  const options = childRecord(spec, "metadataOptions");
  if (options && !has(options, "httpPutResponseHopLimit")) {
    options["httpPutResponseHopLimit"] = 2;
    notes.push({
      path: "spec.metadataOptions.httpPutResponseHopLimit",
      kind: "defaulted",
      message: `Set httpPutResponseHopLimit to 2, the old default, ${WHY}.`,
    });
  }
}
