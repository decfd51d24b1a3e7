/**
 * The instance profile an EC2NodeClass's nodes run as (aws:pkg/providers/instanceprofile `Create`): given
 * `spec.instanceProfile`, that one; given `spec.role`, a profile Karpenter makes and owns, named after the
 * cluster and a hash of the region and EC2NodeClass, holding exactly that role.
 */
import { AwsApiError, NotFound, type EC2NodeClass, type IamPort } from "../../api/index.ts";
import { NodeClassNotReadyError } from "../errors.ts";
import { stableHash } from "./hash.ts";
import { clusterTagKey, TAG_NODE_CLASS } from "./tags.ts";

export function instanceProfileName(clusterName: string, region: string, nodeClassName: string): string {
  // IAM allows 128 characters; Karpenter's is `<cluster>_<hash>` too.
  return `${clusterName}_${stableHash(`${region}${nodeClassName}`).slice(0, 20)}`;
}

/** The profile's name, made and given the role when it is missing or holds another. */
export async function ensureInstanceProfile(
  iam: IamPort,
  cluster: { name: string; region: string },
  nodeClass: EC2NodeClass,
): Promise<string> {
  const spec = nodeClass.spec;
  if (spec?.instanceProfile !== undefined && spec.instanceProfile !== "") return spec.instanceProfile;
  const nodeClassName = nodeClass.metadata.name ?? "";
  const role = spec?.role;
  if (role === undefined || role === "") {
    throw new NodeClassNotReadyError(`EC2NodeClass "${nodeClassName}": spec.role or spec.instanceProfile is required`);
  }
  // A role given as an ARN is named by its last path segment.
  const roleName = role.slice(role.lastIndexOf("/") + 1);
  const name = instanceProfileName(cluster.name, cluster.region, nodeClassName);
  let profile;
  try {
    profile = await iam.getInstanceProfile(name);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    try {
      profile = await iam.createInstanceProfile({
        name,
        path: `/karpenter/${cluster.region}/${cluster.name}/${nodeClass.metadata.uid ?? nodeClassName}/`,
        tags: [
          { key: clusterTagKey(cluster.name), value: "owned" },
          { key: TAG_NODE_CLASS, value: nodeClassName },
          { key: "topology.kubernetes.io/region", value: cluster.region },
        ],
      });
    } catch (createError) {
      // Made meanwhile by another replica (Karpenter's Create ignores IsAlreadyExists too): use that one.
      if (!(createError instanceof AwsApiError && createError.code === "EntityAlreadyExists")) throw createError;
      profile = await iam.getInstanceProfile(name);
    }
  }
  if (profile.roles.includes(roleName)) return name;
  // A profile holds at most one role: the old one goes before the new one is added.
  for (const old of profile.roles) await iam.removeRoleFromInstanceProfile(name, old);
  await iam.addRoleToInstanceProfile(name, roleName);
  return name;
}
