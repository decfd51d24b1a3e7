// The simulated world's time, shared by every poolkeeper process started against it (DESIGN "Time"): `poolkeeper
// sim` publishes its scaled clock in POOLKEEPER_SIM_CLOCK, and a long-running command that finds it there keeps the
// same simulated time (leases, batch windows, poll intervals) instead of the system clock.
import { ScaledClock, systemClock, type TimerClock } from "../api/index.ts";
import { InputError } from "./input-files.ts";

/** The environment variable another process reads to build the same ScaledClock (ScaledClock.from). */
export const SIM_CLOCK_ENV = "POOLKEEPER_SIM_CLOCK";

/** The world's clock when POOLKEEPER_SIM_CLOCK is set; the system clock otherwise. */
export function clockFromEnvironment(env: NodeJS.ProcessEnv): TimerClock {
  const text = env[SIM_CLOCK_ENV];
  if (text === undefined || text === "") return systemClock;
  try {
    return ScaledClock.from(JSON.parse(text) as Parameters<typeof ScaledClock.from>[0]);
  } catch (error) {
    throw new InputError(`${SIM_CLOCK_ENV}: ${(error as Error).message} (expected what \`poolkeeper sim\` prints)`);
  }
}
