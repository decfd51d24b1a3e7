/**
 * Where a registered node's real memory goes (the AWS provider's discovered-capacity cache, aws:pkg/providers/
 * instancetype `UpdateInstanceTypeCapacityFromNode`): the cloud provider replaces its estimate for that instance
 * type under that node class, so the next NodeClaim is sized by what nodes of the type really have. Not part of
 * the CloudProvider interface (Karpenter's is not either); `cloudprovider/aws`'s provider satisfies this.
 */
import type { EC2NodeClass } from "../../api/index.ts";

export interface ObservedCapacitySink {
  recordObservedCapacity(instanceType: string, nodeClass: EC2NodeClass, memory: string): void;
}
