// Nodes and $/h over the scenario's simulated time, sampled on the world's clock and drawn as a small text chart
// (one column per slice of time, eight bar heights), so the summary shows what the autoscaler did to the bill.
import type { TimerClock } from "../../api/index.ts";
import type { World } from "../../sim/index.ts";
import { listObjects, runningCapacity } from "./world-view.ts";

const SAMPLE_MS = 10_000;
const BARS = "▁▂▃▄▅▆▇█";
const WIDTH = 60;

export interface Sample {
  atMs: number;
  nodes: number;
  usdPerHour: number;
}

export class Timeline {
  readonly samples: Sample[] = [];
  readonly #stop = new AbortController();
  readonly #done: Promise<void>;

  constructor(world: World, clock: TimerClock) {
    const start = clock.now().getTime();
    const sample = () =>
      this.samples.push({
        atMs: clock.now().getTime() - start,
        nodes: listObjects(world, "nodes").length,
        usdPerHour: runningCapacity(world).usdPerHour,
      });
    this.#done = (async () => {
      while (!this.#stop.signal.aborted) {
        sample();
        await Promise.race([
          clock.sleep(SAMPLE_MS),
          new Promise((resolve) => this.#stop.signal.addEventListener("abort", resolve, { once: true })),
        ]);
      }
      sample();
    })();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }
}

/** Two rows, nodes and $/h, with their peaks and the span of simulated time. */
export function renderTimeline(samples: readonly Sample[]): string[] {
  if (samples.length === 0) return ["(no samples)"];
  const columns = downsample(samples, WIDTH);
  const span = Math.round((samples.at(-1)?.atMs ?? 0) / 60_000);
  const peakNodes = Math.max(...samples.map((s) => s.nodes));
  const peakCost = Math.max(...samples.map((s) => s.usdPerHour));
  const last = samples.at(-1) as Sample;
  return [
    `nodes ${bars(columns.map((s) => s.nodes))}  peak ${peakNodes}, now ${last.nodes}`,
    `$/h   ${bars(columns.map((s) => s.usdPerHour))}  peak $${peakCost.toFixed(2)}, now $${last.usdPerHour.toFixed(2)}`,
    `      0${" ".repeat(Math.max(0, columns.length - 1 - String(span).length - 4))}${span} min (simulated)`,
  ];
}

function bars(values: readonly number[]): string {
  const max = Math.max(...values);
  if (max <= 0) return BARS.charAt(0).repeat(values.length);
  return values.map((v) => BARS.charAt(Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1))))).join("");
}

/** At most `width` samples, each the last of its slice of time. */
function downsample(samples: readonly Sample[], width: number): Sample[] {
  if (samples.length <= width) return [...samples];
  const step = samples.length / width;
  return samples.filter((_, index) => Math.floor((index + 1) / step) > Math.floor(index / step));
}
