// The Query protocol's flattened parameters, parsed into nested data. The request bodies are written as EC2's API
// reference shows them (e.g. CreateFleet's and DescribeInstances' examples), not produced by the code under test.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseQuery, QueryParseError } from "../../../sim/aws/query-params.ts";

describe("parseQuery", () => {
  test("nests filters, their values and numbered lists in index order", () => {
    const body =
      "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=instance-state-name&Filter.1.Value.2=pending" +
      "&Filter.1.Value.1=running&Filter.2.Name=tag%3Akarpenter.sh%2Fnodepool&Filter.2.Value.1=default&InstanceId.1=i-1234567890abcdef0";
    assert.deepEqual(parseQuery(body), {
      Action: "DescribeInstances",
      Version: "2016-11-15",
      Filter: [
        { Name: "instance-state-name", Value: ["running", "pending"] },
        { Name: "tag:karpenter.sh/nodepool", Value: ["default"] },
      ],
      InstanceId: ["i-1234567890abcdef0"],
    });
  });

  test("nests launch template configs with overrides and tag specifications with tags", () => {
    const body = [
      "Action=CreateFleet",
      "LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName=lt",
      "LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version=%24Latest",
      "LaunchTemplateConfigs.1.Overrides.1.InstanceType=m5.large",
      "LaunchTemplateConfigs.1.Overrides.2.InstanceType=c5.large",
      "LaunchTemplateConfigs.1.Overrides.2.SubnetId=subnet-1",
      "TagSpecification.1.ResourceType=instance",
      "TagSpecification.1.Tag.1.Key=a",
      "TagSpecification.1.Tag.1.Value=",
      "TargetCapacitySpecification.TotalTargetCapacity=1",
    ].join("&");
    assert.deepEqual(parseQuery(body), {
      Action: "CreateFleet",
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateName: "lt", Version: "$Latest" },
          Overrides: [{ InstanceType: "m5.large" }, { InstanceType: "c5.large", SubnetId: "subnet-1" }],
        },
      ],
      TagSpecification: [{ ResourceType: "instance", Tag: [{ Key: "a", Value: "" }] }],
      TargetCapacitySpecification: { TotalTargetCapacity: "1" },
    });
  });

  test("refuses a name used both as a list and a structure, as a value and a structure, or twice", () => {
    for (const body of [
      "Filter.1.Name=a&Filter.Name=b",
      "InstanceId=a&InstanceId.1=b",
      "Action=A&Action=B",
      "Filter..Name=x",
      "__proto__.x=1",
    ]) {
      assert.throws(() => parseQuery(body), QueryParseError, body);
    }
  });
});
