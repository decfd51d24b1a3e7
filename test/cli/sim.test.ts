// `poolkeeper sim` as a user runs it: spawned, its printed environment read, kubectl pointed at the printed
// KUBECONFIG, awscli at the printed endpoint (after `eval` of the output in bash), then SIGINT and exit 0. A bad
// scenario is exit 2 with the file, line, object and field. Waiting is on events (a line printed, kubectl wait),
// never on time.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { kubectlPath } from "../support/binaries.ts";
import { projectRoot } from "../support/fixtures.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { waitForLine } from "../support/sim-kube.ts";

const run = promisify(execFile);
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-sim-cli-"));
  dirs.push(dir);
  return dir;
}

function startSim(args: string[]): ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } {
  return spawn(process.execPath, [join(projectRoot, "bin", "poolkeeper.js"), "sim", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  }) as ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return guardAgainstHang(
    new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    "poolkeeper sim to exit",
  );
}

describe("poolkeeper sim", () => {
  test("serves the scenario to kubectl and awscli through the printed environment; SIGINT stops it with exit 0", async () => {
    const dir = tempDir();
    const child = startSim([
      "--dir",
      dir,
      "--seed",
      "3",
      "--time-factor",
      "20",
      "--scenario",
      join(projectRoot, "examples", "sim", "scenario.yaml"),
    ]);
    const exited = exitOf(child);
    const { seen } = await guardAgainstHang(
      waitForLine(child.stdout, /^export POOLKEEPER_SIM_CLOCK=/),
      "the environment",
    );
    const printed = seen.join("\n");
    const env = Object.fromEntries(
      seen
        .filter((l) => l.startsWith("export "))
        .map((l) => {
          const match = /^export ([A-Z0-9_]+)='(.*)'$/.exec(l);
          assert.ok(match, `a quoted export: ${l}`);
          return [match[1], match[2]];
        }),
    );
    assert.equal(env.KUBECONFIG, join(dir, "kubeconfig"));
    const endpoint = env.AWS_ENDPOINT_URL_EC2;
    assert.match(endpoint ?? "", /^https?:\/\/127\.0\.0\.1:\d+$/);
    for (const service of ["SQS", "SSM", "IAM"]) assert.equal(env[`AWS_ENDPOINT_URL_${service}`], endpoint);
    assert.equal(env.AWS_REGION, "us-west-2");
    const clock = JSON.parse(env.POOLKEEPER_SIM_CLOCK ?? "") as { factor: number };
    assert.equal(clock.factor, 20);

    const kubectl = await kubectlPath();
    const kube = (args: string[]) =>
      run(kubectl, ["--kubeconfig", String(env.KUBECONFIG), ...args], {
        env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, "cache") },
      });
    const nodes = await kube(["get", "nodes", "-o", "name"]);
    assert.deepEqual(nodes.stdout.trim().split("\n").sort(), [
      "node/ip-10-0-32-10.us-west-2.compute.internal",
      "node/ip-10-0-64-20.us-west-2.compute.internal",
    ]);
    assert.match((await kube(["get", "nodepools", "-o", "name"])).stdout, /nodepool.karpenter.sh\/general-purpose/);
    // Two replicas fit (one per 1930m node), two stay Pending with the scheduler's message.
    await kube(["wait", "--for=jsonpath={.status.readyReplicas}=2", "deployment/web", "--timeout=60s"]);
    const running = await kube(["get", "pods", "--field-selector=status.phase=Running", "-o", "name"]);
    assert.equal(running.stdout.trim().split("\n").length, 2, running.stdout);
    const pending = await kube([
      "get",
      "pods",
      "--field-selector=status.phase=Pending",
      "-o",
      'jsonpath={range .items[*]}{.status.conditions[0].message}{"\\n"}{end}',
    ]);
    assert.deepEqual(pending.stdout.trim().split("\n"), [
      "0/2 nodes are available: 2 Insufficient cpu. no new claims to deallocate, preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
      "0/2 nodes are available: 2 Insufficient cpu. no new claims to deallocate, preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    ]);

    // The printed lines are a shell script: eval them and ask the AWS endpoint with awscli.
    const script = join(dir, "printed.sh");
    writeFileSync(script, `${printed}\n`);
    const aws = await run(
      "bash",
      [
        "-c",
        'eval "$(cat "$1")" && /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL_EC2" ec2 describe-availability-zones --query "AvailabilityZones[].ZoneName" --output text',
        "bash",
        script,
      ],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, "aws-config"),
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
    );
    assert.equal(aws.stdout.trim(), "us-west-2a\tus-west-2b\tus-west-2c");

    child.kill("SIGINT");
    assert.equal(await exited, 0);
  });

  test("a bad scenario is exit 2 naming the file, line, object and field", async () => {
    const dir = tempDir();
    const file = join(dir, "bad.yaml");
    const reservedPool = [
      "apiVersion: karpenter.sh/v1",
      "kind: NodePool",
      "metadata: {name: reserved}",
      "spec:",
      "  template:",
      "    spec:",
      "      requirements: [{key: karpenter.sh/nodepool, operator: In, values: [x]}]",
      "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}",
    ];
    const refused = async (lines: string[]): Promise<string> => {
      writeFileSync(file, `${lines.join("\n")}\n`);
      const child = startSim(["--dir", dir, "--scenario", file]);
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      assert.equal(await exitOf(child), 2);
      return stderr;
    };
    // A document without a kind: found while reading, before anything is created.
    const unread = await refused([
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: fine}",
      "---",
      "apiVersion: v1",
      "metadata: {name: no-kind}",
      "---",
      ...reservedPool,
    ]);
    assert.match(unread, new RegExp(`${file.replaceAll(".", "\\.")}:5:1: document 2: kind: Required value`));
    // A NodePool the API server refuses (CEL rule): its place, name, field and the rule's message.
    const invalid = await refused(reservedPool);
    assert.match(invalid, /bad\.yaml:1:1: NodePool reserved: .*spec\.template\.spec\.requirements\[0\]\.key/);
    assert.match(invalid, /label "karpenter.sh\/nodepool" is restricted/);
  });
});
