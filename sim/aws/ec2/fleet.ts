// CreateFleet of type `instant`, as Karpenter launches: one or more launch templates, each with overrides (instance
// type × subnet or zone, optionally image and priority); the fleet tries the valid overrides in the order of its
// allocation strategy and launches the whole target capacity in the first; overrides that cannot launch are
// reported per override in `errorSet` beside the instances of the others, as EC2 reports them. `ClientToken`
// makes it idempotent: the same token replays the first answer, the same token with other parameters is
// IdempotentParameterMismatch. The allocation strategy orders the valid overrides (./allocation.ts); a pool out of
// capacity or past the account's vCPU limit is reported in `errorSet` and the fleet goes on to the next, as an
// instant fleet does.
import type { Cloud, Placement } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { CapacityType } from "../../world/cloud/instance.ts";
import { mergeTags } from "../../world/cloud/tags.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { type AllocationStrategy, allocationOrder, allocationStrategy } from "./allocation.ts";
import { fingerprint } from "./instances.ts";
import { blockDevicesOf, templateOf } from "./launch-templates.ts";
import { integer, required, structure, structures, taggedFor, text } from "./params.ts";

interface Candidate {
  order: number;
  priority: number;
  placement: Placement;
  described: Record<string, XmlValue>;
}

export function createFleet(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const type = text(params, "Type") ?? "maintain";
  if (type !== "instant") {
    throw new CloudError("Unsupported", `The simulated EC2 serves CreateFleet of Type instant only, not ${type}.`);
  }
  const target = structure(params, "TargetCapacitySpecification");
  if (!target)
    throw new CloudError("MissingParameter", "The request must contain the parameter TargetCapacitySpecification");
  const total = integer(target, "TotalTargetCapacity", 1, 100_000);
  if (total === undefined) {
    throw new CloudError(
      "MissingParameter",
      "The request must contain the parameter TargetCapacitySpecification.TotalTargetCapacity",
    );
  }
  const capacityType = (text(target, "DefaultTargetCapacityType") ?? "on-demand") as CapacityType;
  if (capacityType !== "on-demand" && capacityType !== "spot") {
    throw new CloudError(
      "InvalidParameterValue",
      `Value (${String(capacityType)}) for parameter DefaultTargetCapacityType is invalid.`,
    );
  }
  const options = structure(params, capacityType === "spot" ? "SpotOptions" : "OnDemandOptions");
  const strategy: AllocationStrategy = allocationStrategy(
    capacityType,
    (options && text(options, "AllocationStrategy")) ?? "lowest-price",
  );
  const clientToken = text(params, "ClientToken");

  return cloud.idempotent(clientToken, fingerprint(params), () => {
    const configs = structures(params, "LaunchTemplateConfigs");
    if (configs.length === 0)
      throw new CloudError("MissingParameter", "The request must contain the parameter LaunchTemplateConfigs");
    const errors: XmlValue[] = [];
    const candidates: Candidate[] = [];
    for (const config of configs) {
      const ref = structure(config, "LaunchTemplateSpecification");
      if (!ref)
        throw new CloudError(
          "MissingParameter",
          "The request must contain the parameter LaunchTemplateConfigs.N.LaunchTemplateSpecification",
        );
      const template = templateOf(cloud, ref);
      const overrides = structures(config, "Overrides");
      for (const override of overrides.length > 0 ? overrides : [{}]) {
        const zone = text(override, "AvailabilityZone");
        const subnetId =
          text(override, "SubnetId") ??
          (zone === undefined ? undefined : cloud.scenario.subnets.find((s) => s.zone === zone)?.id) ??
          cloud.defaultSubnet().id;
        const instanceType = text(override, "InstanceType") ?? template.spec.instanceType ?? "";
        const described: Record<string, XmlValue> = {
          launchTemplateSpecification: {
            launchTemplateId: template.id,
            launchTemplateName: template.name,
            version: text(ref, "Version") ?? String(template.version),
          },
          overrides: {
            instanceType,
            subnetId: text(override, "SubnetId"),
            availabilityZone: zone,
            imageId: text(override, "ImageId"),
            priority: text(override, "Priority"),
          },
        };
        const placement: Placement = {
          instanceType,
          subnetId,
          imageId: text(override, "ImageId") ?? template.spec.imageId ?? required(override, "ImageId"),
          capacityType,
          securityGroupIds: template.spec.securityGroupIds ?? [],
          userData: template.spec.userData,
          instanceProfile: template.spec.instanceProfile,
          tags: mergeTags(template.spec.instanceTags, taggedFor(params, "instance")),
          clientToken,
          blockDevices: blockDevicesOf(template.spec),
        };
        try {
          cloud.checkPlacement(placement);
          candidates.push({
            order: candidates.length,
            priority: Number(text(override, "Priority") ?? Number.MAX_SAFE_INTEGER),
            placement,
            described,
          });
        } catch (error) {
          if (!(error instanceof CloudError)) throw error;
          errors.push({
            launchTemplateAndOverrides: described,
            lifecycle: capacityType,
            errorCode: error.code,
            errorMessage: error.message,
          });
        }
      }
    }
    const instances: XmlValue[] = [];
    for (const candidate of allocationOrder(cloud, strategy, candidates)) {
      try {
        const launched = cloud.launch(candidate.placement, total);
        instances.push({
          launchTemplateAndOverrides: candidate.described,
          lifecycle: capacityType,
          instanceIds: launched.map((i) => i.id),
          instanceType: candidate.placement.instanceType,
        });
        break;
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        errors.push({
          launchTemplateAndOverrides: candidate.described,
          lifecycle: capacityType,
          errorCode: error.code,
          errorMessage: error.message,
        });
      }
    }
    return {
      fleetId: cloud.ids.uuid("fleet"),
      errorSet: errors.length > 0 ? errors : undefined,
      fleetInstanceSet: instances.length > 0 ? instances : undefined,
    };
  });
}
