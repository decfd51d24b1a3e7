// The simulated cluster's API server for tests, with the real kubectl pointed at it: one server per test file
// (started in-process on 127.0.0.1, port 0), a kubeconfig in a temporary directory, and a runner that returns
// kubectl's exit code and output instead of throwing, so tests assert on what a user would see.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from "../../sim/index.ts";
import { kubectlPath } from "./binaries.ts";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SimKube {
  server: KubeApiServer;
  dir: string;
  kubeconfig: string;
  kubectl(args: string[], options?: { stdin?: string; kubeconfig?: string }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`); the caller kills it. */
  spawnKubectl(args: string[]): Promise<ChildProcessWithoutNullStreams>;
  stop(): Promise<void>;
}

/** `options` go to the API server (a test's fake clock, for one). */
export async function startSimKube(options: KubeApiServerOptions = {}): Promise<SimKube> {
  const kubectl = await kubectlPath();
  const server = await startKubeApiServer(options);
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-sim-kube-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, server.kubeconfig());
  // kubectl caches discovery and OpenAPI under $HOME/.kube: one home per server, so no run sees another's.
  const env = { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, "cache") };
  return {
    server,
    dir,
    kubeconfig,
    kubectl: (args, options = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          kubectl,
          ["--kubeconfig", options.kubeconfig ?? kubeconfig, ...args],
          { env, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        child.stdin?.end(options.stdin ?? "");
      }),
    spawnKubectl: async (args) => spawn(kubectl, ["--kubeconfig", kubeconfig, ...args], { env }),
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first line of `stream` that matches, and every line seen before it. */
export function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<{ line: string; seen: string[] }> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const seen: string[] = [];
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        seen.push(line);
        if (pattern.test(line)) {
          stream.off("data", onData);
          stream.off("end", onEnd);
          resolve({ line, seen });
          return;
        }
      }
    };
    const onEnd = (): void =>
      reject(new Error(`stream ended before a line matched ${pattern}; saw:\n${seen.join("\n")}`));
    stream.on("data", onData);
    stream.on("end", onEnd);
  });
}

/** Splits a kubectl table line into its cells (columns are separated by at least two spaces… or one, at the end). */
export function cells(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}
