// Kubernetes scheduling vocabulary (Karpenter's pkg/scheduling): requirements and requirement sets, taints and
// tolerations, resource lists. Pure.
export {
  type AllowedValues,
  type NodeSelectorRequirement,
  normalizeRequirementKey,
  RequirementSet,
  validateLabelValue,
} from "./requirements.ts";
export { addResources, fits, parseResourceList, type ResourceList, toRawResourceList } from "./resources.ts";
export {
  DISRUPTED_NO_SCHEDULE_TAINT,
  duplicateTaints,
  type TaintInput,
  UNREGISTERED_NO_EXECUTE_TAINT,
} from "./taints.ts";
