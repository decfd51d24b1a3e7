// Whether a running instance would join the cluster, checked in the order a real boot fails: the image must exist,
// the instance must have an instance profile whose role the cluster admits (else the kubelet has no credentials,
// or the API server answers it 401), the user data must be in the image's format, name this cluster and give the
// kubelet labels it accepts. A failure is a sentence saying why — what in real life only the instance's console
// output and the authenticator's log would tell.
import type { Cloud } from "../cloud/index.ts";
import { CloudError, imageFamily } from "../cloud/index.ts";
import type { Instance } from "../cloud/instance.ts";
import { type NodeBootstrap, UserDataError } from "./kubelet-settings.ts";
import { readUserData } from "./user-data.ts";

export type BootCheck = { joins: true; bootstrap: NodeBootstrap } | { joins: false; reason: string };

/** The format each family's boot agent reads. */
const FORMAT = { al2023: "nodeadm", al2: "bootstrap.sh", bottlerocket: "bottlerocket" } as const;

// The kubelet refuses --node-labels in the kubernetes.io and k8s.io namespaces but these (kubelet's
// KubeletLabels, KubeletLabelNamespaces); Karpenter drops them before writing the user data (RejectForbiddenLabels).
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
  "kubernetes.io/os",
  "kubernetes.io/arch",
]);

function forbiddenLabel(key: string): boolean {
  const prefix = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
  const restricted = ["kubernetes.io", "k8s.io"].some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
  if (!restricted || KUBELET_LABELS.has(key)) return false;
  return !["kubelet.kubernetes.io", "node.kubernetes.io"].some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
}

function failure(reason: string): BootCheck {
  return { joins: false, reason };
}

export function checkBoot(cloud: Cloud, instance: Instance): BootCheck {
  let imageName: string;
  try {
    imageName = cloud.image(instance.imageId).name;
  } catch (error) {
    if (error instanceof CloudError) return failure(`image ${instance.imageId} does not exist`);
    throw error;
  }
  const family = imageFamily(imageName);
  if (instance.instanceProfile === undefined) {
    return failure("no instance profile: the kubelet has no AWS credentials to authenticate to the cluster with");
  }
  const profile = cloud.iam.findInstanceProfile(instance.instanceProfile);
  if (!profile) return failure(`instance profile ${instance.instanceProfile} does not exist`);
  const [role] = profile.roles;
  if (role === undefined) return failure(`instance profile ${profile.name} has no role`);
  if (!cloud.scenario.admittedRoles.includes(role)) {
    return failure(
      `role ${role} (instance profile ${profile.name}) is not admitted by cluster ${cloud.scenario.clusterName} (no access entry): the API server answers the kubelet 401 Unauthorized`,
    );
  }
  if (instance.userData === undefined || instance.userData === "") {
    return failure("no user data: nothing tells the node which cluster to join");
  }
  if (family?.family === "windows")
    return failure(`Windows images (${imageName}) do not boot into nodes in this world`);
  let bootstrap: NodeBootstrap;
  try {
    bootstrap = readUserData(instance.userData);
  } catch (error) {
    if (error instanceof UserDataError) return failure(`user data: ${error.message}`);
    throw error;
  }
  if (family && FORMAT[family.family] !== bootstrap.format) {
    return failure(
      `image ${imageName} is ${family.family}, whose boot reads ${FORMAT[family.family]} user data, but the user data is ${bootstrap.format}`,
    );
  }
  const cluster = cloud.scenario.clusterName;
  if (bootstrap.clusterName !== cluster) {
    return failure(
      `user data names cluster ${JSON.stringify(bootstrap.clusterName ?? "")}, not ${JSON.stringify(cluster)}`,
    );
  }
  if (bootstrap.apiServerEndpoint === undefined || bootstrap.certificateAuthority === undefined) {
    return failure(
      "user data gives no API server endpoint or certificate authority: the kubelet cannot reach the cluster",
    );
  }
  const forbidden = Object.keys(bootstrap.labels).filter(forbiddenLabel).sort();
  if (forbidden.length > 0) {
    return failure(
      `kubelet: failed to validate kubelet flags: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${forbidden.join(" ")}]`,
    );
  }
  return { joins: true, bootstrap };
}
