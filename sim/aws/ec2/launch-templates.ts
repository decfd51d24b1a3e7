// CreateLaunchTemplate, DescribeLaunchTemplates, DeleteLaunchTemplate and the launch-template references of
// RunInstances and CreateFleet (`LaunchTemplateId` or `LaunchTemplateName`, with `Version`). The world keeps a template's data as one version;
// versions beyond $Latest / $Default / 1 are refused as EC2 refuses a version that does not exist.
import type { Cloud, LaunchSpec, LaunchTemplate } from "../../world/cloud/cloud.ts";
import type { BlockDevice } from "../../world/cloud/instance.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import { mergeTags } from "../../world/cloud/tags.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, parseFilters } from "./filters.ts";
import { paginate } from "./pagination.ts";
import { boolean, required, strings, structure, structures, taggedFor, text } from "./params.ts";

/** The launch fields of RunInstances parameters or of a LaunchTemplateData structure (same member names). */
export function launchSpecOf(data: QueryObject): LaunchSpec {
  const spec: LaunchSpec = {};
  const profile = structure(data, "IamInstanceProfile");
  const groups = [...strings(data, "SecurityGroupId"), ...strings(data, "SecurityGroupIds")];
  const set = <K extends keyof LaunchSpec>(key: K, value: LaunchSpec[K] | undefined) => {
    if (value !== undefined) spec[key] = value;
  };
  set("imageId", text(data, "ImageId"));
  set("instanceType", text(data, "InstanceType"));
  set("userData", text(data, "UserData"));
  set("instanceProfile", profile ? (text(profile, "Arn") ?? text(profile, "Name")) : undefined);
  if (groups.length > 0) spec.securityGroupIds = groups;
  const instanceTags = mergeTags(
    taggedFor(data, "instance", "TagSpecification"),
    taggedFor(data, "instance", "TagSpecifications"),
  );
  if (instanceTags.length > 0) spec.instanceTags = instanceTags;
  const devices = [...structures(data, "BlockDeviceMapping"), ...structures(data, "BlockDeviceMappings")];
  if (devices.length > 0) {
    spec.blockDeviceMappings = devices.map((device) => ({
      deviceName: required(device, "DeviceName"),
      ebs: scalars(structure(device, "Ebs") ?? {}),
    }));
  }
  const metadata = structure(data, "MetadataOptions");
  if (metadata) spec.metadataOptions = scalars(metadata);
  const monitoring = structure(data, "Monitoring");
  const enabled = monitoring && boolean(monitoring, "Enabled");
  if (enabled !== undefined) spec.detailedMonitoring = enabled;
  return spec;
}

/** The volumes a launch spec gives an instance, with their sizes (mappings without a size keep the image's). */
export function blockDevicesOf(spec: LaunchSpec): BlockDevice[] | undefined {
  if (spec.blockDeviceMappings === undefined) return undefined;
  return spec.blockDeviceMappings.flatMap((m) => {
    const size = Number(m.ebs.VolumeSize);
    return Number.isInteger(size) && size > 0 ? [{ deviceName: m.deviceName, sizeGiB: size }] : [];
  });
}

/** A structure of single values (`Ebs`, `MetadataOptions`), member by member (parseQuery refuses `__proto__`). */
function scalars(params: QueryObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const member of Object.keys(params)) {
    const value = text(params, member);
    if (value !== undefined) out[member] = value;
  }
  return out;
}

export function templateOf(cloud: Cloud, ref: QueryObject): LaunchTemplate {
  const id = text(ref, "LaunchTemplateId");
  const name = text(ref, "LaunchTemplateName");
  if (id === undefined && name === undefined) {
    throw new CloudError(
      "MissingParameter",
      "The request must contain the parameter LaunchTemplateId or LaunchTemplateName",
    );
  }
  const template = cloud.launchTemplate({ id, name });
  const version = text(ref, "Version");
  if (version !== undefined && !["$Latest", "$Default", String(template.version)].includes(version)) {
    throw new CloudError(
      "InvalidLaunchTemplateId.VersionNotFound",
      `Could not find launch template version ${version}.`,
    );
  }
  return template;
}

export function launchTemplateXml(template: LaunchTemplate, cloud: Cloud): Record<string, XmlValue> {
  return {
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    createTime: new Date(template.createdAt),
    createdBy: `arn:aws:iam::${cloud.scenario.accountId}:root`,
    defaultVersionNumber: template.version,
    latestVersionNumber: template.version,
    tagSet: template.tags.length > 0 ? template.tags.map((t) => ({ key: t.key, value: t.value })) : undefined,
  };
}

export function createLaunchTemplate(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const name = required(params, "LaunchTemplateName");
  const data = structure(params, "LaunchTemplateData");
  if (!data) throw new CloudError("MissingParameter", "The request must contain the parameter LaunchTemplateData");
  const template = cloud.createLaunchTemplate(name, launchSpecOf(data), taggedFor(params, "launch-template"));
  return { launchTemplate: launchTemplateXml(template, cloud) };
}

/**
 * DescribeLaunchTemplates (`LaunchTemplateId.N`, `LaunchTemplateName.N`, `Filter.N`): a name or id that does not
 * exist is EC2's NotFound for the whole call, as for the other Describe calls given ids.
 */
export function describeLaunchTemplates(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const ids = strings(params, "LaunchTemplateId");
  const names = strings(params, "LaunchTemplateName");
  let templates =
    ids.length > 0 || names.length > 0
      ? [...ids.map((id) => cloud.launchTemplate({ id })), ...names.map((name) => cloud.launchTemplate({ name }))]
      : cloud.launchTemplates();
  templates = applyFilters(
    templates,
    parseFilters(params),
    {
      "launch-template-name": (t) => [t.name],
      "create-time": (t) => [new Date(t.createdAt).toISOString()],
    },
    (t) => t.tags,
  );
  const page = paginate("DescribeLaunchTemplates", templates, params, { min: 1, max: 200 });
  return { launchTemplates: page.items.map((t) => launchTemplateXml(t, cloud)), nextToken: page.nextToken };
}

/** DeleteLaunchTemplate by `LaunchTemplateId` or `LaunchTemplateName`; answers with the deleted template. */
export function deleteLaunchTemplate(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const id = text(params, "LaunchTemplateId");
  const name = text(params, "LaunchTemplateName");
  if (id === undefined && name === undefined) {
    throw new CloudError(
      "MissingParameter",
      "The request must contain the parameter LaunchTemplateId or LaunchTemplateName",
    );
  }
  return { launchTemplate: launchTemplateXml(cloud.deleteLaunchTemplate({ id, name }), cloud) };
}
