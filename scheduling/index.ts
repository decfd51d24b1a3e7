// Kubernetes scheduling vocabulary (Karpenter's pkg/scheduling): requirements and requirement sets, taints and
// tolerations, resource lists. Pure.
export * from "./requirements.ts";
export * from "./taints.ts";
export * from "./resources.ts";
