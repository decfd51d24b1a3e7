// adapters/kube loads client-node's KubeConfig, Watch and ListWatch without the generated API classes (client-node.ts):
// checked by what a real process resolves (module hooks), and KubeConfig is still client-node's own class, whose
// makeApiClient builds a generated API client when a caller loads one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as clientNode from "@kubernetes/client-node";
import { loadKubeConfig } from "../../../adapters/kube/index.ts";
import { projectRoot } from "../../support/fixtures.ts";

const CLIENT_NODE = "/node_modules/@kubernetes/client-node/dist/";

test("the adapters load client-node's config, watch and list-watch, and none of its generated API classes", () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-client-node-"));
  const record = join(dir, "modules.txt");
  try {
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        join(projectRoot, "test", "support", "record-modules.ts"),
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(pathToFileURL(join(projectRoot, "adapters", "index.ts")).href)});`,
      ],
      { cwd: projectRoot, env: { ...process.env, RECORD_MODULES_TO: record }, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    const loaded = readFileSync(record, "utf8")
      .split("\n")
      .filter((url) => url.includes(CLIENT_NODE))
      .map((url) => url.slice(url.indexOf(CLIENT_NODE) + CLIENT_NODE.length));
    for (const file of ["config.js", "watch.js", "cache.js", "gen/configuration.js", "gen/servers.js"]) {
      assert.ok(loaded.includes(file), `loads ${file}`);
    }
    assert.deepEqual(
      loaded.filter((file) => file === "index.js" || file === "gen/index.js" || file.startsWith("gen/apis/")),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the adapters' KubeConfig is client-node's, and makeApiClient still builds a generated API client", () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-client-node-"));
  try {
    const file = join(dir, "kubeconfig");
    writeFileSync(
      file,
      "apiVersion: v1\nkind: Config\ncurrent-context: c\n" +
        "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443'}}]\n" +
        "contexts: [{name: c, context: {cluster: k, user: u}}]\nusers: [{name: u, user: {token: t}}]\n",
    );
    const config = loadKubeConfig({ kubeconfig: file });
    assert.ok(config instanceof clientNode.KubeConfig);
    const api = config.makeApiClient(clientNode.CoreV1Api);
    assert.ok(api instanceof clientNode.CoreV1Api);
    assert.equal(config.getCurrentCluster()?.server, "https://127.0.0.1:6443");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
