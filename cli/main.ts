// The `poolkeeper` command line. Exit codes: 0 clean (warnings allowed), 1 findings that block, 2 usage or I/O.
import { Command, CommanderError, Option } from "commander";
import { runValidate } from "./commands/validate.ts";
import { runCheck } from "./commands/check.ts";
import { runExplain } from "./commands/explain.ts";
import { runFix } from "./commands/fix.ts";
import type { ServeOptions } from "./commands/serve.ts";
import type { SimOptions } from "./commands/sim.ts";
import type { DemoOptions } from "./commands/demo.ts";
import type { SyncOptions } from "./commands/sync.ts";
import type { RunControl, RunOptions } from "./commands/run.ts";
import type * as RunSettings from "./run-settings.ts";
import { gitCredentialOptions } from "./git-credentials.ts";
import type * as ServingLimits from "./serving-limits.ts";
import type { HistoryOptions } from "./commands/history.ts";
import type { TestOptions } from "./commands/test.ts";
import type { PlanOptions } from "./commands/plan.ts";
import type { SnapshotOptions } from "./commands/snapshot.ts";
import type * as Gitops from "../gitops/index.ts";
import { escapeControlCharacters, PRESETS, type PresetName } from "../policies/index.ts";
import type { ReportFormat } from "../policies/index.ts";
import { toolVersion } from "./version.ts";
import { InputError } from "./input-files.ts";
import { processOutput, type Output } from "./output.ts";

/**
 * What the server commands' options (serve, sync, history) take from runtime/ and gitops/: limits, defaults, choices.
 * Those parts (pino, prom-client, isomorphic-git among them) are a large part of start-up, so main loads them only for
 * a command that may need them; without them the program has no server commands.
 */
export interface ServerOptionFacts {
  gitops: Pick<typeof Gitops, "configDefaults" | "DEFAULT_HOOK_RATE_LIMIT" | "STATUS_EVENT_KINDS">;
  limits: Pick<typeof ServingLimits, "hookRateLimitOption" | "servingLimitOptions">;
  run: Pick<typeof RunSettings, "controllerSettingOptions" | "envVarOf">;
}

// The commands that start no server; any other first word (serve, sync, history, help, a typo) loads their options.
const WITHOUT_SERVERS = new Set(["check", "fix", "test", "explain", "validate", "demo", "plan", "snapshot"]);

/** Whether the command `argv` names needs the server commands' options (ServerOptionFacts). */
export function needsServerOptions(argv: readonly string[]): boolean {
  const command = argv.find((arg) => !arg.startsWith("-"));
  return command === undefined || !WITHOUT_SERVERS.has(command);
}

async function serverOptionFacts(): Promise<ServerOptionFacts> {
  const [gitops, limits, run] = await Promise.all([
    import("../gitops/index.ts"),
    import("./serving-limits.ts"),
    import("./run-settings.ts"),
  ]);
  return { gitops, limits, run };
}

/** What a caller in the same process (a test) gives the long-running commands besides their arguments. */
export interface MainControl {
  /** `run`'s clock, stop signal and log destination (`sourceOf` is commander's). */
  run?: Omit<RunControl, "sourceOf">;
}

export function buildProgram(
  out: Output,
  setExit: (code: number) => void,
  servers?: ServerOptionFacts,
  control: MainControl = {},
): Command {
  const program = new Command("poolkeeper")
    .description("GitOps policy engine and node autoscaler for Karpenter NodePools and EC2NodeClasses")
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr })
    .version(toolVersion)
    .showHelpAfterError();

  const collect = (value: string, previous: string[]) => [...previous, value];
  const preset = () => new Option("--preset <preset>", "rule set to start from").choices(PRESETS).default("baseline");
  const policyOption = () =>
    new Option("--policy <file>", "PoolPolicy file (repeatable)").argParser(collect).default([]);
  const catalogOption = () => new Option("--catalog <file>", "instance-type catalog JSON (default: the bundled one)");

  program
    .command("check")
    .description("judge NodePool / EC2NodeClass manifests against policy (pull-request checks)")
    .argument("[paths...]", "files or directories (searched for *.yaml, *.yml); - reads standard input")
    .option(
      "--base <git-ref>",
      "compare each object with its version at this Git ref (new, changed, deleted; change impact)",
    )
    .addOption(policyOption())
    .addOption(preset())
    .addOption(
      new Option("--format <format>", "report format")
        .choices(["text", "json", "sarif", "junit", "github"])
        .default("text"),
    )
    .addOption(catalogOption())
    .addOption(
      new Option(
        "--exclude <glob>",
        "leave out walked paths matching this glob, as .poolkeeperignore does (repeatable)",
      )
        .argParser(collect)
        .default([]),
    )
    .option("--strict-base", "with --base: findings the base already had deny too (no ratcheting)", false)
    .option("--verbose", "text output: how to fix each finding, on the line below it", false)
    .option("--quiet", "report denials only (and what could not be read)", false)
    .action(
      (
        paths: string[],
        o: {
          strictBase: boolean;
          verbose: boolean;
          quiet: boolean;
          base?: string;
          policy: string[];
          preset: PresetName;
          format: ReportFormat;
          catalog?: string;
          exclude: string[];
        },
      ) => setExit(runCheck(paths, o, out)),
    );

  program
    .command("fix")
    .description(
      "apply the policy's fixes to manifests, editing only the changed text; rewrites older API versions in v1; shows a diff",
    )
    .argument("[paths...]", "files or directories")
    .option("--dry-run", "show the diff without writing", false)
    .option("--all", "apply audit findings' fixes too (deny and warn ones are always applied)", false)
    .addOption(policyOption())
    .addOption(preset())
    .addOption(catalogOption())
    .action(
      (paths: string[], o: { dryRun: boolean; all: boolean; policy: string[]; preset: PresetName; catalog?: string }) =>
        setExit(runFix(paths, o, out)),
    );

  program
    .command("test")
    .description(
      "run the PoolPolicy tests (poolkeeper-test.yaml: manifests, policies, the result expected per rule and object) " +
        "below the paths; exit 1 when a result differs",
    )
    .argument("[paths...]", "test files, or directories searched for poolkeeper-test.yaml")
    .addOption(new Option("--format <format>", "report format").choices(["text", "junit"]).default("text"))
    .addOption(catalogOption())
    // Loaded when used, as serve: check's start-up does not pay for it.
    .action(async (paths: string[], o: TestOptions) => {
      const { runTest } = await import("./commands/test.ts");
      setExit(runTest(paths, o, out));
    });

  program
    .command("plan")
    .description(
      "what a pull request would do: its policy findings (as check --base) and, over a cluster snapshot, the nodes " +
        "that drift and how fast budgets replace them, new nodes for pending pods, consolidation, limits and the $/h",
    )
    .argument("[paths...]", "files or directories holding the pools (searched for *.yaml, *.yml)")
    .requiredOption("--base <git-ref>", "the change's base (a pull request's target branch)")
    .option("--head <git-ref>", "the change's head (default: the working tree)")
    .option("--snapshot <file>", "a ClusterSnapshot (poolkeeper snapshot) to plan over")
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .addOption(policyOption())
    .addOption(preset())
    .addOption(catalogOption())
    .addOption(
      new Option("--exclude <glob>", "leave out walked paths matching this glob (repeatable)")
        .argParser(collect)
        .default([]),
    )
    .option("--strict-base", "findings the base already had deny too (no ratcheting)", false)
    // Loaded when used, as test: check's start-up does not pay for the controller's modules.
    .action(async (paths: string[], o: PlanOptions) => {
      const { runPlan } = await import("./commands/plan.ts");
      setExit(runPlan(paths, o, out));
    });

  program
    .command("snapshot")
    .description(
      "write a ClusterSnapshot of a cluster for plan: Nodes, pods (requests, constraints, owners; never env or " +
        "volumes), NodeClaims, PDBs, DaemonSets and the catalog's offerings in the nodes' zones",
    )
    .option("--kubeconfig <file>", "the cluster (default: in-cluster, the pod's ServiceAccount)")
    .option("--context <name>", "the kubeconfig context (default: its current context)")
    .option("-o, --output <file>", "write the snapshot here (default: standard output)")
    .option("--zones <list>", "comma-separated zones to offer the catalog's types in (default: the nodes' zones)")
    .option("--region <region>", "the region (default: the nodes' topology.kubernetes.io/region)")
    .option("--cluster <name>", "a name for the cluster, shown by plan")
    .option("--timeout <seconds>", "how long to wait for the API server's lists", "60")
    .addOption(catalogOption())
    .action(async (o: SnapshotOptions) => {
      const { runSnapshot } = await import("./commands/snapshot.ts");
      setExit(await runSnapshot(o, out));
    });

  program
    .command("explain")
    .description("print a policy rule's documentation (or list the rules)")
    .argument("[rule]", "rule id, e.g. imds.http-tokens")
    .action((rule: string | undefined) => setExit(runExplain(rule, out)));

  program
    .command("validate")
    .description(
      "validate NodePool / EC2NodeClass / NodeClaim manifests as the API server would (CRD schema and CEL rules)",
    )
    .argument("[paths...]", "files or directories (searched for *.yaml, *.yml); - reads standard input")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((paths: string[], options: { format: "text" | "json" }) => setExit(runValidate(paths, options, out)));

  // Loaded only for the commands that may need them (ServerOptionFacts), and each command's code when it runs.
  if (servers) {
    const { gitops, limits, run: runSettings } = servers;
    const serve = program
      .command("serve")
      .description("run the validating and mutating admission webhook (HTTPS; until SIGTERM)")
      .option("--port <port>", "HTTPS port", "9443")
      .option("--host <address>", "address to listen on", "0.0.0.0")
      .requiredOption("--tls-cert <file>", "serving certificate, PEM (reloaded when it changes)")
      .requiredOption("--tls-key <file>", "its private key, PEM (reloaded when it changes)")
      .option(
        "--client-ca <file>",
        "require a client certificate signed by a CA in this PEM file, as the API server presents when configured to (reloaded when it changes)",
      )
      .addOption(policyOption())
      .addOption(preset())
      .addOption(catalogOption())
      .addOption(
        new Option("--log-level <level>", "lowest log level written")
          .choices(["fatal", "error", "warn", "info", "debug", "trace"])
          .default("info"),
      );
    for (const option of limits.servingLimitOptions()) serve.addOption(option);
    // Loaded when used: the webhook's modules (express among them) are a large part of every command's start-up.
    serve.action(async (o: ServeOptions) => {
      const { runServe } = await import("./commands/serve.ts");
      setExit(await runServe(o, out));
    });

    const sync = program
      .command("sync")
      .description(
        "follow a pool repository's branch: judge each new head through the policy gate, keep the last good state, " +
          "commit status reports to the status branch (until SIGTERM, or --once)",
      )
      .requiredOption("--repo <url|path>", "HTTP(S) Git remote or local repository path")
      .option("--branch <name>", "branch holding the desired state", "main")
      .option("--once", "sync once and exit: 0 accepted, 1 rejected, 2 Git or config failure", false)
      .option("--config <file>", "use this poolkeeper.yaml instead of the repository's")
      .option("--cache-dir <dir>", "where the clones are kept (use a persistent volume; default ~/.cache/poolkeeper/…)")
      .option(
        "--cache-size <bytes>",
        "memory for the Git side's caches, a quantity such as 64Mi (default: poolkeeper.yaml's cacheSize, else 32Mi)",
      )
      .option("--no-status", "judge only: write no status and restore nothing")
      .option("--allowed-signers <file>", "accept only commits signed (SSH) by a key in this allowed-signers file")
      .addOption(
        new Option(
          "--policy <file>",
          "PoolPolicy file kept outside the repository; judges instead of its policies/ (repeatable)",
        )
          .argParser(collect)
          .default([]),
      )
      .addOption(catalogOption())
      .addOption(
        new Option("--format <format>", "report format of --once")
          .choices(["text", "json", "sarif", "junit", "github"])
          .default("text"),
      )
      .option("--port <port>", "port of the push hook, /healthz, /readyz and /metrics", "8080")
      .option("--host <address>", "address to listen on", "0.0.0.0")
      .option("--tls-cert <file>", "serve HTTPS with this certificate, PEM (reloaded when it changes)")
      .option("--tls-key <file>", "its private key, PEM")
      .option("--github-secret-file <file>", "GitHub webhook secret (or POOLKEEPER_GITHUB_WEBHOOK_SECRET)")
      .option("--gitlab-token-file <file>", "GitLab webhook token (or POOLKEEPER_GITLAB_WEBHOOK_TOKEN)")
      .option(
        "--apply",
        "apply the last good state to the cluster (server-side apply; drift reverted; prune only where poolkeeper.yaml " +
          "or an object opts in), record what Karpenter does in the status branch, elect a leader among replicas",
        false,
      )
      .option("--kubeconfig <file>", "the cluster for --apply (default: in-cluster, the pod's ServiceAccount)")
      .option("--context <name>", "the kubeconfig context for --apply (default: its current context)")
      .option(
        "--leader-election-namespace <namespace>",
        "namespace of the Lease replicas of --apply share (poolkeeper-sync-<cluster>)",
        "kube-system",
      )
      .addOption(
        new Option("--log-level <level>", "lowest log level written (default: info; warn with --once)").choices([
          "fatal",
          "error",
          "warn",
          "info",
          "debug",
          "trace",
        ]),
      );
    for (const option of gitCredentialOptions()) sync.addOption(option);
    for (const option of limits.servingLimitOptions()) sync.addOption(option);
    sync.addOption(limits.hookRateLimitOption(gitops.DEFAULT_HOOK_RATE_LIMIT));
    sync.action(async (o: SyncOptions) => {
      const { runSync } = await import("./commands/sync.ts");
      setExit(await runSync(o, out));
    });

    const run = program
      .command("run")
      .description(
        "run the autoscaling controller: follow the pool repository as sync does and run the controller loops on " +
          "the replica that holds the leader Lease, never beside a Karpenter controller (until SIGTERM); every " +
          "setting also comes from its POOLKEEPER_* environment variable",
      )
      .requiredOption("--repo <url|path>", "HTTP(S) Git remote or local repository path")
      .option("--branch <name>", "branch holding the desired state", "main")
      .option("--config <file>", "use this poolkeeper.yaml instead of the repository's")
      .option("--cache-dir <dir>", "where the clones are kept (use a persistent volume; default ~/.cache/poolkeeper/…)")
      .option(
        "--cache-size <bytes>",
        "memory for the Git side's caches, a quantity such as 64Mi (default: poolkeeper.yaml's cacheSize, else 32Mi)",
      )
      .option("--no-status", "write no status and restore nothing")
      .option("--allowed-signers <file>", "accept only commits signed (SSH) by a key in this allowed-signers file")
      .addOption(
        new Option(
          "--policy <file>",
          "PoolPolicy file kept outside the repository; judges instead of its policies/ (repeatable)",
        )
          .argParser(collect)
          .default([]),
      )
      .addOption(catalogOption())
      .option("--port <port>", "port of /healthz, /readyz, /metrics and the push hook", "8080")
      .option("--host <address>", "address to listen on", "0.0.0.0")
      .option("--tls-cert <file>", "serve HTTPS with this certificate, PEM (reloaded when it changes)")
      .option("--tls-key <file>", "its private key, PEM")
      .option("--github-secret-file <file>", "GitHub webhook secret (or POOLKEEPER_GITHUB_WEBHOOK_SECRET)")
      .option("--gitlab-token-file <file>", "GitLab webhook token (or POOLKEEPER_GITLAB_WEBHOOK_TOKEN)");
    for (const option of gitCredentialOptions()) run.addOption(option);
    for (const option of limits.servingLimitOptions()) run.addOption(option);
    run.addOption(limits.hookRateLimitOption(gitops.DEFAULT_HOOK_RATE_LIMIT));
    for (const option of runSettings.controllerSettingOptions()) run.addOption(option);
    // Every setting from its POOLKEEPER_* variable too (the controller's are set in their table already).
    for (const option of run.options)
      if (option.envVar === undefined && option.long) option.env(runSettings.envVarOf(option.long));
    run.action(async (o: RunOptions, command: Command) => {
      const { runRun } = await import("./commands/run.ts");
      setExit(await runRun(o, out, { ...control.run, sourceOf: (key) => command.getOptionValueSource(key) }));
    });

    const history = program
      .command("history")
      .description("print the audit trail from the status branch, newest first")
      .option("--repo <url|path>", "HTTP(S) Git remote or local repository path (bare or a clone)", ".")
      .option("--status-branch <name>", "branch the status commits are on", gitops.configDefaults.statusBranch)
      .option("--cluster <name>", "only commits of this cluster")
      .option("--pool <name>", "only events of this NodePool")
      .addOption(new Option("--event <kind>", "only events of this kind").choices(gitops.STATUS_EVENT_KINDS))
      .option("--since <when>", 'only commits since a time ("2026-11-01", "2026-11-01T10:00:00Z") or ago ("24h", "7d")')
      .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
      .option("--cache-dir <dir>", "keep the clone of an HTTP(S) remote here between runs (default: a temporary one)");
    for (const option of gitCredentialOptions()) history.addOption(option);
    history.action(async (o: HistoryOptions) => {
      const { runHistory } = await import("./commands/history.ts");
      setExit(await runHistory(o, out));
    });
  }

  const sim = program
    .command("sim")
    .description(
      "run the simulated world standalone (Kubernetes API, AWS endpoint, controllers, scheduler, kubelets) until " +
        "SIGINT or SIGTERM; prints KUBECONFIG and the AWS environment for eval",
    )
    .option("--seed <n>", "seeds every draw the world makes (scheduler ties, faults)", "0")
    .option("--time-factor <x>", "simulated seconds per wall second (scaled clock)", "1")
    .option("--scenario <file>", "YAML manifests to create at start (Namespaces, Nodes, Deployments, NodePools, …)")
    .option("--dir <dir>", "where the kubeconfig, CA and env.sh are written (default: a temporary directory)")
    .option("--port <port>", "port of the Kubernetes API (0: any free one)", "0")
    .option("--aws-port <port>", "port of the AWS endpoint (0: any free one)", "0")
    .addOption(
      new Option("--log-level <level>", "lowest log level written to standard error").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
      ]),
    );
  // Loaded when used, as serve: the world's modules are not needed by any other command.
  sim.action(async (o: SimOptions) => {
    const { runSim } = await import("./commands/sim.ts");
    setExit(await runSim(o, out));
  });

  program
    .command("demo")
    .description(
      "run the whole job on the embedded simulated world (Kubernetes API, EC2, SQS), a local Git server, the " +
        "admission webhook and `poolkeeper run`: a scenario of steps, each asserted; exit 0 only if every one held",
    )
    .option(
      "--keep-running",
      "leave everything up at the end and print the commands to explore it (until Ctrl-C)",
      false,
    )
    .option("--dir <dir>", "where the kubeconfig, the repositories and demo.log go (default: a temporary directory)")
    .option(
      "--time-factor <x>",
      "simulated seconds per wall second once --keep-running leaves everything up (the scenario itself moves its " +
        "virtual time only when nothing is under way, as fast as the machine allows)",
      "30",
    )
    // Loaded when used: the world, the webhook and the Git side are not needed by any other command.
    .action(async (o: DemoOptions) => {
      const { runDemo } = await import("./commands/demo.ts");
      setExit(await runDemo(o, out, { main }));
    });

  return program;
}

export async function main(
  argv: readonly string[],
  out: Output = processOutput,
  control: MainControl = {},
): Promise<number> {
  let exitCode = 0;
  const servers = needsServerOptions(argv) ? await serverOptionFacts() : undefined;
  const program = buildProgram(out, (code) => (exitCode = code), servers, control);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      // Messages name paths and values from the input: shown with their control characters escaped, line by line
      // (a message may list several problems, one a line).
      out.stderr(`poolkeeper: ${error.message.split("\n").map(escapeControlCharacters).join("\n")}\n`);
      return 2;
    }
    out.stderr(`poolkeeper: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
