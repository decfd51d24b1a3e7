// The IAM policy docs/install.md gives `poolkeeper run`: exactly the actions the AWS adapters call (derived from
// their code, test/support/iam-from-code.ts) plus the two AWS authorizes without a call of their own, every write
// scoped by the cluster's tags, and the tags a launch must carry being the ones poolkeeper puts on what it launches.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { launchTags } from "../../cloudprovider/aws/tags.ts";
import { projectRoot } from "../support/fixtures.ts";
import { awsCalls } from "../support/iam-from-code.ts";

/** Authorized by AWS during CreateFleet with a launch template: the launch itself and the instance profile's role. */
const IMPLICIT = ["ec2:RunInstances", "iam:PassRole"];

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function documentedPolicy(): { Version: string; Statement: Statement[] } {
  const doc = readFileSync(join(projectRoot, "docs/install.md"), "utf8");
  const block = /<!-- iam-policy:begin -->\n```json\n([\s\S]*?)```\n<!-- iam-policy:end -->/.exec(doc);
  assert.ok(block?.[1], "docs/install.md has the IAM policy block");
  return JSON.parse(block[1]) as { Version: string; Statement: Statement[] };
}

const policy = documentedPolicy();
const conditionKeys = (s: Statement) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
const isRead = (action: string) => /^[a-z0-9]+:(Describe|Get|List|Receive)/.test(action);

describe("the IAM policy in docs/install.md", () => {
  test("lists exactly the actions the AWS adapters call, and the two AWS checks implicitly", () => {
    const calls = awsCalls();
    assert.ok(calls.length > 20, "the adapters' calls are found");
    const derived = [...new Set([...calls.map((c) => c.action), ...IMPLICIT])].sort();
    const documented = [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
    const missing = derived.filter((a) => !documented.includes(a));
    const extra = documented.filter((a) => !derived.includes(a));
    assert.deepEqual(
      { missing, extra },
      { missing: [], extra: [] },
      `called at: ${missing.map((a) => calls.find((c) => c.action === a)?.at ?? "implicit").join(", ")}`,
    );
    for (const action of ["ec2:DescribeInstanceTypeOfferings", "ec2:CreateLaunchTemplate", "ssm:GetParameter"]) {
      assert.ok(derived.includes(action), `${action} is derived from the code`);
    }
  });

  test("is a well-formed Allow-only policy with named statements and no wildcard action", () => {
    assert.equal(policy.Version, "2012-10-17");
    const sids = policy.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length, "statement ids are unique");
    for (const statement of policy.Statement) {
      assert.match(statement.Sid, /^[A-Za-z0-9]+$/);
      assert.equal(statement.Effect, "Allow");
      assert.ok(statement.Action.length > 0 && statement.Action.every((a) => /^[a-z0-9]+:[A-Za-z]+$/.test(a)));
      assert.ok(statement.Resource.length > 0);
    }
  });

  test("every write is scoped to the cluster's own resources by tag, or to one named resource", () => {
    const cluster = "kubernetes.io/cluster/${CLUSTER_NAME}";
    for (const statement of policy.Statement) {
      const writes = statement.Action.filter((a) => !isRead(a));
      if (writes.length === 0) continue;
      const resources = [statement.Resource].flat();
      const keys = conditionKeys(statement);
      const tagged = keys.some((k) => k.endsWith(cluster));
      // What a launch reads but does not own (images, subnets, …), the queue, the node role: named, not tagged.
      const untaggable = resources.every((r) =>
        /:(image|snapshot|security-group|subnet|network-interface|spot-instances-request)\/\*$|:sqs:|^\$\{NODE_ROLE_ARN\}$/.test(
          r,
        ),
      );
      assert.ok(tagged || untaggable, `${statement.Sid}: ${writes.join(", ")} on ${resources.join(", ")}`);
    }
    const scopedBy = (action: string) =>
      policy.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => conditionKeys(s));
    assert.ok(scopedBy("ec2:TerminateInstances").includes("aws:ResourceTag/karpenter.sh/nodepool"));
    assert.ok(scopedBy("ec2:TerminateInstances").includes(`aws:ResourceTag/${cluster}`));
    assert.ok(scopedBy("ec2:CreateFleet").includes(`aws:RequestTag/${cluster}`));
    assert.ok(scopedBy("iam:PassRole").includes("iam:PassedToService"));
  });

  test("a launch carries every tag the policy requires of it", () => {
    const withTags = policy.Statement.find((s) => s.Sid === "AllowScopedEC2InstanceActionsWithTags");
    assert.ok(withTags);
    const tags = launchTags(
      "prod-eu",
      { metadata: { name: "default-abcde", labels: { "karpenter.sh/nodepool": "default" } } } as never,
      { metadata: { name: "default" }, spec: { tags: { team: "platform" } } } as never,
    );
    const value = (key: string) => tags.find((t) => t.key === key)?.value;
    for (const [operator, conditions] of Object.entries(withTags.Condition ?? {})) {
      for (const [key, expected] of Object.entries(conditions)) {
        const tagKey = key.replace("aws:RequestTag/", "").replace("${CLUSTER_NAME}", "prod-eu");
        const actual = value(tagKey);
        assert.ok(actual !== undefined && actual !== "", `the launch is tagged ${tagKey}`);
        if (operator === "StringEquals") assert.equal(actual, String(expected).replace("${CLUSTER_NAME}", "prod-eu"));
      }
    }
  });
});
