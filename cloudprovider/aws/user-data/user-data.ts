/**
 * The user data for an AMI family, base64-encoded as a launch template takes it (aws:pkg/providers/amifamily
 * `AMIFamily.UserData` per family). Windows and Custom are not generated yet: Custom's is the user's own.
 */
import type { AMIFamily } from "../../ami-family.ts";
import { NodeClassNotReadyError } from "../../errors.ts";
import type { BootstrapOptions } from "./bootstrap-options.ts";
import { bottlerocketUserData } from "./bottlerocket.ts";
import { eksBootstrapUserData } from "./eks-bootstrap.ts";
import { nodeadmUserData } from "./nodeadm.ts";

/** The user data as text, before base64. */
export function userDataText(family: AMIFamily, options: BootstrapOptions, customUserData?: string): string {
  switch (family) {
    case "AL2023":
      return nodeadmUserData(options, customUserData);
    case "AL2":
      return eksBootstrapUserData(options, customUserData);
    case "Bottlerocket":
      return bottlerocketUserData(options, customUserData);
    case "Custom":
      // Karpenter passes a Custom family's user data through untouched.
      return customUserData ?? "";
    default:
      throw new NodeClassNotReadyError(`generating user data for amiFamily ${family} is not supported yet`);
  }
}

export function userDataBase64(family: AMIFamily, options: BootstrapOptions, customUserData?: string): string {
  return Buffer.from(userDataText(family, options, customUserData), "utf8").toString("base64");
}
