// The API server's fault plan judged by the real kubectl (client-go): a 429 with Retry-After is retried by
// client-go on its own (request.go's checkWait), so `kubectl get` still succeeds after the throttled tries; a 503
// without Retry-After is not retried and kubectl reports the server's Status.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiFaults, World, type ServedWorld } from "../../../sim/index.ts";
import { kubectlPath } from "../../support/binaries.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import type { KubectlResult } from "../../support/sim-kube.ts";

let world: World;
let served: ServedWorld;
let dir: string;
let kubectl: (args: string[]) => Promise<KubectlResult>;

before(async () => {
  world = new World({ clock: new FakeClock(new Date("2026-03-01T12:00:00Z")) }).start();
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-faults-kubectl-"));
  served = await world.serve({ dir });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig());
  const binary = await kubectlPath();
  const env = { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, "cache") };
  kubectl = (args) =>
    new Promise((resolve) => {
      execFile(binary, ["--kubeconfig", kubeconfig, ...args], { env }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      });
    });
});

after(async () => {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("faults on demand, judged by kubectl", () => {
  test("429s with Retry-After are retried by client-go and the command succeeds", async () => {
    const throttle = served.kube.faults.add({
      verbs: ["list"],
      resources: ["namespaces"],
      times: 2,
      fault: { type: "throttle", retryAfterSeconds: 1 },
    });
    const result = await kubectl(["get", "namespaces", "-o", "name"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^namespace\/default$/m);
    assert.equal(throttle.hits, 2, "both throttled tries were made before the one that succeeded");
  });

  test("a 503 without Retry-After fails the command with the server's Status", async () => {
    served.kube.faults.add({
      verbs: ["list"],
      resources: ["pods"],
      times: 1,
      fault: { type: "error", code: 503, message: "the simulated API server is unavailable" },
    });
    const result = await kubectl(["get", "pods"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Error from server \(ServiceUnavailable\): the simulated API server is unavailable/);
    const again = await kubectl(["get", "pods"]);
    assert.equal(again.code, 0, again.stderr);
  });

  test("a rule with a probability faults a replayable share of requests, drawn from the seed", () => {
    const draws = (seed: number) => {
      const faulted: boolean[] = [];
      const plan = new ApiFaults({ seed, clock: new FakeClock(new Date(0)) });
      const handle = plan.add({ verbs: ["get"], probability: 0.3, fault: { type: "error", code: 500 } });
      // A request and response with only what the plan touches: no server is needed to see which are faulted.
      const wrapped = plan.wrap(() => faulted.push(false));
      const res = { writeHead: () => ({ end: () => {} }), on: () => {} };
      for (let i = 0; i < 200; i++) {
        const before = handle.hits;
        wrapped(
          { method: "GET", url: `/api/v1/namespaces/default/pods/p${i}`, resume: () => {} } as never,
          res as never,
        );
        if (handle.hits > before) faulted.push(true);
      }
      return faulted;
    };
    const first = draws(42);
    assert.deepEqual(draws(42), first, "the same seed faults the same requests");
    assert.notDeepEqual(draws(43), first, "another seed, other requests");
    const share = first.filter(Boolean).length / first.length;
    assert.ok(share > 0.2 && share < 0.4, `about 30 % faulted (${share})`);
  });
});
