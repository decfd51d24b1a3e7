// A progress line on stderr for long runs, drawn only on a terminal so logs and pipes stay clean.
import type { Output } from "./output.ts";

export interface Progress {
  (item: string): void;
  done(): void;
}

export function progress(out: Output, verb: string, total: number, minimum = 20): Progress {
  let count = 0;
  const enabled = out.interactive && total >= minimum;
  const tick = ((item: string) => {
    count++;
    if (enabled) out.stderr(`\r\u001b[K${verb} ${count}/${total} ${item}`);
  }) as Progress;
  tick.done = () => {
    if (enabled) out.stderr("\r\u001b[K");
  };
  return tick;
}
