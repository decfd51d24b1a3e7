// The world's IAM, as far as nodes need it: roles, and instance profiles that carry one role each (IAM allows no
// more: LimitExceeded). Karpenter creates, tags, re-roles and deletes instance profiles for an EC2NodeClass's
// `role` (aws pkg/providers/instanceprofile/instanceprofile.go); a node boots only with a profile whose role the
// cluster admits (an EKS access entry of type EC2_LINUX, or aws-auth's mapRoles). Errors carry IAM's codes and
// its wording (NoSuchEntity, EntityAlreadyExists, LimitExceeded, DeleteConflict, ValidationError).
import { CloudError } from "./cloud-error.ts";
import type { Tag } from "./tags.ts";
import { applyTags } from "./tags.ts";

export interface IamRole {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: number;
}

export interface InstanceProfile {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: number;
  roles: string[];
  tags: Tag[];
}

/** IAM's name rule for roles and instance profiles: `[\w+=,.@-]+`, 1–128 characters. */
const NAME = /^[\w+=,.@-]{1,128}$/;
/** A path is `/` or `/…/`, 1–512 characters. */
const PATH = /^(?:\u002F|\u002F[\u0021-\u007E]+\u002F)$/;

export class IamAccount {
  readonly #accountId: string;
  readonly #now: () => number;
  readonly #roles = new Map<string, IamRole>();
  readonly #profiles = new Map<string, InstanceProfile>();
  #serial = 0;

  constructor(accountId: string, now: () => number) {
    this.#accountId = accountId;
    this.#now = now;
  }

  /** IAM's unique ids: a four-letter prefix by kind (AROA role, AIPA instance profile) and 17 characters. */
  #uniqueId(prefix: string): string {
    this.#serial += 1;
    return `${prefix}${this.#serial.toString(36).toUpperCase().padStart(17, "0")}`;
  }

  createRole(name: string, path = "/"): IamRole {
    checkName("roleName", name);
    checkPath(path);
    if (this.#roles.has(name))
      throw new CloudError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409);
    const role: IamRole = {
      name,
      path,
      id: this.#uniqueId("AROA"),
      arn: `arn:aws:iam::${this.#accountId}:role${path}${name}`,
      createdAt: this.#now(),
    };
    this.#roles.set(name, role);
    return role;
  }

  role(name: string): IamRole {
    const role = this.#roles.get(name);
    if (!role) throw new CloudError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
    return role;
  }

  createInstanceProfile(name: string, path = "/", tags: readonly Tag[] = []): InstanceProfile {
    checkName("instanceProfileName", name);
    checkPath(path);
    if (this.#profiles.has(name)) {
      throw new CloudError("EntityAlreadyExists", `Instance Profile ${name} already exists.`, 409);
    }
    const profile: InstanceProfile = {
      name,
      path,
      id: this.#uniqueId("AIPA"),
      arn: `arn:aws:iam::${this.#accountId}:instance-profile${path}${name}`,
      createdAt: this.#now(),
      roles: [],
      tags: [],
    };
    applyTags(profile.tags, tags);
    this.#profiles.set(name, profile);
    return profile;
  }

  instanceProfile(name: string): InstanceProfile {
    const profile = this.#profiles.get(name);
    if (!profile) throw new CloudError("NoSuchEntity", `Instance Profile ${name} cannot be found.`, 404);
    return profile;
  }

  /** An instance profile as a launch names it: its name, or its ARN (`arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME`). */
  findInstanceProfile(nameOrArn: string): InstanceProfile | undefined {
    if (!nameOrArn.startsWith("arn:")) return this.#profiles.get(nameOrArn);
    return [...this.#profiles.values()].find((p) => p.arn === nameOrArn);
  }

  addRoleToInstanceProfile(profileName: string, roleName: string): void {
    const profile = this.instanceProfile(profileName);
    this.role(roleName);
    if (profile.roles.length > 0) {
      throw new CloudError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409);
    }
    profile.roles.push(roleName);
  }

  removeRoleFromInstanceProfile(profileName: string, roleName: string): void {
    const profile = this.instanceProfile(profileName);
    this.role(roleName);
    if (!profile.roles.includes(roleName)) {
      throw new CloudError(
        "NoSuchEntity",
        `The role with name ${roleName} cannot be found in instance profile ${profileName}.`,
        404,
      );
    }
    profile.roles = profile.roles.filter((r) => r !== roleName);
  }

  tagInstanceProfile(profileName: string, tags: readonly Tag[]): void {
    const profile = this.instanceProfile(profileName);
    if (tags.length === 0) throw validation("tags", "[]", "Member must have length greater than or equal to 1");
    applyTags(profile.tags, tags);
    if (profile.tags.length > 50) {
      throw new CloudError("LimitExceeded", "The number of tags has reached the maximum limit.", 409);
    }
  }

  deleteInstanceProfile(profileName: string): void {
    const profile = this.instanceProfile(profileName);
    if (profile.roles.length > 0) {
      throw new CloudError(
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
      );
    }
    this.#profiles.delete(profileName);
  }

  /** Instance profiles whose path starts with `pathPrefix`, by name (IAM lists them in name order). */
  instanceProfiles(pathPrefix = "/"): InstanceProfile[] {
    checkPath(pathPrefix.endsWith("/") ? pathPrefix : `${pathPrefix}/`, "pathPrefix");
    return [...this.#profiles.values()]
      .filter((p) => p.path.startsWith(pathPrefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** IAM's ValidationError, worded as its request validation words it. */
export function validation(field: string, value: string, constraint: string): CloudError {
  return new CloudError(
    "ValidationError",
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function checkName(field: string, name: string): void {
  if (!NAME.test(name)) {
    throw validation(field, name, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  }
}

function checkPath(path: string, field = "path"): void {
  if (path.length > 512 || !PATH.test(path)) {
    throw validation(
      field,
      path,
      "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
  }
}
