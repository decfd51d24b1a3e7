/**
 * AL2's user data: a shell script calling `/etc/eks/bootstrap.sh` in a MIME archive
 * (aws:pkg/providers/amifamily/bootstrap/eksbootstrap.go `EKS.Script`, `eksBootstrapScript`). Custom user data in
 * shell form goes first, as its own part; a MIME archive is not merged yet.
 */
import { NodeClassNotReadyError } from "../../errors.ts";
import { type BootstrapOptions, kubeletExtraArgs } from "./bootstrap-options.ts";
import { CONTENT_TYPE_SHELL_SCRIPT, mimeArchive } from "./mime.ts";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function bootstrapScript(options: BootstrapOptions): string {
  const caArg = options.caBundle === undefined ? "" : `--b64-cluster-ca '${options.caBundle}'`;
  let script = "#!/bin/bash -xe\n";
  script += "exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1\n";
  // bootstrap.sh reads its parameters without an equal sign.
  script += `/etc/eks/bootstrap.sh '${options.clusterName}' --apiserver-endpoint '${options.clusterEndpoint}' ${caArg}`;
  const dns = options.kubelet.clusterDNS?.[0];
  // net.ParseIP(dns).To4() == nil: an IPv6 cluster DNS address.
  if (dns !== undefined && !IPV4.test(dns)) script += " \\\n--ip-family ipv6";
  if (dns !== undefined) script += ` \\\n--dns-cluster-ip '${dns}'`;
  if (options.kubelet.maxPods !== undefined) script += " \\\n--use-max-pods false";
  const args = kubeletExtraArgs(options);
  if (args.length > 0) script += ` \\\n--kubelet-extra-args '${args.join(" ")}'`;
  if (options.instanceStorePolicy === "RAID0") script += " \\\n--local-disks raid0";
  return script;
}

/** The user data, as text (the launch template takes it base64-encoded). */
export function eksBootstrapUserData(options: BootstrapOptions, customUserData?: string): string {
  const parts = [];
  if (customUserData !== undefined && customUserData !== "") {
    const trimmed = customUserData.trim();
    if (trimmed.startsWith("MIME-Version:") || trimmed.startsWith("Content-Type:")) {
      throw new NodeClassNotReadyError("spec.userData: merging a MIME multi-part userData is not supported yet");
    }
    parts.push({ contentType: CONTENT_TYPE_SHELL_SCRIPT, content: customUserData });
  }
  parts.push({ contentType: CONTENT_TYPE_SHELL_SCRIPT, content: bootstrapScript(options) });
  return mimeArchive(parts);
}
