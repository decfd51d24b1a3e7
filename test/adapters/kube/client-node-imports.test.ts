// adapters/kube loads client-node's KubeConfig, Watch and ListWatch without the generated API classes (client-node.ts):
// checked by what a real process resolves (module hooks), and KubeConfig is still client-node's own class, whose
// makeApiClient builds a generated API client when a caller loads one.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as clientNode from "@kubernetes/client-node";
import { loadKubeConfig } from "../../../adapters/kube/index.ts";
import { filesOf, modulesResolvedImporting } from "../../support/modules-resolved.ts";

const ADAPTERS = new URL("../../../adapters/index.ts", import.meta.url);

test("the adapters load client-node's config, watch and list-watch, and none of its generated API classes", () => {
  const loaded = filesOf("@kubernetes/client-node", modulesResolvedImporting(ADAPTERS));
  for (const file of [
    "dist/config.js",
    "dist/watch.js",
    "dist/cache.js",
    "dist/gen/configuration.js",
    "dist/gen/servers.js",
  ]) {
    assert.ok(loaded.includes(file), `loads ${file}`);
  }
  assert.deepEqual(
    loaded.filter(
      (file) => file === "dist/index.js" || file === "dist/gen/index.js" || file.startsWith("dist/gen/apis/"),
    ),
    [],
  );
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
