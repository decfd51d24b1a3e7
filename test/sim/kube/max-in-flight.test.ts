// The API server's max-in-flight filter as kube-apiserver has it (k8s.io/apiserver filters/maxinflight.go,
// tooManyRequests): past the mutating limit a create is answered 429 with `Retry-After: 1` and upstream's words,
// on a connection that stays open; reads have their own limit, and watches count against neither. Then the real
// kubectl (client-go) judges the answer: it retries a 429 with Retry-After by itself (rest/with_retry.go checkWait)
// and its create succeeds once the request holding the slot is done.
import assert from "node:assert/strict";
import { Agent, request } from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startKubeApiServer, type KubeApiServer } from "../../../sim/index.ts";
import { kubectlPath } from "../../support/binaries.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { httpsCall } from "../../support/tls.ts";

let clock: FakeClock;
let server: KubeApiServer;

before(async () => {
  clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  server = await startKubeApiServer({ clock, inFlight: { mutating: 1, nonMutating: 1 } });
});

after(async () => {
  await server.close();
});

function call(path: string, options: { method?: string; body?: string; agent?: Agent } = {}) {
  return httpsCall({
    port: server.port,
    ca: server.ca,
    path,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  });
}

const configMap = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });

/** A create held in flight: its answer waits for the clock (a slow fault), so it keeps the one mutating slot. */
async function holdMutatingSlot(name: string) {
  const slow = server.faults.add({
    verbs: ["create"],
    resources: ["configmaps"],
    times: 1,
    fault: { type: "slow", ms: 5_000 },
  });
  const held = call("/api/v1/namespaces/default/configmaps", { body: configMap(name) });
  await clock.untilPending(1);
  return { held, slow };
}

describe("max in flight", () => {
  test("past the mutating limit a create gets 429, Retry-After: 1 and the API server's words, on a kept connection", async () => {
    const { held } = await holdMutatingSlot("first");
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: server.ca });
    try {
      const refused = await call("/api/v1/namespaces/default/configmaps", { body: configMap("second"), agent });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers["retry-after"], "1");
      assert.equal(refused.body, "Too many requests, please try again later.\n");
      // Reads have their own limit (one here), so a GET still goes through.
      const read = await call("/api/v1/namespaces/default/configmaps", { agent });
      assert.equal(read.status, 200);
      assert.equal(read.reusedSocket, true, "the 429 left the connection open for the next request");
      assert.equal(
        server.store
          .list(server.registry.get("", "v1", "configmaps"), { namespace: "default" })
          .items.some((c) => c.metadata?.name === "second"),
        false,
      );
      clock.step(5_000);
      assert.equal((await held).status, 201);
      const again = await call("/api/v1/namespaces/default/configmaps", { body: configMap("second"), agent });
      assert.equal(again.status, 201, "the slot is free again once the held create is answered");
    } finally {
      agent.destroy();
    }
  });

  test("a watch counts against neither limit", async () => {
    const watching = new Agent({ ca: server.ca });
    const { held } = await holdMutatingSlot("third");
    // Reads limited to one: the watch below must not take that slot.
    try {
      // A watch left open (its response never ends while the test runs), then a read: both served.
      const watch = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: server.port,
            path: "/api/v1/namespaces/default/configmaps?watch=true",
            agent: watching,
            headers: { authorization: `Bearer ${server.token}` },
          },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on("error", reject);
        req.end();
      });
      assert.equal(watch, 200);
      const read = await call("/api/v1/namespaces/default/configmaps");
      assert.equal(read.status, 200);
    } finally {
      watching.destroy();
      clock.step(5_000);
      await held;
    }
  });
});

describe("judged by kubectl", () => {
  let dir: string;
  let kubectl: string;
  before(async () => {
    kubectl = await kubectlPath();
    dir = mkdtempSync(join(tmpdir(), "poolkeeper-max-in-flight-"));
    writeFileSync(join(dir, "kubeconfig"), server.kubeconfig());
    writeFileSync(join(dir, "configmap.json"), configMap("from-kubectl"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("client-go retries the 429 by itself and its create succeeds once the slot is free", async () => {
    const { held } = await holdMutatingSlot("held-for-kubectl");
    const refusedBefore = server.inFlight.refused();
    const created = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        kubectl,
        ["--kubeconfig", join(dir, "kubeconfig"), "create", "-n", "default", "-f", join(dir, "configmap.json")],
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    // Its first create is refused (an event, not a time), then the held one is answered and the slot frees.
    await server.inFlight.untilRefused(refusedBefore + 1);
    clock.step(5_000);
    assert.equal((await held).status, 201);
    const result = await created;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^configmap\/from-kubectl created$/m);
  });
});
