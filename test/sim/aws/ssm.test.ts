// SSM Parameter Store through @aws-sdk/client-ssm and Debian's awscli: the EKS-optimized image parameters at the
// paths Karpenter v1.14.1 reads for each alias (aws pkg/providers/amifamily/{al2023,al2,bottlerocket,windows}.go),
// pointing at images DescribeImages knows, and SSM's own errors and pagination.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeImagesCommand } from "@aws-sdk/client-ec2";
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  paginateGetParametersByPath,
} from "@aws-sdk/client-ssm";
import { type AwsWorld, awsCli, awsCliText, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld({ parameters: [{ name: "/team/ami", value: "ami-0123456789abcdef0" }] });
});
after(() => world.close());

const value = async (name: string) => (await world.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

/** The image a parameter names, as DescribeImages shows it. */
async function imageNamed(name: string) {
  const id = await value(name);
  assert.ok(id, `${name} has a value`);
  const images = await world.ec2.send(new DescribeImagesCommand({ ImageIds: [id] }));
  assert.equal(images.Images?.length, 1, `${name} → ${id} exists`);
  return images.Images?.[0];
}

describe("the alias paths Karpenter resolves", () => {
  test("al2023@latest: every architecture and variant Karpenter asks for", async () => {
    // AL2023.DescribeImageQuery: x86_64 standard/nvidia/neuron, arm64 standard/nvidia.
    for (const [arch, variant] of [
      ["x86_64", "standard"],
      ["x86_64", "nvidia"],
      ["x86_64", "neuron"],
      ["arm64", "standard"],
      ["arm64", "nvidia"],
    ]) {
      const image = await imageNamed(
        `/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/${arch}/${variant}/recommended/image_id`,
      );
      assert.equal(image?.Name, `amazon-eks-node-al2023-${arch}-${variant}-1.35-v20251120`);
      assert.equal(image?.Architecture, arch);
      assert.equal(image?.OwnerId, "602401143452");
    }
  });

  test("al2023@v20251120 reads the release's own parameter, naming the same image", async () => {
    const pinned = await value(
      "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.34-v20251120/image_id",
    );
    assert.equal(
      pinned,
      await value("/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/recommended/image_id"),
    );
    // The scenario already had this image: the parameter names it rather than a second copy.
    assert.equal(pinned, "ami-0a00000000000a023");
  });

  test("al2 up to 1.32 only, with its arm64 and gpu paths", async () => {
    assert.equal(
      (await imageNamed("/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/image_id"))?.Name,
      "amazon-eks-node-1.32-v20251120",
    );
    assert.equal(
      (await imageNamed("/aws/service/eks/optimized-ami/1.32/amazon-linux-2-arm64/recommended/image_id"))?.Name,
      "amazon-eks-arm64-node-1.32-v20251120",
    );
    assert.equal(
      (
        await imageNamed(
          "/aws/service/eks/optimized-ami/1.32/amazon-linux-2-gpu/amazon-eks-gpu-node-1.32-v20251120/image_id",
        )
      )?.Name,
      "amazon-eks-gpu-node-1.32-v20251120",
    );
    await assert.rejects(value("/aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/image_id"), {
      name: "ParameterNotFound",
    });
  });

  test("bottlerocket@latest and @1.50.0 (Karpenter trims the v), nvidia variants, aarch64 in the image name", async () => {
    const arm = await imageNamed("/aws/service/bottlerocket/aws-k8s-1.35/arm64/latest/image_id");
    assert.equal(arm?.Name, "bottlerocket-aws-k8s-1.35-aarch64-v1.50.0-3b3a5d2f");
    assert.equal(arm?.Architecture, "arm64");
    const nvidia = await imageNamed("/aws/service/bottlerocket/aws-k8s-1.35-nvidia/x86_64/1.50.0/image_id");
    assert.equal(nvidia?.Name, "bottlerocket-aws-k8s-1.35-nvidia-x86_64-v1.50.0-3b3a5d2f");
  });

  test("windows2019/2022/2025: Core images, platform windows", async () => {
    for (const server of ["2019", "2022", "2025"]) {
      const image = await imageNamed(
        `/aws/service/ami-windows-latest/Windows_Server-${server}-English-Core-EKS_Optimized-1.35/image_id`,
      );
      assert.equal(image?.Name, `Windows_Server-${server}-English-Core-EKS_Optimized-1.35-2025.11.13`);
      assert.equal(image?.Platform, "windows");
    }
  });
});

describe("the protocol", () => {
  test("GetParameter's shape: type, version, data type, the public ARN without an account", async () => {
    const { Parameter } = await world.ssm.send(
      new GetParameterCommand({ Name: "/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_id" }),
    );
    assert.equal(Parameter?.Type, "String");
    assert.equal(Parameter?.Version, 1);
    assert.equal(Parameter?.DataType, "aws:ec2:image");
    assert.equal(
      Parameter?.ARN,
      "arn:aws:ssm:us-west-2::parameter/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_id",
    );
    assert.ok(Parameter?.LastModifiedDate instanceof Date);
  });

  test("a scenario's own parameter; a missing one is ParameterNotFound; a wrong version ParameterVersionNotFound", async () => {
    assert.equal(await value("/team/ami"), "ami-0123456789abcdef0");
    assert.equal(await value("/team/ami:1"), "ami-0123456789abcdef0");
    await assert.rejects(value("/team/none"), { name: "ParameterNotFound" });
    await assert.rejects(value("/team/ami:2"), { name: "ParameterVersionNotFound" });
  });

  test("GetParameters: found and invalid names apart", async () => {
    const answer = await world.ssm.send(new GetParametersCommand({ Names: ["/team/ami", "/team/none"] }));
    assert.deepEqual(
      answer.Parameters?.map((p) => p.Value),
      ["ami-0123456789abcdef0"],
    );
    assert.deepEqual(answer.InvalidParameters, ["/team/none"]);
  });

  test("GetParametersByPath: children only unless recursive; pages of at most 10 that the paginator follows", async () => {
    const path = "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023";
    const shallow = await world.ssm.send(new GetParametersByPathCommand({ Path: path }));
    assert.deepEqual(shallow.Parameters, []);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateGetParametersByPath(
      { client: world.ssm, pageSize: 3 },
      { Path: path, Recursive: true },
    )) {
      pages += 1;
      assert.ok((page.Parameters?.length ?? 0) <= 3);
      names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ""));
    }
    // 5 images (x86_64 standard/nvidia/neuron, arm64 standard/nvidia), each under recommended/ and its own name.
    assert.equal(names.length, 10);
    assert.equal(pages, 4);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes(`${path}/arm64/nvidia/recommended/image_id`));
    await assert.rejects(world.ssm.send(new GetParametersByPathCommand({ Path: path, MaxResults: 11 })), {
      name: "ValidationException",
    });
    await assert.rejects(
      world.ssm.send(
        new GetParametersByPathCommand({ Path: path, ParameterFilters: [{ Key: "Type", Values: ["String"] }] }),
      ),
      { name: "ValidationException" },
    );
    await assert.rejects(world.ssm.send(new GetParametersByPathCommand({ Path: path, NextToken: "bm9wZQ==" })), {
      name: "InvalidNextToken",
    });
  });
});

describe("awscli", () => {
  test("aws ssm get-parameter prints the image id", async () => {
    const out = await awsCliText(world.server.endpoint, [
      "ssm",
      "get-parameter",
      "--name",
      "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/arm64/standard/recommended/image_id",
      "--query",
      "Parameter.Value",
      "--output",
      "text",
    ]);
    assert.equal(out.trim(), "ami-0a00000000000b023");
  });

  test("aws ssm get-parameters-by-path follows the pages itself", async () => {
    const answer = (await awsCli(world.server.endpoint, [
      "ssm",
      "get-parameters-by-path",
      "--path",
      "/aws/service/bottlerocket/aws-k8s-1.33",
      "--recursive",
      "--page-size",
      "3",
    ])) as { Parameters: { Name: string }[] };
    // x86_64 and arm64, each `latest` and `1.50.0`; the nvidia variant lives under aws-k8s-1.33-nvidia, not here.
    assert.deepEqual(
      answer.Parameters.map((p) => p.Name),
      [
        "/aws/service/bottlerocket/aws-k8s-1.33/arm64/1.50.0/image_id",
        "/aws/service/bottlerocket/aws-k8s-1.33/arm64/latest/image_id",
        "/aws/service/bottlerocket/aws-k8s-1.33/x86_64/1.50.0/image_id",
        "/aws/service/bottlerocket/aws-k8s-1.33/x86_64/latest/image_id",
      ],
    );
  });

  test("a missing parameter: awscli's ParameterNotFound with SSM's empty message", async () => {
    await assert.rejects(
      awsCliText(world.server.endpoint, ["ssm", "get-parameter", "--name", "/nope"]),
      (error: Error) => {
        assert.match(
          error.message,
          /An error occurred \(ParameterNotFound\) when calling the GetParameter operation: \n?$/m,
        );
        return true;
      },
    );
  });
});
