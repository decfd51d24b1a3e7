/**
 * The Events the NodeClaim lifecycle records, on the NodeClaim (Karpenter's core:pkg/controllers/nodeclaim/
 * lifecycle/events.go and the provisioner's): reasons as Karpenter names them where it has one.
 */
import type { EventRecord, NodeClaim, ObjectReference } from "../../api/index.ts";

export function nodeClaimReference(nodeClaim: NodeClaim): ObjectReference {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    name: nodeClaim.metadata.name ?? "",
    ...(nodeClaim.metadata.uid === undefined ? {} : { uid: nodeClaim.metadata.uid }),
  };
}

export function launchedEvent(nodeClaim: NodeClaim, launch: string): EventRecord {
  return { involved: nodeClaimReference(nodeClaim), type: "Normal", reason: "Launched", message: `Launched ${launch}` };
}

export function insufficientCapacityEvent(nodeClaim: NodeClaim, message: string): EventRecord {
  return {
    involved: nodeClaimReference(nodeClaim),
    type: "Warning",
    reason: "InsufficientCapacity",
    message: `NodeClaim ${nodeClaim.metadata.name ?? ""} event: ${message}`,
  };
}

export function registeredEvent(nodeClaim: NodeClaim, nodeName: string): EventRecord {
  return {
    involved: nodeClaimReference(nodeClaim),
    type: "Normal",
    reason: "Registered",
    message: `Status condition transitioned, Type: Registered, Status: True, Node: ${nodeName}`,
  };
}

export function livenessEvent(nodeClaim: NodeClaim, message: string): EventRecord {
  return { involved: nodeClaimReference(nodeClaim), type: "Warning", reason: "LivenessTimeout", message };
}
