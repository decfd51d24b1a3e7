// poolkeeper.yaml: defaults, every field's validation with its message and file:line:col, the derived status
// path, and a fuzz showing a damaged config yields errors, never an exception.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { loadConfig } from "../../gitops/index.ts";
import type { ConfigError } from "../../gitops/config.ts";
import { mutateJson, seededRandom } from "../support/json-mutation.ts";

const FILE = "poolkeeper.yaml";
const HEAD = "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: eu-1\n";

/** Loads a config whose spec is `cluster: eu-1` plus `extra` (indented lines starting at line 5). */
function load(extra = "") {
  return loadConfig(HEAD + extra, FILE);
}

function errorsOf(text: string): string[] {
  return loadConfig(text, FILE).errors.map(format);
}

function format(e: ConfigError): string {
  return `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`;
}

test("defaults: only spec.cluster is set", () => {
  const { config, errors } = load();
  assert.deepEqual(errors, []);
  assert.deepEqual(config, {
    cluster: "eu-1",
    branch: "main",
    pools: ["pools/**/*.yaml", "pools/**/*.yml"],
    policies: ["policies/**/*.yaml"],
    preset: "baseline",
    status: { branch: "poolkeeper-status", path: "status/eu-1/" },
    pollInterval: { text: "1m", ms: 60_000 },
    commitAuthor: { name: "poolkeeper", email: "poolkeeper@users.noreply.poolkeeper.dev" },
    push: { maxRetries: 5, minBackoff: { text: "1s", ms: 1000 }, maxBackoff: { text: "30s", ms: 30_000 } },
    coalesce: { text: "30s", ms: 30_000 },
    prune: false,
    controller: { durations: {}, positions: {} },
    source: { file: FILE, line: 1, col: 1 },
  });
});

test("every field set explicitly is kept", () => {
  const { config, errors } = load(
    [
      "  branch: release/v2",
      "  pools: [clusters/eu-1/*.yaml]",
      "  policies: []",
      "  preset: strict",
      "  status: {branch: status, path: ./reports//eu-1}",
      "  pollInterval: 2m30s",
      "  commitAuthor: {name: Bot, email: bot@example.com}",
      "  push: {maxRetries: 0, minBackoff: 500ms, maxBackoff: 1m}",
      "  coalesce: 0s",
      "  prune: true",
      "  cacheSize: 64Mi",
      "",
    ].join("\n"),
  );
  assert.deepEqual(errors, []);
  assert.ok(config);
  assert.equal(config.branch, "release/v2");
  assert.deepEqual(config.pools, ["clusters/eu-1/*.yaml"]);
  assert.deepEqual(config.policies, []);
  assert.equal(config.preset, "strict");
  assert.deepEqual(config.status, { branch: "status", path: "reports/eu-1/" });
  assert.deepEqual(config.pollInterval, { text: "2m30s", ms: 150_000 });
  assert.deepEqual(config.commitAuthor, { name: "Bot", email: "bot@example.com" });
  assert.deepEqual(config.push, {
    maxRetries: 0,
    minBackoff: { text: "500ms", ms: 500 },
    maxBackoff: { text: "1m", ms: 60_000 },
  });
  assert.deepEqual(config.coalesce, { text: "0s", ms: 0 });
  assert.equal(config.prune, true);
  assert.equal(config.cacheSize, 64 * 1024 * 1024); // Kubernetes' Mi: 2^20
});

test("the status path is derived from the cluster name unless set", () => {
  const derived = loadConfig(HEAD.replace("eu-1", "prod-us-east-2"), FILE).config;
  assert.equal(derived?.status.path, "status/prod-us-east-2/");
  assert.equal(load("  status: {path: out}\n").config?.status.path, "out/");
  assert.equal(load("  status: {branch: st}\n").config?.status.path, "status/eu-1/");
});

test("the documented example fixture loads, and equals the defaults", () => {
  const file = "test/fixtures/gitops/poolkeeper.yaml";
  const { config, errors } = loadConfig(readFileSync(file), file);
  assert.deepEqual(errors, []);
  const defaults = loadConfig(HEAD.replace("eu-1", "eu-west-1-prod"), file).config;
  assert.deepEqual({ ...config, source: undefined }, { ...defaults, source: undefined });
});

const fieldCases: [string, string, string][] = [
  // [description, extra spec lines, expected error]
  ["branch with ..", "  branch: a..b\n", `${FILE}:5:3: spec.branch must be a git branch name (found "a..b")`],
  ["branch not a string", "  branch: 3\n", `${FILE}:5:3: spec.branch must be string`],
  ["pools empty", "  pools: []\n", `${FILE}:5:3: spec.pools must NOT have fewer than 1 items`],
  ["pools not a list", "  pools: pools/*.yaml\n", `${FILE}:5:3: spec.pools must be array`],
  ["empty glob", '  pools: [""]\n', `${FILE}:5:11: spec.pools[0] must NOT have fewer than 1 characters`],
  ["policy glob not a string", "  policies: [a, 1]\n", `${FILE}:5:17: spec.policies[1] must be string`],
  ["preset", "  preset: strictest\n", `${FILE}:5:3: spec.preset must be one of "baseline", "strict"`],
  [
    "status branch",
    "  status:\n    branch: -x\n",
    `${FILE}:6:5: spec.status.branch must be a git branch name (found "-x")`,
  ],
  [
    "status path absolute",
    "  status: {path: /etc}\n",
    `${FILE}:5:12: spec.status.path must be a relative path inside the repository, without '..' (found "/etc")`,
  ],
  [
    "status path escaping",
    "  status: {path: a/../../b}\n",
    `${FILE}:5:12: spec.status.path must be a relative path inside the repository, without '..' (found "a/../../b")`,
  ],
  [
    "status branch equals branch",
    "  branch: poolkeeper-status\n",
    `${FILE}:5:3: spec.status.branch must differ from spec.branch (both are "poolkeeper-status")`,
  ],
  [
    "pollInterval not a duration",
    "  pollInterval: 1d\n",
    `${FILE}:5:3: spec.pollInterval: invalid duration "1d": "d" (days) is not a Go duration unit; use hours, e.g. "24h"`,
  ],
  [
    "pollInterval missing unit",
    "  pollInterval: '60'\n",
    `${FILE}:5:3: spec.pollInterval: invalid duration "60": missing unit; expected a Go duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h)`,
  ],
  [
    "pollInterval too short",
    "  pollInterval: 9s\n",
    `${FILE}:5:3: spec.pollInterval must be at least 10s (found "9s")`,
  ],
  ["pollInterval a number", "  pollInterval: 60\n", `${FILE}:5:3: spec.pollInterval must be string`],
  [
    "commitAuthor name",
    "  commitAuthor:\n    name: 'a <b>'\n",
    `${FILE}:6:5: spec.commitAuthor.name must be a name without '<', '>' (found "a <b>")`,
  ],
  [
    "commitAuthor email",
    "  commitAuthor:\n    email: nobody\n",
    `${FILE}:6:5: spec.commitAuthor.email must be an e-mail address (found "nobody")`,
  ],
  ["maxRetries too high", "  push: {maxRetries: 21}\n", `${FILE}:5:10: spec.push.maxRetries must be <= 20`],
  ["maxRetries negative", "  push: {maxRetries: -1}\n", `${FILE}:5:10: spec.push.maxRetries must be >= 0`],
  ["maxRetries fractional", "  push: {maxRetries: 1.5}\n", `${FILE}:5:10: spec.push.maxRetries must be integer`],
  [
    "minBackoff negative",
    "  push: {minBackoff: -1s}\n",
    `${FILE}:5:10: spec.push.minBackoff must not be negative (found "-1s")`,
  ],
  [
    "maxBackoff invalid",
    "  push: {maxBackoff: soon}\n",
    `${FILE}:5:10: spec.push.maxBackoff: invalid duration "soon": expected a Go duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h)`,
  ],
  [
    "minBackoff above maxBackoff",
    "  push: {minBackoff: 1m, maxBackoff: 10s}\n",
    `${FILE}:5:10: spec.push.minBackoff ("1m") must not exceed spec.push.maxBackoff ("10s")`,
  ],
  ["coalesce negative", "  coalesce: -5s\n", `${FILE}:5:3: spec.coalesce must not be negative (found "-5s")`],
  ["spec.push not an object", "  push: 3\n", `${FILE}:5:3: spec.push must be object`],
  ["prune not a boolean", '  prune: "true"\n', `${FILE}:5:3: spec.prune must be boolean`],
  ["cacheSize a number", "  cacheSize: 64\n", `${FILE}:5:3: spec.cacheSize must be string`],
  ["cacheSize too small", "  cacheSize: 1Ki\n", `${FILE}:5:3: spec.cacheSize: "1Ki" is outside 4Mi to 16Gi`],
  ["cacheSize too large", "  cacheSize: 17Gi\n", `${FILE}:5:3: spec.cacheSize: "17Gi" is outside 4Mi to 16Gi`],
];

for (const [name, extra, expected] of fieldCases) {
  test(`field validation: ${name}`, () => {
    const result = load(extra);
    assert.equal(result.config, undefined);
    assert.deepEqual(result.errors.map(format), [expected]);
  });
}

test("field validation: cluster", () => {
  const text = (cluster: string) => HEAD.replace("cluster: eu-1", `cluster: ${cluster}`);
  const dns = "a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
  assert.deepEqual(errorsOf(text("EU_1")), [`${FILE}:4:3: spec.cluster must be ${dns} (found "EU_1")`]);
  assert.deepEqual(errorsOf(text("eu-")), [`${FILE}:4:3: spec.cluster must be ${dns} (found "eu-")`]);
  assert.deepEqual(errorsOf(text("a".repeat(64))), [`${FILE}:4:3: spec.cluster must NOT have more than 63 characters`]);
  assert.deepEqual(errorsOf(text("12")), [`${FILE}:4:3: spec.cluster must be string`]);
  assert.equal(loadConfig(text("a".repeat(63)), FILE).errors.length, 0);
  assert.deepEqual(errorsOf("apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  branch: main\n"), [
    `${FILE}:3:1: spec.cluster is required`,
  ]);
  assert.deepEqual(errorsOf("apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\n"), [
    `${FILE}:1:1: spec is required`,
  ]);
});

test("field validation: cacheSize written with a decimal suffix for bytes names the binary one", () => {
  const [error] = errorsOf(HEAD + "  cacheSize: 64MB\n");
  assert.match(error ?? "", /^poolkeeper\.yaml:5:3: spec\.cacheSize: invalid quantity "64MB".*"64Mi"/);
});

test("misspelt keys are named with a suggestion, at every level", () => {
  assert.deepEqual(errorsOf(HEAD + "  pollInterva: 1m\n  push:\n    maxRetrie: 3\n  status: {pth: x}\n  zzz: 1\n"), [
    `${FILE}:5:3: unknown field "spec.pollInterva" (did you mean "pollInterval"?)`,
    `${FILE}:7:5: unknown field "spec.push.maxRetrie" (did you mean "maxRetries"?)`,
    `${FILE}:8:12: unknown field "spec.status.pth" (did you mean "path"?)`,
    `${FILE}:9:3: unknown field "spec.zzz"`,
  ]);
  assert.deepEqual(errorsOf(HEAD + "specs: {}\n"), [`${FILE}:5:1: unknown field "specs" (did you mean "spec"?)`]);
});

test("errors from several fields are all reported, in source order", () => {
  assert.deepEqual(errorsOf(HEAD + "  preset: x\n  pollInterval: 1s\n  coalesce: never\n"), [
    `${FILE}:5:3: spec.preset must be one of "baseline", "strict"`,
    `${FILE}:6:3: spec.pollInterval must be at least 10s (found "1s")`,
    `${FILE}:7:3: spec.coalesce: invalid duration "never": expected a Go duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h)`,
  ]);
});

test("not a config: empty, comments only, wrong kind, two documents, a list, invalid YAML, binary", () => {
  const empty = `${FILE}:1:1: config file is empty: expected a PoolkeeperConfig`;
  assert.deepEqual(errorsOf(""), [empty]);
  assert.deepEqual(errorsOf("# nothing\n---\n"), [empty]);
  assert.deepEqual(loadConfig(new Uint8Array(), FILE).errors.map(format), [empty]);
  assert.deepEqual(errorsOf("apiVersion: karpenter.sh/v1\nkind: NodePool\n"), [
    `${FILE}:1:1: expected a PoolkeeperConfig (poolkeeper.dev/v1alpha1), found NodePool (karpenter.sh/v1)`,
  ]);
  assert.deepEqual(errorsOf("apiVersion: poolkeeper.dev/v1\nkind: PoolkeeperConfig\n"), [
    `${FILE}:1:1: expected a PoolkeeperConfig (poolkeeper.dev/v1alpha1), found PoolkeeperConfig (poolkeeper.dev/v1)`,
  ]);
  assert.deepEqual(errorsOf("- a\n- b\n"), [
    `${FILE}:1:1: expected a PoolkeeperConfig (poolkeeper.dev/v1alpha1), found not an object`,
  ]);
  assert.deepEqual(errorsOf(`${HEAD}---\n${HEAD}`), [
    `${FILE}:6:1: config file holds 2 documents: expected a single PoolkeeperConfig`,
  ]);
  const broken = errorsOf("spec: {cluster: [\n");
  assert.equal(broken.length > 0, true);
  assert.match(broken[0] ?? "", /^poolkeeper\.yaml:\d+:\d+: config file: /);
  assert.deepEqual(errorsOf(`${HEAD}  cluster: eu-2\n`).length, 1);
  assert.match(errorsOf(`${HEAD}  cluster: eu-2\n`)[0] ?? "", /^poolkeeper\.yaml:5:3: config file: .*[Uu]nique/);
  assert.deepEqual(loadConfig(new Uint8Array([0xff, 0xfe, 0]), FILE).errors.map(format), [
    `${FILE}:1:1: config file: file is not text (binary data or invalid UTF-8): expected YAML`,
  ]);
});

test("500 mutated configs: loadConfig never throws, and returns a config or errors with positions", () => {
  const example = loadConfig(readFileSync("test/fixtures/gitops/poolkeeper.yaml"), FILE);
  assert.ok(example.config);
  const base = {
    apiVersion: "poolkeeper.dev/v1alpha1",
    kind: "PoolkeeperConfig",
    spec: {
      cluster: "eu-1",
      branch: "main",
      pools: ["pools/**/*.yaml"],
      policies: ["policies/**/*.yaml"],
      preset: "strict",
      status: { branch: "poolkeeper-status", path: "status/eu-1/" },
      pollInterval: "1m",
      commitAuthor: { name: "poolkeeper", email: "a@b.c" },
      push: { maxRetries: 5, minBackoff: "1s", maxBackoff: "30s" },
      coalesce: "30s",
    },
  };
  const next = seededRandom(20261125);
  const profile = {
    replacements: [null, 0, -1, 1.5, 21, "", "x", "1d", "-1s", "5s", "main", "💥", true, [], {}, [null], { "": 1 }],
    replace: 0.03,
    maxDepth: 6,
    emptyList: 0.05,
    doubleList: 0.05,
    dropKey: 0.03,
    misspellKey: 0.01,
    garbleString: 0.03,
    extraKeys: ["pollIntervall", "constructor", "__proto__", "spec"],
    addKey: 0.01,
  };
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < 500; i++) {
    const mutated = mutateJson(base, next, profile);
    let text = stringify(mutated);
    // Some inputs are damaged as text too: cut, doubled or given a stray character.
    const r = next();
    if (r < 0.05) text = text.slice(0, Math.floor(next() * text.length));
    else if (r < 0.08) text = `${text}---\n${text}`;
    else if (r < 0.1) text = text.replace(":", ": [");
    const result = loadConfig(text, FILE);
    if (result.config) {
      valid++;
      assert.deepEqual(result.errors, []);
      assert.ok(Number.isFinite(result.config.pollInterval.ms) && result.config.pollInterval.ms >= 10_000);
      assert.ok(result.config.status.path.endsWith("/"));
    } else {
      invalid++;
      assert.ok(result.errors.length > 0);
      for (const e of result.errors) {
        assert.equal(e.source.file, FILE);
        assert.ok(e.source.line >= 1 && e.source.col >= 1);
        assert.equal(typeof e.message, "string");
        assert.ok(e.message.length > 0);
      }
    }
  }
  assert.ok(valid > 20 && invalid > 100, `valid ${valid}, invalid ${invalid}`);
});
