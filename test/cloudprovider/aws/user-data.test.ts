// User data per AMI family against Karpenter's own golden files (test/fixtures/karpenter-user-data/SOURCE.md): the
// same cluster, labels, taints and kubelet settings as Karpenter's launch-template suite gives its generators.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { BootstrapOptions } from "../../../cloudprovider/aws/user-data/bootstrap-options.ts";
import { userDataBase64, userDataText } from "../../../cloudprovider/aws/user-data/user-data.ts";
import { NodeClassNotReadyError } from "../../../cloudprovider/errors.ts";

const NODE_CLASS = "default-nc";
const NODE_POOL = "default-np";

/** Go's fmt.Sprintf for `%s` and `%%`, which is all the golden files use. */
function sprintf(format: string, ...args: string[]): string {
  let next = 0;
  return format.replace(/%[s%]/g, (verb) => (verb === "%%" ? "%" : (args[next++] ?? "%!s(MISSING)")));
}

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/karpenter-user-data/${name}.golden`, import.meta.url), "utf8");
}

function golden(name: string): string {
  return sprintf(fixture(name), NODE_CLASS, "karpenter.sh/nodepool", NODE_POOL);
}

/** Karpenter's ExpectLaunchTemplatesCreatedWithUserData compares with line breaks removed. */
const withoutLineBreaks = (text: string) => text.replaceAll("\n", "");

const UNREGISTERED = { key: "karpenter.sh/unregistered", effect: "NoExecute" };

function options(overrides: Partial<BootstrapOptions> = {}): BootstrapOptions {
  return {
    clusterName: "test-cluster",
    clusterEndpoint: "https://test-cluster",
    clusterCIDR: "10.100.0.0/16",
    caBundle: "Y2EtYnVuZGxlCg==",
    kubelet: { clusterDNS: ["10.0.100.10"], maxPods: 110 },
    labels: {
      "karpenter.k8s.aws/ec2nodeclass": NODE_CLASS,
      "karpenter.sh/capacity-type": "on-demand",
      "karpenter.sh/do-not-sync-taints": "true",
      "karpenter.sh/nodepool": NODE_POOL,
      "testing/cluster": "unspecified",
    },
    taints: [UNREGISTERED],
    ...overrides,
  };
}

describe("user data equals Karpenter's golden files", () => {
  test("AL2023: a nodeadm NodeConfig in a MIME archive", () => {
    assert.equal(userDataText("AL2023", options()), golden("al2023_userdata_unmerged"));
  });

  test("AL2: bootstrap.sh with kubelet flags in a MIME archive", () => {
    assert.equal(userDataText("AL2", options()), golden("al2_userdata_unmerged"));
  });

  test("Bottlerocket: TOML settings with labels and the NodePool's taints and startup taints", () => {
    const taints = [
      { key: "foo", value: "bar", effect: "NoExecute" },
      { key: "baz", value: "bin", effect: "NoExecute" },
      UNREGISTERED,
    ];
    assert.equal(userDataText("Bottlerocket", options({ taints })), golden("br_userdata_unmerged"));
  });

  test("AL2023 with a shell script as spec.userData: the script's part first", () => {
    const merged = userDataText("AL2023", options(), fixture("al2023_shell_userdata_input"));
    assert.equal(withoutLineBreaks(merged), withoutLineBreaks(golden("al2023_shell_userdata_merged")));
  });

  test("AL2023 with a NodeConfig as spec.userData: the user's NodeConfig part first", () => {
    const merged = userDataText("AL2023", options(), fixture("al2023_yaml_userdata_input"));
    assert.equal(withoutLineBreaks(merged), withoutLineBreaks(golden("al2023_yaml_userdata_merged")));
  });

  test("the launch template takes it base64-encoded", () => {
    const encoded = userDataBase64("AL2023", options());
    assert.equal(Buffer.from(encoded, "base64").toString("utf8"), golden("al2023_userdata_unmerged"));
  });
});

describe("what cannot be generated is a clear error", () => {
  test("AL2023 without the cluster CIDR is not ready, as Karpenter's NodeClassNotReadyError", () => {
    assert.throws(() => userDataText("AL2023", options({ clusterCIDR: undefined })), NodeClassNotReadyError);
  });

  test("Windows is refused with its family named", () => {
    assert.throws(() => userDataText("Windows2022", options()), /Windows2022/);
  });
});
