// The AWS ports as a dry run sees them (`run --dry-run`: decide and report, change nothing in the cloud): reads go
// through; EC2's writes are refused with an error naming the call, so a decision that would act fails loudly rather
// than acting. The one write a decision needs to go through is the instance profile an EC2NodeClass's `spec.role`
// asks for (listing a class's instance types resolves it, as Karpenter's EC2NodeClass controller does): a missing
// profile is answered with the one that would be made, holding no role, and nothing is written.
import type { AwsPorts, Ec2Port, IamPort } from "../../api/index.ts";

export class DryRunRefusal extends Error {}

export function dryRunAwsPorts(ports: AwsPorts): AwsPorts {
  const ec2 = ports.ec2;
  const refuse = (call: string) => () =>
    Promise.reject(new DryRunRefusal(`dry run: EC2 ${call} refused (nothing in the cloud is changed)`));
  const readOnlyEc2: Ec2Port = {
    describeInstanceTypes: () => ec2.describeInstanceTypes(),
    describeInstanceTypeOfferings: () => ec2.describeInstanceTypeOfferings(),
    describeSpotPriceHistory: (input) => ec2.describeSpotPriceHistory(input),
    describeSubnets: (query) => ec2.describeSubnets(query),
    describeSecurityGroups: (query) => ec2.describeSecurityGroups(query),
    describeImages: (query) => ec2.describeImages(query),
    describeInstances: (query) => ec2.describeInstances(query),
    describeLaunchTemplates: (query) => ec2.describeLaunchTemplates(query),
    describeInstanceStatus: () => ec2.describeInstanceStatus(),
    createFleet: refuse("CreateFleet"),
    terminateInstances: refuse("TerminateInstances"),
    createTags: refuse("CreateTags"),
    createLaunchTemplate: refuse("CreateLaunchTemplate"),
    deleteLaunchTemplate: refuse("DeleteLaunchTemplate"),
  };
  const iam = ports.iam;
  const readOnlyIam: IamPort = {
    getInstanceProfile: (name) => iam.getInstanceProfile(name),
    createInstanceProfile: (input) =>
      Promise.resolve({ name: input.name, arn: "", path: input.path, roles: [], tags: input.tags }),
    addRoleToInstanceProfile: () => Promise.resolve(),
    removeRoleFromInstanceProfile: () => Promise.resolve(),
    tagInstanceProfile: () => Promise.resolve(),
    deleteInstanceProfile: () => Promise.resolve(),
  };
  return { ec2: readOnlyEc2, ssm: ports.ssm, iam: readOnlyIam };
}
