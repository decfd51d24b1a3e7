// `check` on one file started in 736 ms over a bare Node, much of it loading modules it never uses: the Git side
// (gitops/, isomorphic-git) for two option defaults of `sync` and `history`, and runtime/ (pino, prom-client, the
// HTTP listener) for the server commands' limits. Those are loaded now only for a command that may need them.
// Checked by what a real process resolves (module hooks), not by time.
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { needsServerOptions } from "../../cli/main.ts";
import { projectRoot } from "../support/fixtures.ts";
import { modulesResolvedRunning } from "../support/modules-resolved.ts";

function modulesLoadedBy(...args: string[]): string[] {
  return modulesResolvedRunning([join(projectRoot, "bin", "poolkeeper.js"), ...args], [0, 1]);
}

// The project's server-side parts, and the packages only they use.
const root = pathToFileURL(projectRoot).href;
const SERVER_SIDE = [
  ...["gitops", "runtime", "webhook"].map((part) => new RegExp(`^${root}/${part}/`)),
  ...["isomorphic-git", "pino", "prom-client", "express"].map((pkg) => new RegExp(`/node_modules/${pkg}/`)),
];

test("check, fix, validate and explain load none of the servers' modules", () => {
  const file = "test/fixtures/upstream/general-purpose.yaml";
  for (const args of [
    ["check", file],
    ["fix", "--dry-run", file],
    ["validate", file],
    ["explain", "limits.required"],
  ]) {
    const loaded = modulesLoadedBy(...args);
    assert.ok(
      loaded.some((url) => url.endsWith("/cli/main.ts")),
      `${args[0]}: the hook saw the command start`,
    );
    for (const pattern of SERVER_SIDE) {
      assert.deepEqual(
        loaded.filter((url) => pattern.test(url)),
        [],
        `${args[0]} loads ${pattern}`,
      );
    }
  }
});

// The CRDs' structural validators are generated standalone code, needing only ajv's small run-time helpers; ajv itself
// (its compiler, sixty modules) is loaded only to read a PoolPolicy or PoolPolicyTest.
test("check without a policy file loads no ajv compiler; with one it does", () => {
  const compiler = /\/node_modules\/ajv\/dist\/(ajv|core)\.js$/;
  const file = "test/fixtures/upstream/general-purpose.yaml";
  assert.deepEqual(
    modulesLoadedBy("check", file).filter((url) => compiler.test(url)),
    [],
  );
  const withPolicy = modulesLoadedBy("check", "--policy", "test/fixtures/policy/policies/tags-require-team.yaml", file);
  assert.ok(withPolicy.some((url) => compiler.test(url)));
});

test("sync and history still find gitops' defaults and choices in their help", () => {
  const loaded = modulesLoadedBy("history", "--help");
  assert.ok(loaded.includes(`${root}/gitops/index.ts`));
});

test("which first word needs the server commands' options", () => {
  for (const argv of [["check", "x.yaml"], ["fix"], ["explain"], ["validate", "-"], ["plan"], ["--version", "check"]]) {
    assert.equal(needsServerOptions(argv), false, argv.join(" "));
  }
  for (const argv of [
    [],
    ["--help"],
    ["serve", "--port", "1"],
    ["sync", "--once"],
    ["run", "--help"],
    ["history"],
    ["help", "sync"],
    ["chek"],
  ]) {
    assert.equal(needsServerOptions(argv), true, argv.join(" "));
  }
});
