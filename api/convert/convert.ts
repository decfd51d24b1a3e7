// Picks the converter for an object's apiVersion and kind. Anything that is not a Karpenter NodePool or
// EC2NodeClass shape (other kinds, NodeClaims, non-objects) comes back as an unchanged copy without notes.
import { convertAWSNodeTemplate } from "./awsnodetemplate.ts";
import { convertEC2NodeClass } from "./ec2nodeclass.ts";
import type { InternalResult } from "./internal-result.ts";
import { convertNodePool } from "./nodepool.ts";
import { convertProvisioner } from "./provisioner.ts";
import { isRecord } from "./record.ts";
import type { ConversionResult } from "./types.ts";

/** The conversion with the bundle step's extra data (kubelet settings waiting for their EC2NodeClass). */
export function convertInternal(input: unknown): InternalResult {
  if (!isRecord(input)) return { object: structuredClone(input), notes: [] };
  const apiVersion = input["apiVersion"];
  const kind = input["kind"];
  if (kind === "NodePool" && apiVersion === "karpenter.sh/v1beta1") return convertNodePool(input, true);
  if (kind === "NodePool" && apiVersion === "karpenter.sh/v1") return convertNodePool(input, false);
  if (kind === "Provisioner" && apiVersion === "karpenter.sh/v1alpha5") return convertProvisioner(input);
  if (kind === "EC2NodeClass" && apiVersion === "karpenter.k8s.aws/v1beta1") return convertEC2NodeClass(input, true);
  if (kind === "EC2NodeClass" && apiVersion === "karpenter.k8s.aws/v1") return convertEC2NodeClass(input, false);
  if (kind === "AWSNodeTemplate" && apiVersion === "karpenter.k8s.aws/v1alpha1") return convertAWSNodeTemplate(input);
  return { object: structuredClone(input), notes: [] };
}

/**
 * Converts one object to the Karpenter v1 API. The input is never changed. Kubelet settings on a NodePool cannot
 * be placed without the EC2NodeClass, so they are reported as unconvertible here (see convertBundleToV1).
 */
export function convertToV1(input: unknown): ConversionResult {
  const { object, notes } = convertInternal(input);
  return { object, notes };
}

/**
 * The kinds Karpenter removed before v1beta1 (a v1alpha5 Provisioner, a v1alpha1 AWSNodeTemplate): converted to a
 * NodePool or EC2NodeClass like a v1beta1 object, so they are judged and `fix` rewrites them.
 */
export function isLegacyKarpenterKind(apiVersion: unknown, kind: unknown): boolean {
  return (
    (apiVersion === "karpenter.sh/v1alpha5" && kind === "Provisioner") ||
    (apiVersion === "karpenter.k8s.aws/v1alpha1" && kind === "AWSNodeTemplate")
  );
}

/** True when convertToV1 would change the object (every change comes with a note). */
export function needsConversion(input: unknown): boolean {
  return convertInternal(input).notes.length > 0;
}
