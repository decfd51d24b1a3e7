// What one object's conversion hands to the bundle step besides the public result.
import type { ConversionNote } from "./types.ts";
import type { JsonRecord } from "./record.ts";

/** The EC2NodeClass a NodePool points at, once its nodeClassRef is in v1 shape. */
export interface NodeClassTarget {
  group: string;
  kind: string;
  name: string;
}

/** Kubelet settings taken out of a NodePool that belong on its EC2NodeClass in v1. */
export interface PendingKubelet {
  poolName: string;
  /** Already reduced to the fields the v1 EC2NodeClass kubelet accepts. */
  kubelet: JsonRecord;
  /** Where the settings were in the original NodePool. */
  sourcePath: string;
  target: NodeClassTarget | undefined;
  /** The per-object "unconvertible" note; the bundle step replaces it when it can place the settings. */
  note: ConversionNote;
}

export interface InternalResult {
  object: unknown;
  notes: ConversionNote[];
  kubelet?: PendingKubelet;
}
