// The tests' name for api/'s VirtualClock: `step` is `advance`, and waiting for a timer to be armed is guarded so
// that a regression fails instead of hanging.
import { VirtualClock } from "../../api/index.ts";
import { guardAgainstHang } from "./hang-guard.ts";

export class FakeClock extends VirtualClock {
  /** Moves the time forward by `ms` (VirtualClock.advance). */
  step(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`step(${ms}): the clock only moves forward`);
    this.advance(ms);
  }

  override untilPending(count = 1): Promise<void> {
    return guardAgainstHang(super.untilPending(count), `${count} pending timer(s) on the fake clock`);
  }
}
