// `poolkeeper sim`: the simulated world standalone — the Kubernetes API over HTTPS and the AWS endpoint on
// 127.0.0.1, the world's controllers, scheduler, kubelets and volumes running on a scaled clock — until SIGINT or
// SIGTERM. It writes a kubeconfig (and the CA) into --dir and prints, in a form `eval` and `source` accept, the
// KUBECONFIG and the AWS environment the SDKs and awscli need; the scaled clock's numbers are printed too, so
// another poolkeeper process can keep the same simulated time. A scenario file that cannot be read or whose
// objects the world refuses is a usage error (exit 2) naming file, line, object and field.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DestinationStream, Level } from "pino";
import { ScaledClock } from "../../api/index.ts";
import { createLogger } from "../../runtime/index.ts";
import { readScenario, ScenarioError, World, type ServedWorld } from "../../sim/index.ts";
import { InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { SIM_CLOCK_ENV } from "../sim-clock.ts";
import { onStopRequest, parsePort } from "../stop-request.ts";

export interface SimOptions {
  seed: string;
  timeFactor: string;
  scenario?: string;
  dir?: string;
  port: string;
  awsPort: string;
  logLevel?: Level;
}

export interface SimControl {
  /** Stops the world when aborted; by default SIGTERM and SIGINT do. */
  signal?: AbortSignal;
  /** Where the JSON log goes; standard error by default (standard output carries the environment). */
  log?: DestinationStream;
}

export { SIM_CLOCK_ENV };

export async function runSim(options: SimOptions, out: Output, control: SimControl = {}): Promise<number> {
  const seed = parseSeed(options.seed);
  const factor = parseFactor(options.timeFactor);
  const port = parsePort(options.port);
  const awsPort = parsePort(options.awsPort);
  const clock = new ScaledClock({ start: new Date(), factor });
  const world = new World({ clock, seed });
  const objects = options.scenario === undefined ? [] : scenarioObjects(options.scenario, world);
  try {
    world.start(objects);
  } catch (error) {
    if (error instanceof ScenarioError) throw new InputError(`scenario ${options.scenario}:\n${error.message}`);
    throw error;
  }
  const temporary = options.dir === undefined;
  const dir = options.dir === undefined ? mkdtempSync(join(tmpdir(), "poolkeeper-sim-")) : resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const logger = createLogger({
    name: "poolkeeper-sim",
    level: options.logLevel ?? "info",
    destination: control.log ?? { write: (line: string) => void process.stderr.write(line) },
  });
  let served: ServedWorld;
  try {
    served = await world.serve({ dir, port, awsPort, logger });
  } catch (error) {
    await world.stop();
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(`cannot start the simulated world on 127.0.0.1 (ports ${port}, ${awsPort}): ${code}`);
  }
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig(), { mode: 0o600 });
  writeFileSync(join(dir, "ca.crt"), served.kube.ca);
  const environment: Record<string, string> = { KUBECONFIG: kubeconfig, ...served.awsEnvironment() };
  // An HTTPS AWS endpoint comes with its CA; the SDKs and awscli read it from AWS_CA_BUNDLE.
  const awsCa = (served.aws as { ca?: unknown }).ca;
  if (served.aws.endpoint.startsWith("https:") && typeof awsCa === "string") {
    const bundle = join(dir, "aws-ca.crt");
    writeFileSync(bundle, awsCa);
    environment.AWS_CA_BUNDLE = bundle;
  }
  environment[SIM_CLOCK_ENV] = JSON.stringify(clock.publish());
  const script = Object.entries(environment)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join("\n");
  writeFileSync(join(dir, "env.sh"), `${script}\n`);
  out.stdout(
    `# poolkeeper sim: the Kubernetes API at ${served.kube.url}, AWS at ${served.aws.endpoint}; ` +
      `seed ${seed}, time ×${factor}. Ctrl-C stops it.\n${script}\n`,
  );
  logger.info(
    { kubernetes: served.kube.url, aws: served.aws.endpoint, kubeconfig, seed, timeFactor: factor },
    "simulated world serving",
  );

  const stopped = new Promise<string>((resolveStop) => {
    const detach = onStopRequest(control.signal, (reason) => {
      detach();
      resolveStop(reason);
    });
  });
  const reason = await stopped;
  logger.info({ reason }, "stopping the simulated world");
  await world.stop();
  if (temporary) rmSync(dir, { recursive: true, force: true });
  logger.info("simulated world stopped");
  logger.flush();
  return 0;
}

function scenarioObjects(file: string, world: World) {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new InputError(`--scenario ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  try {
    return readScenario(text, file, world.store.registry);
  } catch (error) {
    if (error instanceof ScenarioError) throw new InputError(`scenario ${file}:\n${error.message}`);
    throw error;
  }
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InputError(`--seed ${text}: not a non-negative integer`);
  return Number(text);
}

function parseFactor(text: string): number {
  const factor = Number(text);
  if (text.trim() === "" || !Number.isFinite(factor) || factor <= 0 || factor > 1000)
    throw new InputError(`--time-factor ${text}: not a number in (0, 1000]`);
  return factor;
}

/** POSIX single quotes: everything literal, a quote closed, escaped and reopened. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
