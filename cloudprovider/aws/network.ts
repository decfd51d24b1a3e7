/**
 * The subnets and security groups an EC2NodeClass selects (aws:pkg/providers/subnet/subnet.go `List`,
 * `ZonalSubnetsForLaunch`; aws:pkg/providers/securitygroup/securitygroup.go `List`): one Describe per selector
 * term, deduplicated by id, and for a launch the subnet with the most free addresses in each zone.
 */
import type { Ec2Port, EC2NodeClass, SecurityGroup, Subnet } from "../../api/index.ts";
import { NodeClassNotReadyError } from "../errors.ts";
import { termQuery } from "./selector-filters.ts";

function byId<T extends { id: string }>(lists: readonly T[][]): T[] {
  const seen = new Map<string, T>();
  for (const item of lists.flat()) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export async function resolveSubnets(ec2: Ec2Port, nodeClass: EC2NodeClass): Promise<Subnet[]> {
  const terms = nodeClass.spec?.subnetSelectorTerms ?? [];
  const subnets = byId(await Promise.all(terms.map((term) => ec2.describeSubnets(termQuery(term)))));
  if (subnets.length === 0) {
    throw new NodeClassNotReadyError(
      `EC2NodeClass "${nodeClass.metadata.name ?? ""}": spec.subnetSelectorTerms select no subnet`,
    );
  }
  return subnets;
}

export async function resolveSecurityGroups(ec2: Ec2Port, nodeClass: EC2NodeClass): Promise<SecurityGroup[]> {
  const terms = nodeClass.spec?.securityGroupSelectorTerms ?? [];
  const groups = byId(
    await Promise.all(terms.map((term) => ec2.describeSecurityGroups(termQuery(term, "group-name")))),
  );
  if (groups.length === 0) {
    throw new NodeClassNotReadyError(
      `EC2NodeClass "${nodeClass.metadata.name ?? ""}": spec.securityGroupSelectorTerms select no security group`,
    );
  }
  return groups;
}

/** Per zone, the subnet with the most available addresses (ties: the lowest id). */
export function zonalSubnets(subnets: readonly Subnet[]): Map<string, Subnet> {
  const zonal = new Map<string, Subnet>();
  for (const subnet of subnets) {
    const best = zonal.get(subnet.zone);
    if (best === undefined || subnet.availableIpAddressCount > best.availableIpAddressCount) {
      zonal.set(subnet.zone, subnet);
    }
  }
  return zonal;
}
