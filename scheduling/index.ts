// Kubernetes scheduling vocabulary (Karpenter's pkg/scheduling): requirements and requirement sets, label selectors,
// taints and tolerations, resource lists. Pure.
export {
  type AllowedValues,
  matchesAll,
  type NodeSelectorRequirement,
  normalizedLabelValue,
  normalizeRequirementKey,
  RequirementSet,
  validateLabelValue,
} from "./requirements.ts";
export { labelSelector, type LabelSelector } from "./label-selector.ts";
export {
  addResources,
  fits,
  formatResourceList,
  insufficientResources,
  maxResources,
  parseResourceList,
  subtractResources,
  type ResourceList,
  toRawResourceList,
} from "./resources.ts";
export {
  DISRUPTED_NO_SCHEDULE_TAINT,
  duplicateTaints,
  formatTaint,
  type Taint,
  type TaintInput,
  type Toleration,
  untoleratedTaints,
  UNREGISTERED_NO_EXECUTE_TAINT,
} from "./taints.ts";
