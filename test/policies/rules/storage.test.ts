import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyFix, judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["storage.*"];

function volume(deviceName: string, ebs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { deviceName, ebs: { volumeType: "gp3", encrypted: true, ...ebs }, ...extra };
}

describe("storage defaults", () => {
  test("a class without blockDeviceMappings gets Karpenter's encrypted 20Gi gp3 volume: nothing to report", () => {
    assert.deepEqual(judge([nodeClass("a")], { rules, preset: "strict" }), []);
  });

  test("encrypted gp3 volumes within bounds pass strict", () => {
    const object = nodeClass("a", { blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "100Gi" })] });
    assert.deepEqual(judge([object], { rules, preset: "strict" }), []);
  });
});

describe("storage.encrypted", () => {
  const rule = ["storage.encrypted"];

  test("a volume that does not set encrypted, and one that sets it false: warned in baseline, denied in strict", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", volumeType: "gp3" } },
        volume("/dev/xvdb", { volumeSize: "50Gi", encrypted: false }),
        volume("/dev/xvdc", { volumeSize: "50Gi" }),
      ],
    });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "storage.encrypted warn /spec/blockDeviceMappings/0/ebs",
      "storage.encrypted warn /spec/blockDeviceMappings/1/ebs/encrypted",
    ]);
    assert.deepEqual(
      judge([object], { rules: rule, preset: "strict" }).map((f) => f.severity),
      ["deny", "deny"],
    );
    assert.match(judge([object], { rules: rule })[0]?.message ?? "", /\/dev\/xvda .*stored unencrypted at rest/);
  });

  test("each patch sets encrypted: true and its finding goes away", () => {
    let object = nodeClass("a", {
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi" } },
        { deviceName: "/dev/xvdb", ebs: { snapshotID: "snap-0123456789abcdef0", encrypted: false } },
      ],
    });
    for (const finding of judge([object], { rules: rule })) object = applyFix(object, finding);
    assert.deepEqual(judge([object], { rules: rule }), []);
  });

  test("a customer managed key without encrypted: true is named in the message", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", kmsKeyID: "alias/nodes" } }],
    });
    assert.match(judge([object], { rules: rule })[0]?.message ?? "", /although kmsKeyID is set/);
  });
});

describe("storage.volume-size", () => {
  const rule = ["storage.volume-size"];

  test("an AL2023 kubelet volume (/dev/xvda) below 20Gi warns; strict denies", () => {
    const object = nodeClass("a", { blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "8Gi" })] });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "storage.volume-size warn /spec/blockDeviceMappings/0/ebs/volumeSize",
    ]);
    assert.equal(judge([object], { rules: rule, preset: "strict" })[0]?.severity, "deny");
    assert.match(judge([object], { rules: rule })[0]?.message ?? "", /ephemeral storage.*8Gi, below 20Gi/);
  });

  test("Bottlerocket keeps the kubelet on /dev/xvdb: its 4Gi OS volume is not judged, a small data volume is", () => {
    const bottlerocket = (data: string) =>
      nodeClass("br", {
        amiSelectorTerms: [{ alias: "bottlerocket@v1.20.3" }],
        blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "4Gi" }), volume("/dev/xvdb", { volumeSize: data })],
      });
    assert.deepEqual(judge([bottlerocket("20Gi")], { rules: rule }), []);
    assert.deepEqual(summary(judge([bottlerocket("10Gi")], { rules: rule })), [
      "storage.volume-size warn /spec/blockDeviceMappings/1/ebs/volumeSize",
    ]);
  });

  test("rootVolume: true picks the kubelet volume; Custom uses the last mapping; RAID0 uses instance store", () => {
    const root = nodeClass("a", {
      blockDeviceMappings: [
        volume("/dev/xvda", { volumeSize: "100Gi" }),
        volume("/dev/xvdz", { volumeSize: "10Gi" }, { rootVolume: true }),
      ],
    });
    assert.deepEqual(summary(judge([root], { rules: rule })), [
      "storage.volume-size warn /spec/blockDeviceMappings/1/ebs/volumeSize",
    ]);
    const custom = nodeClass("b", {
      amiFamily: "Custom",
      amiSelectorTerms: [{ id: "ami-0123456789abcdef0" }],
      blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "10Gi" }), volume("/dev/xvdb", { volumeSize: "12Gi" })],
    });
    assert.deepEqual(summary(judge([custom], { rules: rule })), [
      "storage.volume-size warn /spec/blockDeviceMappings/1/ebs/volumeSize",
    ]);
    const raid = nodeClass("c", {
      instanceStorePolicy: "RAID0",
      blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "10Gi" })],
    });
    assert.deepEqual(judge([raid], { rules: rule }), []);
  });

  test("Windows keeps the kubelet on /dev/sda1", () => {
    const object = nodeClass("w", {
      amiSelectorTerms: [{ alias: "windows2022@latest" }],
      blockDeviceMappings: [volume("/dev/sda1", { volumeSize: "10Gi" })],
    });
    assert.equal(judge([object], { rules: rule }).length, 1);
  });

  test("every volume above maxSize (default 2000Gi) warns, whatever its unit", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [
        volume("/dev/xvda", { volumeSize: "100Gi" }),
        volume("/dev/xvdb", { volumeSize: "4Ti" }),
        volume("/dev/xvdc", { volumeSize: "2000G" }),
      ],
    });
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), ["storage.volume-size warn /spec/blockDeviceMappings/1/ebs/volumeSize"]);
    assert.match(findings[0]?.message ?? "", /4Ti, above the 2000Gi this policy allows/);
  });

  test("minSize and maxSize are parameters (Kubernetes quantities)", () => {
    const object = nodeClass("a", { blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "40Gi" })] });
    assert.deepEqual(judge([object], { rules: rule }), []);
    const settings = { "storage.volume-size": { params: { minSize: "50Gi", maxSize: "30Gi" } } };
    assert.equal(judge([object], { rules: rule, settings }).length, 2);
  });

  test("a volume given only by snapshot is not judged", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { snapshotID: "snap-0123456789abcdef0", encrypted: true } },
      ],
    });
    assert.deepEqual(judge([object], { rules: rule }), []);
  });
});

describe("storage.volume-type", () => {
  const rule = ["storage.volume-type"];

  test("gp2 warns with why, and the patch moves it to gp3", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [volume("/dev/xvda", { volumeSize: "50Gi", volumeType: "gp2" })],
    });
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), ["storage.volume-type warn /spec/blockDeviceMappings/0/ebs/volumeType"]);
    assert.match(findings[0]?.message ?? "", /gp2 costs about 20% more per GiB than gp3/);
    assert.deepEqual(findings[0]?.patch, [
      { op: "add", path: "/spec/blockDeviceMappings/0/ebs/volumeType", value: "gp3" },
    ]);
    assert.deepEqual(judge([applyFix(object, findings[0])], { rules, preset: "strict" }), []);
    assert.equal(judge([object], { rules: rule, preset: "strict" })[0]?.severity, "deny");
  });

  test("HDD and magnetic types warn without a patch; io1 and io2 are allowed by default", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [
        volume("/dev/xvda", { volumeSize: "50Gi", volumeType: "io2", iops: 3000 }),
        volume("/dev/xvdb", { volumeSize: "500Gi", volumeType: "st1" }),
        volume("/dev/xvdc", { volumeSize: "50Gi", volumeType: "standard" }),
      ],
    });
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), [
      "storage.volume-type warn /spec/blockDeviceMappings/1/ebs/volumeType",
      "storage.volume-type warn /spec/blockDeviceMappings/2/ebs/volumeType",
    ]);
    assert.ok(findings.every((f) => f.patch === undefined));
    assert.match(findings[0]?.message ?? "", /cannot be a boot volume/);
  });

  test("allowedTypes narrows the list; a mapping without volumeType is not judged", () => {
    const object = nodeClass("a", {
      blockDeviceMappings: [
        volume("/dev/xvda", { volumeSize: "50Gi", volumeType: "io2", iops: 3000 }),
        { deviceName: "/dev/xvdb", ebs: { volumeSize: "50Gi", encrypted: true } },
      ],
    });
    const settings = { "storage.volume-type": { params: { allowedTypes: ["gp3"] } } };
    assert.deepEqual(summary(judge([object], { rules: rule, settings })), [
      "storage.volume-type warn /spec/blockDeviceMappings/0/ebs/volumeType",
    ]);
  });
});

test("every upstream example passes baseline with no storage denial", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
