/**
 * The IAM part of the EC2-shaped port over `@aws-sdk/client-iam`: the instance profiles Karpenter makes for an
 * EC2NodeClass's `spec.role` (aws:pkg/providers/instanceprofile). IAM is a global service: the SDK signs for
 * us-east-1 whatever the region.
 */
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  IAMClient,
  type InstanceProfile as SdkInstanceProfile,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import type { IamPort, InstanceProfile, Tag } from "../../api/index.ts";
import { mapped } from "./aws-errors.ts";
import { awsClientConfig, type AwsClientOptions } from "./client-config.ts";

function profileOf(p: SdkInstanceProfile | undefined, name: string): InstanceProfile {
  return {
    name: p?.InstanceProfileName ?? name,
    arn: p?.Arn ?? "",
    path: p?.Path ?? "/",
    roles: (p?.Roles ?? []).map((r) => r.RoleName ?? ""),
    tags: (p?.Tags ?? []).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" })),
  };
}

const iamTags = (tags: readonly Tag[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));

export class SdkIam implements IamPort {
  readonly client: IAMClient;

  constructor(options: AwsClientOptions = {}) {
    this.client = new IAMClient(awsClientConfig(options));
  }

  getInstanceProfile(name: string): Promise<InstanceProfile> {
    return mapped(async () => {
      const answer = await this.client.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
      return profileOf(answer.InstanceProfile, name);
    });
  }

  createInstanceProfile(input: { name: string; path: string; tags: readonly Tag[] }): Promise<InstanceProfile> {
    return mapped(async () => {
      const answer = await this.client.send(
        new CreateInstanceProfileCommand({
          InstanceProfileName: input.name,
          Path: input.path,
          // No tags is no Tags field: the SDK's query protocol would send an empty list as a bare `Tags=`.
          ...(input.tags.length === 0 ? {} : { Tags: iamTags(input.tags) }),
        }),
      );
      return profileOf(answer.InstanceProfile, input.name);
    });
  }

  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return mapped(async () => {
      await this.client.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName }),
      );
    });
  }

  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return mapped(async () => {
      await this.client.send(
        new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName }),
      );
    });
  }

  tagInstanceProfile(profileName: string, tags: readonly Tag[]): Promise<void> {
    return mapped(async () => {
      await this.client.send(new TagInstanceProfileCommand({ InstanceProfileName: profileName, Tags: iamTags(tags) }));
    });
  }

  deleteInstanceProfile(name: string): Promise<void> {
    return mapped(async () => {
      await this.client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
    });
  }

  destroy(): void {
    this.client.destroy();
  }
}
