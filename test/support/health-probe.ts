// For the gate's event-loop tests: a connection to a server's /healthz opened in advance, and a Git source that
// sends the probe's request the moment the pool files of a commit have been read — so that the order of "files
// read", "health answered" and "commit judged" shows whether the server answered while the commit was judged.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { CONFIG_FILE } from "../../gitops/gate.ts";
import type { GitSource } from "../../gitops/source.ts";
import { guardAgainstHang } from "./hang-guard.ts";

export interface HealthProbe {
  /** What happened, in order: "files read", "health answered", and what the test pushes. */
  order: string[];
  /** `inner`, asking for /healthz once the pools (anything but the config file) are read. */
  probingSource(inner: GitSource): GitSource;
  /** Resolves once the health answer has come (or the connection closed without one). */
  answered(): Promise<unknown>;
}

export async function openHealthProbe(port: number): Promise<HealthProbe> {
  const probe = connect({ host: "127.0.0.1", port });
  await guardAgainstHang(new Promise((resolve) => probe.once("connect", resolve)), "the probe's connection");
  const order: string[] = [];
  probe.once("data", (chunk: Buffer) => {
    assert.match(chunk.toString("latin1"), /^HTTP\/1\.1 200 /);
    order.push("health answered");
  });
  return {
    order,
    probingSource: (inner) => ({
      remote: inner.remote,
      branch: inner.branch,
      fetch: () => inner.fetch(),
      async readTree(sha, globs) {
        const files = await inner.readTree(sha, globs);
        if (globs.some((glob) => glob !== CONFIG_FILE)) {
          order.push("files read");
          probe.write("GET /healthz HTTP/1.1\r\nHost: sync\r\nConnection: close\r\n\r\n");
        }
        return files;
      },
      descends: (sha, ancestor) => inner.descends(sha, ancestor),
      firstParents: (sha, depth) => inner.firstParents(sha, depth),
      verifySignature: (sha, signers) => inner.verifySignature(sha, signers),
    }),
    answered: () =>
      guardAgainstHang(
        new Promise((resolve) => (order.includes("health answered") ? resolve(true) : probe.once("close", resolve))),
        "the health answer",
      ),
  };
}
