// The EC2 Query endpoint: a form-encoded POST (`Action=…&Version=2016-11-15&…`) in, EC2's XML out — the
// operation's `<ActionResponse>` document, or EC2's error document with its code and HTTP 400. The SigV4
// Authorization header is accepted and not verified: any credentials work.
import type { Cloud } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import { parseQuery, type QueryObject, QueryParseError } from "../query-params.ts";
import { ec2ErrorResponse, ec2Response, type XmlValue } from "../xml.ts";
import { createFleet } from "./fleet.ts";
import { describeInstanceStatus } from "./instance-status.ts";
import { describeInstanceTypeOfferings, describeInstanceTypes } from "./instance-types.ts";
import { createTags, describeInstances, runInstances, terminateInstances } from "./instances.ts";
import { createLaunchTemplate, deleteLaunchTemplate, describeLaunchTemplates } from "./launch-templates.ts";
import { describeAvailabilityZones, describeImages, describeSecurityGroups, describeSubnets } from "./network.ts";
import { describeSpotPriceHistory } from "./spot-price-history.ts";

export type Ec2Operation = (cloud: Cloud, params: QueryObject) => Record<string, XmlValue>;

export const EC2_OPERATIONS: Record<string, Ec2Operation> = {
  CreateFleet: createFleet,
  CreateLaunchTemplate: createLaunchTemplate,
  CreateTags: createTags,
  DeleteLaunchTemplate: deleteLaunchTemplate,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeImages: describeImages,
  DescribeInstanceTypeOfferings: describeInstanceTypeOfferings,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeInstances: describeInstances,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSpotPriceHistory: describeSpotPriceHistory,
  DescribeSubnets: describeSubnets,
  RunInstances: runInstances,
  TerminateInstances: terminateInstances,
};

export interface Ec2Answer {
  status: number;
  action: string;
  body: string;
}

export function handleEc2(cloud: Cloud, body: string): Ec2Answer {
  const requestId = cloud.ids.requestId();
  let action = "";
  try {
    let params: QueryObject;
    try {
      params = parseQuery(body);
    } catch (error) {
      if (error instanceof QueryParseError) throw new CloudError("InvalidParameter", error.message);
      throw error;
    }
    const { Action, Version: _version, ...rest } = params;
    if (typeof Action !== "string" || Action === "")
      throw new CloudError("MissingAction", "The request must contain the parameter Action.");
    action = Action;
    const operation = Object.hasOwn(EC2_OPERATIONS, action) ? EC2_OPERATIONS[action] : undefined;
    if (!operation) throw new CloudError("InvalidAction", `The action ${action} is not valid for this web service.`);
    return { status: 200, action, body: ec2Response(action, requestId, operation(cloud, rest)) };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    return { status: error.status, action, body: ec2ErrorResponse(error.code, error.message, requestId) };
  }
}
