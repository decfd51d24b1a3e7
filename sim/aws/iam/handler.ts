// IAM's Query protocol as @aws-sdk/client-iam v3 and awscli send it: a form-encoded POST (`Action=…&Version=
// 2010-05-08&…`, lists as `Tags.member.1.Key`), XML out — `<ActionResponse>` with `<ActionResult>` and
// `<ResponseMetadata><RequestId>`, lists as `<member>`s — or `<ErrorResponse><Error><Type>Sender</Type><Code>…`
// with IAM's HTTP status (404 NoSuchEntity, 409 EntityAlreadyExists / LimitExceeded / DeleteConflict, 400
// ValidationError). The instance-profile calls Karpenter makes (aws pkg/providers/instanceprofile) and GetRole.
import type { Cloud } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import { type IamRole, type InstanceProfile, validation } from "../../world/cloud/iam.ts";
import type { Tag } from "../../world/cloud/tags.ts";
import { parseQuery, type QueryObject, QueryParseError } from "../query-params.ts";
import { escapeXml, writeElement, type XmlValue } from "../xml.ts";

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

/** The trust policy of a node role (EC2 may assume it), URL-encoded as IAM returns policy documents. */
const EC2_TRUST_POLICY = encodeURIComponent(
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
);

/** IAM's timestamps have no fraction: 2025-11-20T10:00:00Z. */
const iamDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function text(params: QueryObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new CloudError("MalformedInput", `Parameter ${name} must be a single value.`);
  return value;
}

function required(params: QueryObject, name: string): string {
  const value = text(params, name);
  if (value === undefined) {
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    throw validation(field, "null", "Member must not be null");
  }
  return value;
}

/** `Tags.member.N.Key/Value`, as the Query protocol flattens IAM's lists. */
function tags(params: QueryObject): Tag[] {
  const value = params.Tags;
  if (value === undefined) return [];
  const members = typeof value === "object" && !Array.isArray(value) ? value.member : undefined;
  if (!Array.isArray(members)) throw new CloudError("MalformedInput", "Tags must be a list (Tags.member.1.Key, …).");
  return members.map((member, index) => {
    const key = typeof member === "object" && !Array.isArray(member) ? member.Key : undefined;
    const tagValue = typeof member === "object" && !Array.isArray(member) ? member.Value : undefined;
    if (typeof key !== "string" || typeof tagValue !== "string") {
      throw validation(`tags.${index + 1}.member`, "null", "Member must have a Key and a Value");
    }
    return { key, value: tagValue };
  });
}

function roleXml(role: IamRole): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: iamDate(role.createdAt),
    AssumeRolePolicyDocument: EC2_TRUST_POLICY,
  };
}

function profileXml(cloud: Cloud, profile: InstanceProfile): Record<string, XmlValue> {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: iamDate(profile.createdAt),
    Roles: profile.roles.map((name) => roleXml(cloud.iam.role(name))),
    Tags: profile.tags.length > 0 ? profile.tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined,
  };
}

type Operation = (cloud: Cloud, params: QueryObject) => Record<string, XmlValue> | undefined;

export const IAM_OPERATIONS: Record<string, Operation> = {
  GetInstanceProfile: (cloud, params) => ({
    InstanceProfile: profileXml(cloud, cloud.iam.instanceProfile(required(params, "InstanceProfileName"))),
  }),
  CreateInstanceProfile: (cloud, params) => ({
    InstanceProfile: profileXml(
      cloud,
      cloud.iam.createInstanceProfile(required(params, "InstanceProfileName"), text(params, "Path"), tags(params)),
    ),
  }),
  AddRoleToInstanceProfile: (cloud, params) => {
    cloud.iam.addRoleToInstanceProfile(required(params, "InstanceProfileName"), required(params, "RoleName"));
    return undefined;
  },
  RemoveRoleFromInstanceProfile: (cloud, params) => {
    cloud.iam.removeRoleFromInstanceProfile(required(params, "InstanceProfileName"), required(params, "RoleName"));
    return undefined;
  },
  TagInstanceProfile: (cloud, params) => {
    cloud.iam.tagInstanceProfile(required(params, "InstanceProfileName"), tags(params));
    return undefined;
  },
  DeleteInstanceProfile: (cloud, params) => {
    cloud.iam.deleteInstanceProfile(required(params, "InstanceProfileName"));
    return undefined;
  },
  ListInstanceProfiles: (cloud, params) => {
    const maxItems = Number(text(params, "MaxItems") ?? "100");
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
      throw validation("maxItems", text(params, "MaxItems") ?? "", "Member must have value less than or equal to 1000");
    }
    const all = cloud.iam.instanceProfiles(text(params, "PathPrefix") ?? "/");
    // The marker is the name to continue from; profiles are listed in name order.
    const marker = text(params, "Marker");
    const rest = marker === undefined ? all : all.filter((p) => p.name >= marker);
    const page = rest.slice(0, maxItems);
    const next = rest[maxItems];
    return {
      InstanceProfiles: page.map((p) => profileXml(cloud, p)),
      IsTruncated: next !== undefined,
      Marker: next?.name,
    };
  },
  GetRole: (cloud, params) => ({ Role: roleXml(cloud.iam.role(required(params, "RoleName"))) }),
};

export interface IamAnswer {
  status: number;
  action: string;
  body: string;
}

function errorXml(error: CloudError, requestId: string): string {
  const type = error.status >= 500 ? "Receiver" : "Sender";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${IAM_NAMESPACE}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

export function handleIam(cloud: Cloud, body: string): IamAnswer {
  const requestId = cloud.ids.requestId();
  let action = "";
  try {
    let params: QueryObject;
    try {
      params = parseQuery(body);
    } catch (error) {
      if (error instanceof QueryParseError) throw new CloudError("MalformedInput", error.message);
      throw error;
    }
    const { Action, Version: _version, ...rest } = params;
    if (typeof Action !== "string" || Action === "") throw new CloudError("MissingAction", "Missing Action");
    action = Action;
    const operation = Object.hasOwn(IAM_OPERATIONS, action) ? IAM_OPERATIONS[action] : undefined;
    if (!operation) throw new CloudError("InvalidAction", `Could not find operation ${action} for version 2010-05-08`);
    const result = operation(cloud, rest);
    const out = [`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${IAM_NAMESPACE}">`];
    if (result !== undefined) writeElement(`${action}Result`, result, out, "member");
    writeElement("ResponseMetadata", { RequestId: requestId }, out);
    out.push(`</${action}Response>`);
    return { status: 200, action, body: out.join("") };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    return { status: error.status, action, body: errorXml(error, requestId) };
  }
}
