// Instances that boot into Nodes only when launched right: the boot check (image, instance profile and admitted
// role, user data naming the cluster), the readers of Karpenter's user data formats (nodeadm NodeConfig in MIME,
// AL2 bootstrap.sh, Bottlerocket TOML), the Node the kubelet registers with its real allocatable, and the piece
// that runs it all on the world's clock.
export { type BootCheck, checkBoot } from "./boot-check.ts";
export { type KubeletSettings, type NodeBootstrap, type NodeTaint, UserDataError } from "./kubelet-settings.ts";
export { nodeObject, privateDnsName } from "./node-object.ts";
export { eniLimitedPods, type NodeResources, nodeResources, vmMemoryOverhead } from "./node-resources.ts";
export {
  type BootEvent,
  type BootOutcome,
  NodeRegistration,
  type NodeRegistrationOptions,
} from "./node-registration.ts";
export { readUserData } from "./user-data.ts";
